"""Which residence tracks a candidate qualifies for, judged by rules kept as data.

The rules live in `reference_data/eligibility_rules.json` (its "about" says how they combine), so
an administrator can change thresholds and dates without touching this code.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache, lru_cache
from importlib import resources
from typing import Any, NamedTuple

from kakehashi.candidates.domain.japanese import effective_level
from kakehashi.candidates.domain.profile import CandidateProfile, age_on, reference_date
from kakehashi.shared.reference import JapaneseLevel, Sector, Track

ANY_SECTOR = "*"
_TRACKS = tuple(Track)  # iterating an enum class is slow, and evaluate does it per candidate


class RuleKind(StrEnum):
    OFFERED = "offered"
    NOT_OFFERED = "not_offered"
    AGE_MIN = "age_min"
    JAPANESE_MIN = "japanese_min"
    TRAINING_HOURS_MIN = "training_hours_min"
    SKILLS_TEST = "skills_test"
    TITP_STAGE_COMPLETED = "titp_stage_completed"


@dataclass(frozen=True)
class Rule:
    track: Track
    sector: str  # a Sector code or "*"
    requirement: str  # rules sharing a requirement are alternatives
    kind: RuleKind
    threshold: str | int | None = None
    valid_from: date | None = None
    valid_to: date | None = None

    def applies(self, track: Track, sector: Sector, on: date) -> bool:
        return (
            self.track is track
            and self.sector in (ANY_SECTOR, sector.value)
            and (self.valid_from is None or self.valid_from <= on)
            and (self.valid_to is None or on <= self.valid_to)
        )


@dataclass(frozen=True)
class TrackEligibility:
    """Whether the candidate qualifies for one track, why, and what data would settle it."""

    track: Track
    eligible: bool
    reasons: tuple[str, ...]
    needs_data: tuple[str, ...] = ()


def parse_rules(raw: Iterable[dict[str, Any]]) -> tuple[Rule, ...]:
    """Rules from their JSON form; a bad track, sector, kind or threshold raises ValueError."""
    rules = []
    for item in raw:
        rule = Rule(
            track=Track(item["track"]),
            sector=item.get("sector", ANY_SECTOR),
            requirement=str(item["requirement"]),
            kind=RuleKind(item["kind"]),
            threshold=item.get("threshold"),
            valid_from=date.fromisoformat(item["valid_from"]) if item.get("valid_from") else None,
            valid_to=date.fromisoformat(item["valid_to"]) if item.get("valid_to") else None,
        )
        if rule.sector != ANY_SECTOR:
            Sector(rule.sector)
        if rule.kind is RuleKind.JAPANESE_MIN:
            JapaneseLevel(str(rule.threshold))
        rules.append(rule)
    return tuple(rules)


@cache
def default_rules() -> tuple[Rule, ...]:
    """The rules shipped with the service."""
    text = (
        resources.files("kakehashi.candidates")
        .joinpath("reference_data/eligibility_rules.json")
        .read_text(encoding="utf-8")
    )
    return parse_rules(json.loads(text)["rules"])


# (passed, reason, missing data or None)
_Outcome = tuple[bool, str, str | None]


class _Facts(NamedTuple):
    """What the rules look at, worked out once per candidate rather than once per rule."""

    sector: Sector
    on: date  # the reference date
    age: int | None
    level: JapaneseLevel
    training_hours: int | None
    tests_passed: frozenset[str]
    titp_stage: int  # highest TITP stage completed in the candidate's sector, 0 if none


def _facts(profile: CandidateProfile, today: date) -> _Facts:
    return _facts_on(profile, reference_date(profile.available_from, today))


def _facts_on(profile: CandidateProfile, on: date) -> _Facts:
    sector = profile.sector
    level, _ = effective_level(profile.japanese_tests, profile.declared_japanese_level)
    stage = max(
        (
            s.titp_stage_completed or 0
            for s in profile.earlier_stays
            if s.track is Track.TITP and s.sector is sector
        ),
        default=0,
    )
    born = profile.date_of_birth
    return _Facts(
        sector,
        on,
        age_on(born, on) if born else None,
        level,
        profile.training_hours,
        profile.tests_passed,
        stage,
    )


_Check = Callable[[_Facts], _Outcome]


def _always(outcome: _Outcome) -> _Check:
    return lambda _facts: outcome


def _check(rule: Rule, sector: Sector, on: date) -> _Check:
    """The rule's judgement of a candidate. What does not depend on the candidate (levels,
    test names, the wording of fixed outcomes) is worked out here, once per plan."""
    threshold = rule.threshold
    day = on.isoformat()
    if rule.kind is RuleKind.OFFERED:
        return _always((True, f"{rule.track.value} takes entrants on {day}", None))
    if rule.kind is RuleKind.NOT_OFFERED:
        return _always((False, f"{rule.track.value} does not take {sector.value} on {day}", None))
    if rule.kind is RuleKind.AGE_MIN:

        def old_enough(facts: _Facts) -> _Outcome:
            if facts.age is None:
                return False, "age unknown", "date_of_birth"
            passed = facts.age >= int(str(threshold))
            return passed, f"age {facts.age} on {day} (min {threshold})", None

        return old_enough
    if rule.kind is RuleKind.JAPANESE_MIN:
        needed = JapaneseLevel(str(threshold))
        by_level = {
            level: (
                level.rank >= needed.rank,
                f"Japanese {level.value} (needs {needed.value})",
                None,
            )
            for level in JapaneseLevel
        }
        return lambda facts: by_level[facts.level]
    if rule.kind is RuleKind.TRAINING_HOURS_MIN:

        def trained(facts: _Facts) -> _Outcome:
            hours = facts.training_hours
            if hours is None:
                return False, "training hours unknown", "training_hours"
            passed = hours >= int(str(threshold))
            return passed, f"{hours} training hours (needs {threshold})", None

        return trained
    if rule.kind is RuleKind.SKILLS_TEST:
        test = str(threshold).format(sector=sector.value)
        passed: _Outcome = (True, f"test {test} passed", None)
        not_passed: _Outcome = (False, f"test {test} not passed", None)
        return lambda facts: passed if test in facts.tests_passed else not_passed
    needed_stage = int(str(threshold))
    done = f"TITP stage {needed_stage} in {sector.value}"
    completed: _Outcome = (True, f"{done} completed", None)
    not_completed: _Outcome = (False, f"{done} not completed", None)
    return lambda facts: completed if facts.titp_stage >= needed_stage else not_completed


@dataclass(frozen=True)
class _Plan:
    """One track's rules in force for a sector on a day, grouped by requirement."""

    closed: TrackEligibility | None  # the verdict when the track takes no entrants then
    requirements: tuple[tuple[_Check, ...], ...] = ()


def _plan(rules: tuple[Rule, ...] | None, track: Track, sector: Sector, on: date) -> _Plan:
    if rules is None:
        return _default_plan(track, sector, on)
    in_force = [rule for rule in rules if rule.applies(track, sector, on)]
    if not any(rule.kind is RuleKind.OFFERED for rule in in_force):
        return _Plan(TrackEligibility(track, False, (f"{track.value} takes no entrants on {on}",)))
    groups: dict[str, list[_Check]] = {}
    for rule in in_force:
        groups.setdefault(rule.requirement, []).append(_check(rule, sector, on))
    return _Plan(None, tuple(tuple(checks) for checks in groups.values()))


@lru_cache(maxsize=4096)
def _default_plan(track: Track, sector: Sector, on: date) -> _Plan:
    # Imports judge many candidates against the same few (track, sector, day) combinations.
    return _plan(default_rules(), track, sector, on)


@lru_cache(maxsize=4096)
def _default_plans(sector: Sector, on: date) -> tuple[tuple[Track, _Plan], ...]:
    # Every track's plan in one look-up: hashing enums is a Python call, five looks-ups per
    # candidate were a fifth of judging one.
    return tuple((track, _default_plan(track, sector, on)) for track in _TRACKS)


def _evaluate_track(
    track: Track, facts: _Facts, rules: tuple[Rule, ...] | None
) -> TrackEligibility:
    return _judge(track, _plan(rules, track, facts.sector, facts.on), facts)


def _judge(track: Track, plan: _Plan, facts: _Facts) -> TrackEligibility:
    if plan.closed is not None:
        return plan.closed
    reasons: list[str] = []
    needs: set[str] = set()
    eligible = True
    for checks in plan.requirements:
        if len(checks) == 1:  # most requirements have no alternative
            passed, reason, missing = checks[0](facts)
            reasons.append(reason)
            if not passed:
                eligible = False
                if missing:
                    needs.add(missing)
            continue
        outcomes = [check(facts) for check in checks]
        passing = [reason for passed, reason, _ in outcomes if passed]
        if passing:
            reasons.append(passing[0])
            continue
        eligible = False
        reasons.append(" or ".join(reason for _, reason, _ in outcomes))
        needs.update(missing for _, _, missing in outcomes if missing)
    return TrackEligibility(track, eligible, tuple(reasons), tuple(sorted(needs)) if needs else ())


def evaluate_track(
    track: Track, profile: CandidateProfile, rules: tuple[Rule, ...] | None, today: date
) -> TrackEligibility:
    """Judge one track: open on the reference date, and every requirement met by some rule.
    `rules` None means the shipped rules."""
    return _evaluate_track(track, _facts(profile, today), rules)


def evaluate(
    profile: CandidateProfile, today: date, rules: tuple[Rule, ...] | None = None
) -> tuple[TrackEligibility, ...]:
    """Eligibility for every track, in the order of `Track`."""
    facts = _facts(profile, today)
    if rules is None:
        return tuple(
            _judge(track, plan, facts) for track, plan in _default_plans(facts.sector, facts.on)
        )
    return tuple(_evaluate_track(track, facts, rules) for track in _TRACKS)


def eligible_tracks(results: tuple[TrackEligibility, ...]) -> tuple[str, ...]:
    """The codes of the tracks a candidate qualifies for."""
    return tuple(result.track.value for result in results if result.eligible)


# A window of days in which the candidate is eligible for a track: first and last day, inclusive;
# None where it is open-ended.
Window = tuple[date | None, date | None]


def _birthday(born: date, years: int) -> date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # born on 29 February: the birthday falls on 1 March
        return date(born.year + years, 3, 1)


def _turning_points(profile: CandidateProfile, rules: tuple[Rule, ...], after: date) -> list[date]:
    """The days after `after` on which a judgement may change: a rule comes into or goes out of
    force, or the candidate reaches an age a rule asks for."""
    rule_days, ages_asked = _what_rules_change(rules)
    days = set(rule_days)
    if profile.date_of_birth is not None:
        days.update(_birthday(profile.date_of_birth, years) for years in ages_asked)
    return sorted(day for day in days if day > after)


# id(rules) -> (rules, the days they come into or go out of force, the ages they ask for): the
# same rules object serves a whole import, so this is worked out once, not per candidate.
_CHANGES: dict[int, tuple[tuple[Rule, ...], frozenset[date], frozenset[int]]] = {}


def _what_rules_change(rules: tuple[Rule, ...]) -> tuple[frozenset[date], frozenset[int]]:
    seen = _CHANGES.get(id(rules))
    if seen is not None and seen[0] is rules:
        return seen[1], seen[2]
    days: set[date] = set()
    for rule in rules:
        if rule.valid_from is not None:
            days.add(rule.valid_from)
        if rule.valid_to is not None and rule.valid_to < date.max:
            days.add(date.fromordinal(rule.valid_to.toordinal() + 1))
    ages = frozenset(int(str(r.threshold)) for r in rules if r.kind is RuleKind.AGE_MIN)
    if len(_CHANGES) > 64:  # rules edited in tests or by an administrator: keep it small
        _CHANGES.clear()
    _CHANGES[id(rules)] = (rules, frozenset(days), ages)
    return frozenset(days), ages


def eligibility_windows(
    profile: CandidateProfile, today: date, rules: tuple[Rule, ...] | None = None
) -> dict[str, list[Window]]:
    """Per track, the windows of days in which the candidate is eligible, from today on: what
    matching judges an order by on its departure day (entry to Japan), where age and the rules in
    force are those of that day. The first window opens on None (any day up to the next change)."""
    starts: tuple[date | None, ...] = (
        None,
        *_turning_points(profile, rules or default_rules(), today),
    )
    facts = _facts_on(profile, today)
    born = profile.date_of_birth
    # What the windows depend on: the facts but the age, the days a judgement may change, and
    # the age on each of them. People sharing these (most of an import) share their windows.
    ages = tuple(age_on(born, start or today) if born else None for start in starts)
    if rules is None:
        found = _windows_by_default_rules(facts._replace(age=None), starts, ages)
    else:
        found = _windows(facts._replace(age=None), starts, ages, rules)
    return {track: list(runs) for track, runs in found.items()}


@lru_cache(maxsize=4096)
def _windows_by_default_rules(
    facts: _Facts, starts: tuple[date | None, ...], ages: tuple[int | None, ...]
) -> dict[str, list[Window]]:
    return _windows(facts, starts, ages, None)


def _windows(
    facts: _Facts,
    starts: tuple[date | None, ...],
    ages: tuple[int | None, ...],
    rules: tuple[Rule, ...] | None,
) -> dict[str, list[Window]]:
    windows: dict[str, list[Window]] = {}
    for index, start in enumerate(starts):
        on_start = facts._replace(on=start or facts.on, age=ages[index])
        following = starts[index + 1] if index + 1 < len(starts) else None
        end = None if following is None else date.fromordinal(following.toordinal() - 1)
        plans = (
            _default_plans(on_start.sector, on_start.on)
            if rules is None
            else tuple(
                (track, _plan(rules, track, on_start.sector, on_start.on)) for track in _TRACKS
            )
        )
        for track, plan in plans:
            if not _judge(track, plan, on_start).eligible:
                continue
            runs = windows.setdefault(track.value, [])
            if (
                runs
                and runs[-1][1] is not None
                and start is not None
                and (runs[-1][1].toordinal() + 1 == start.toordinal())
            ):
                runs[-1] = (runs[-1][0], end)  # continues the previous window
            else:
                runs.append((start, end))
    return windows
