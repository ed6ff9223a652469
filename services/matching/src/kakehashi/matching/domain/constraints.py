"""The hard constraints, one record each: scoring, the constraint bits, the API's names, the
explanations, the console's labels and the plain-Python oracle are all read from these records.

A pair meets a constraint, fails it, or lacks the data to check it; a pair that fails one or lacks
its data is not ranked (missing data is never given a neutral default). A constraint applies to an
order once per key the order asks for (a Japanese floor, a must-have skill at a level, a track, a
day). Most are checked by a per-candidate row the pool computes once per key; a *dated* one
compares a per-candidate day with the order's day, which scoring folds into one pass over the
score rather than keep a row per date.

Adding a constraint: a flag in `Constraint` and a record in HARD_CONSTRAINTS (and the data it
reads, if `Order`, `CandidateProfile` or `Pool` do not hold it yet).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import IntFlag
from typing import Any, Generic, TypeVar

import numpy as np
import numpy.typing as npt

from kakehashi.matching.domain.model import (
    CandidateProfile,
    Order,
    Pool,
    Requirement,
    related_codes,
    track_bit,
    windows_of,
)
from kakehashi.matching.domain.reasons import N_, Reason, level_name, skill, track
from kakehashi.shared.reference import Track

Mask = npt.NDArray[np.bool_]
K = TypeVar("K")


class Constraint(IntFlag):
    """The bit of each hard constraint in a pair's `failed` and `missing` bits (kept as uint8:
    room for eight constraints before `blocking.Bits` must widen)."""

    JAPANESE = 1
    MUST_HAVE_SKILLS = 2
    TRACK = 4
    AVAILABILITY = 8
    AGE = 16


@dataclass(frozen=True)
class Outcome:
    """How one pair stands on one constraint, for its explanation."""

    failed: bool
    missing: bool


@dataclass(frozen=True)
class HardConstraint(Generic[K]):
    """One hard constraint. `check` (a row) or `day` (dated) says how it is computed for a whole
    pool; `holds` is the same rule for one pair in plain Python, which tests and benchmarks
    check the vectorised form against."""

    flag: Constraint
    name: str  # the API's name (excluded_by, needs_data)
    label: str  # message id of the console's label
    keys: Callable[[Order, date], tuple[K, ...]]  # what the order asks; () where it asks nothing
    holds: Callable[[CandidateProfile, K], bool]  # False also where the data is missing
    explain: Callable[[Pool, int, Order, Outcome], list[Reason]]
    check: Callable[[Pool, K], tuple[Mask, Mask]] | None = None  # per candidate: fails, no data
    # Dated: the candidate's day (NaN where unknown); the constraint is met up to the key's day.
    day: Callable[[Pool], npt.NDArray[np.float64]] | None = None

    def __post_init__(self) -> None:
        if (self.check is None) == (self.day is None):
            raise ValueError(f"constraint {self.name}: give either check or day, not both")

    def outcome(self, pool: Pool, key: K) -> tuple[Mask, Mask]:
        """Per candidate of the pool: whether they fail the constraint for `key`, and whether
        the data to check it is missing."""
        if self.day is not None:
            assert isinstance(key, int)  # a dated constraint's key is an ordinal day
            day = self.day(pool)
            return np.asarray(day > key), np.isnan(day)  # NaN compares False: missing, not failed
        assert self.check is not None
        return self.check(pool, key)


def _known(pool: Pool) -> Mask:
    return np.zeros(len(pool), dtype=bool)


# Japanese floor: the key is the order's minimum rank, when it sets one.
def _japanese_keys(order: Order, _today: date) -> tuple[int, ...]:
    return (order.min_japanese_rank,) if order.min_japanese_rank else ()


def _japanese_check(pool: Pool, floor: int) -> tuple[Mask, Mask]:
    return pool.japanese_rank < floor, _known(pool)


def _japanese_explain(pool: Pool, candidate: int, order: Order, _: Outcome) -> list[Reason]:
    have, need = int(pool.japanese_rank[candidate]), order.min_japanese_rank
    levels = {"have": level_name(have), "need": level_name(need)}
    if need == 0:
        return [Reason("Japanese {have} (no level required)", **levels)]
    if have < need:
        return [Reason("Japanese {have} below the {need} required", **levels)]
    if have > need:
        return [Reason("Japanese {have} above the {need} required", **levels)]
    return [Reason("Japanese {have} meets the {need} required", **levels)]


# Must-have skills: a key per must-have requirement, (skill code, minimum level).
def _must_have_keys(order: Order, _today: date) -> tuple[tuple[str, int], ...]:
    return tuple((r.code, r.min_level) for r in order.requirements if r.must_have)


def _must_have_check(pool: Pool, key: tuple[str, int]) -> tuple[Mask, Mask]:
    code, min_level = key
    return pool.levels(code) < min_level, _known(pool)


def _skills_explain(pool: Pool, candidate: int, order: Order, _: Outcome) -> list[Reason]:
    """Every requirement of the order, must-have or not, in the order's own sequence."""
    held = pool.skills_of(candidate)
    return [_skill_reason(held, r) for r in order.requirements]


def _skill_reason(held: Mapping[str, int], requirement: Requirement) -> Reason:
    """`held`: the candidate's skills and levels."""
    code, minimum, must = skill(requirement.code), requirement.min_level, requirement.must_have
    level = held.get(requirement.code, 0)
    if level <= 0:
        if must:
            return Reason(
                "missing: {code} (level {minimum}, must-have)", code=code, minimum=minimum
            )
        related = _best_related(held, requirement.code)
        if related is not None:  # partial credit in the score (docs/matching.md)
            return Reason(
                "no {code}, but related {related} level {level} (partial credit)",
                code=code,
                related=skill(related[0]),
                level=related[1],
            )
        return Reason("missing: {code} (level {minimum}, nice-to-have)", code=code, minimum=minimum)
    if level < minimum:
        return Reason(
            "{code} level {level} below the {minimum} required",
            code=code,
            level=level,
            minimum=minimum,
        )
    if level > minimum:  # the surplus the score counts (docs/matching.md)
        return Reason(
            "{code} level {level}, {above} above the level {minimum} asked",
            code=code,
            level=level,
            above=level - minimum,
            minimum=minimum,
        )
    return Reason(
        "has {code} level {level} (needs {minimum})", code=code, level=level, minimum=minimum
    )


def _best_related(held: Mapping[str, int], code: str) -> tuple[str, int] | None:
    """The candidate's highest skill of the same family as `code` (first in the taxonomy's
    order among equals), or None."""
    found = [(held.get(other, 0), other) for other in related_codes(code)]
    best = max(((level, -i, other) for i, (level, other) in enumerate(found)), default=None)
    if best is None or best[0] <= 0:
        return None
    return best[2], best[0]


# Track eligibility on entry to Japan: the key is the order's track and its departure day (today
# for an order without one), so rules that change meanwhile (a track opening, the candidate
# turning 18) are judged as they will stand then; eligibility may not be known yet.
def _track_keys(order: Order, today: date) -> tuple[tuple[Track, int], ...]:
    if order.track is None:
        return ()
    return ((order.track, (order.departure or today).toordinal()),)


def _track_check(pool: Pool, key: tuple[Track, int]) -> tuple[Mask, Mask]:
    track, day = key
    first, last = pool.track_windows[track]
    eligible = ((first <= day) & (day <= last)).any(axis=1)
    return pool.tracks_known & ~eligible, ~pool.tracks_known


def _track_holds(candidate: CandidateProfile, key: tuple[Track, int]) -> bool:
    track, day = key
    if candidate.eligible_tracks is None:
        return False
    return any(first <= day <= last for first, last in windows_of(candidate, track))


def _track_explain(pool: Pool, candidate: int, order: Order, outcome: Outcome) -> list[Reason]:
    """Eligibility for the order's track, then (not a constraint) whether they want it."""
    if order.track is None:
        return []
    name = track(order.track.value)
    if outcome.missing:
        reasons = [Reason("needs data: eligibility for {name} not known yet", name=name)]
    elif outcome.failed:
        reasons = [Reason("not eligible for {name}", name=name)]
    else:
        reasons = [Reason("eligible for {name}", name=name)]
    wants = int(pool.desired_tracks[candidate])
    if wants and not wants & track_bit(order.track):
        reasons.append(Reason("prefers another track than {name}", name=name))
    return reasons


# Availability: available by the departure day, for orders that set one.
def _availability_keys(order: Order, _today: date) -> tuple[int, ...]:
    return (order.departure.toordinal(),) if order.departure is not None else ()


def _availability_explain(
    pool: Pool, candidate: int, order: Order, outcome: Outcome
) -> list[Reason]:
    if order.departure is None:
        return []
    if outcome.missing:
        return [Reason("needs data: availability date missing")]
    dates = {
        "available": date.fromordinal(int(pool.available_from[candidate])),
        "departure": order.departure,
    }
    if outcome.failed:
        return [
            Reason("available only from {available}, after the departure on {departure}", **dates)
        ]
    return [Reason("available from {available}, before the departure on {departure}", **dates)]


# Age: adult on the departure day, or today for an order without one.
def _age_keys(order: Order, today: date) -> tuple[int, ...]:
    return ((order.departure or today).toordinal(),)


def _adult_on(candidate: CandidateProfile, day: int) -> bool:
    born, on = candidate.date_of_birth, date.fromordinal(day)
    return born is not None and (born.year + 18, born.month, born.day) <= (
        on.year,
        on.month,
        on.day,
    )


def _age_explain(pool: Pool, candidate: int, order: Order, outcome: Outcome) -> list[Reason]:
    if outcome.missing:
        return [Reason("needs data: date of birth missing")]
    if outcome.failed:
        return [Reason("under 18 on the departure date") if order.departure else Reason("under 18")]
    return []


# In the order reasons are read: skills, Japanese, track, availability, age.
HARD_CONSTRAINTS: tuple[HardConstraint[Any], ...] = (
    HardConstraint(
        flag=Constraint.MUST_HAVE_SKILLS,
        name="must_have_skills",
        label=N_("Must-have skills"),
        keys=_must_have_keys,
        holds=lambda c, key: c.skills.get(key[0], 0) >= key[1],
        explain=_skills_explain,
        check=_must_have_check,
    ),
    HardConstraint(
        flag=Constraint.JAPANESE,
        name="japanese_level",
        label=N_("Japanese level"),
        keys=_japanese_keys,
        holds=lambda c, floor: c.japanese_rank >= floor,
        explain=_japanese_explain,
        check=_japanese_check,
    ),
    HardConstraint(
        flag=Constraint.TRACK,
        name="track_eligibility",
        label=N_("Track eligibility"),
        keys=_track_keys,
        holds=_track_holds,
        explain=_track_explain,
        check=_track_check,
    ),
    HardConstraint(
        flag=Constraint.AVAILABILITY,
        name="availability",
        label=N_("Availability"),
        keys=_availability_keys,
        holds=lambda c, day: c.available_from is not None and c.available_from.toordinal() <= day,
        explain=_availability_explain,
        day=lambda pool: pool.available_from,
    ),
    HardConstraint(
        flag=Constraint.AGE,
        name="age",
        label=N_("Age"),
        keys=_age_keys,
        holds=_adult_on,
        explain=_age_explain,
        day=lambda pool: pool.adult_from,
    ),
)
# The API lists constraints by their bit.
BY_FLAG: tuple[HardConstraint[Any], ...] = tuple(sorted(HARD_CONSTRAINTS, key=lambda c: c.flag))
ROW_CONSTRAINTS = tuple(c for c in HARD_CONSTRAINTS if c.day is None)
DATED_CONSTRAINTS = tuple(c for c in HARD_CONSTRAINTS if c.day is not None)


def constraint_of(flag: Constraint) -> HardConstraint[Any]:
    """The record of a flag."""
    return next(c for c in HARD_CONSTRAINTS if c.flag is flag)


def unmet(candidate: CandidateProfile, order: Order, today: date) -> list[HardConstraint[Any]]:
    """The constraints one pair fails or lacks the data for, checked in plain Python (an oracle
    for the vectorised form, never used to rank)."""
    return [
        c
        for c in HARD_CONSTRAINTS
        if not all(c.holds(candidate, key) for key in c.keys(order, today))
    ]
