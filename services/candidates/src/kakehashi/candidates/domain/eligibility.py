"""Which residence tracks a candidate qualifies for, judged by rules kept as data.

The rules live in `reference_data/eligibility_rules.json` (its "about" says how they combine), so
an administrator can change thresholds and dates without touching this code.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from kakehashi.candidates.domain.japanese import effective_level
from kakehashi.candidates.domain.profile import CandidateProfile, age_on, reference_date
from kakehashi.shared.reference import JapaneseLevel, Sector, Track

ANY_SECTOR = "*"


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


def _judge(rule: Rule, profile: CandidateProfile, on: date) -> _Outcome:
    sector = profile.sector
    threshold = rule.threshold
    if rule.kind is RuleKind.OFFERED:
        return True, f"{rule.track.value} takes entrants on {on.isoformat()}", None
    if rule.kind is RuleKind.NOT_OFFERED:
        return False, f"{rule.track.value} does not take {sector.value} on {on.isoformat()}", None
    if rule.kind is RuleKind.AGE_MIN:
        if profile.date_of_birth is None:
            return False, "age unknown", "date_of_birth"
        age = age_on(profile.date_of_birth, on)
        return age >= int(str(threshold)), f"age {age} on {on.isoformat()} (min {threshold})", None
    if rule.kind is RuleKind.JAPANESE_MIN:
        level, _ = effective_level(profile.japanese_tests, profile.declared_japanese_level)
        needed = JapaneseLevel(str(threshold))
        return level.rank >= needed.rank, f"Japanese {level.value} (needs {needed.value})", None
    if rule.kind is RuleKind.TRAINING_HOURS_MIN:
        if profile.training_hours is None:
            return False, "training hours unknown", "training_hours"
        hours = profile.training_hours
        return hours >= int(str(threshold)), f"{hours} training hours (needs {threshold})", None
    if rule.kind is RuleKind.SKILLS_TEST:
        test = str(threshold).format(sector=sector.value)
        passed = test in profile.tests_passed
        return passed, f"test {test} {'passed' if passed else 'not passed'}", None
    stage = max(
        (
            s.titp_stage_completed or 0
            for s in profile.earlier_stays
            if s.track is Track.TITP and s.sector is sector
        ),
        default=0,
    )
    needed_stage = int(str(threshold))
    return (
        stage >= needed_stage,
        f"TITP stage {needed_stage} in {sector.value} {'completed' if stage >= needed_stage else 'not completed'}",
        None,
    )


def _in_force(
    rules: tuple[Rule, ...] | None, track: Track, sector: Sector, on: date
) -> tuple[Rule, ...]:
    if rules is None:
        return _default_in_force(track, sector, on)
    return tuple(rule for rule in rules if rule.applies(track, sector, on))


@lru_cache(maxsize=4096)
def _default_in_force(track: Track, sector: Sector, on: date) -> tuple[Rule, ...]:
    # Imports judge many candidates against the same few (track, sector, day) combinations.
    return _in_force(default_rules(), track, sector, on)


def evaluate_track(
    track: Track, profile: CandidateProfile, rules: tuple[Rule, ...] | None, today: date
) -> TrackEligibility:
    """Judge one track: open on the reference date, and every requirement met by some rule.
    `rules` None means the shipped rules."""
    on = reference_date(profile.available_from, today)
    in_force = _in_force(rules, track, profile.sector, on)
    if not any(rule.kind is RuleKind.OFFERED for rule in in_force):
        return TrackEligibility(track, False, (f"{track.value} takes no entrants on {on}",))
    groups: dict[str, list[_Outcome]] = {}
    for rule in in_force:
        groups.setdefault(rule.requirement, []).append(_judge(rule, profile, on))
    reasons: list[str] = []
    needs: set[str] = set()
    eligible = True
    for outcomes in groups.values():
        passing = [reason for passed, reason, _ in outcomes if passed]
        if passing:
            reasons.append(passing[0])
            continue
        eligible = False
        reasons.append(" or ".join(reason for _, reason, _ in outcomes))
        needs.update(missing for _, _, missing in outcomes if missing)
    return TrackEligibility(track, eligible, tuple(reasons), tuple(sorted(needs)))


def evaluate(
    profile: CandidateProfile, today: date, rules: tuple[Rule, ...] | None = None
) -> tuple[TrackEligibility, ...]:
    """Eligibility for every track, in the order of `Track`."""
    return tuple(evaluate_track(track, profile, rules, today) for track in Track)


def eligible_tracks(results: tuple[TrackEligibility, ...]) -> tuple[str, ...]:
    """The codes of the tracks a candidate qualifies for."""
    return tuple(result.track.value for result in results if result.eligible)
