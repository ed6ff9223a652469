"""Scores of every candidate of a pool for many job orders at once, in matrix operations.

Hard constraints are kept apart from the score: a pair that fails one is not ranked, and a pair
whose data is missing for one is "needs data", never given a neutral default. The score in [0, 1]
is a weighted sum of components, each kept so a reviewer can read why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import IntFlag

import numpy as np
import numpy.typing as npt

from kakehashi.matching.domain.model import (
    MAX_JAPANESE_RANK,
    PREFECTURE_INDEX,
    Order,
    Pool,
    Weights,
    track_bit,
)

MUST_HAVE_WEIGHT = 2.0
NICE_TO_HAVE_WEIGHT = 1.0
EXPERIENCE_SATURATION_YEARS = 3.0  # with no stated minimum, three years in the sector count fully

Matrix = npt.NDArray[np.float32]


class Constraint(IntFlag):
    JAPANESE = 1
    MUST_HAVE_SKILLS = 2
    TRACK = 4
    AVAILABILITY = 8
    AGE = 16


@dataclass
class Evaluation:
    """Orders (rows) x candidates (columns): components, constraint bits and the final score."""

    skills: Matrix
    japanese: Matrix
    experience: Matrix
    preferences: Matrix
    failed: npt.NDArray[np.uint8]  # Constraint bits the pair fails
    missing: npt.NDArray[np.uint8]  # Constraint bits the pair lacks data for
    score: Matrix  # -inf unless every constraint is known and met

    @property
    def eligible(self) -> npt.NDArray[np.bool_]:
        return np.asarray((self.failed == 0) & (self.missing == 0), dtype=bool)

    @property
    def needs_data(self) -> npt.NDArray[np.bool_]:
        return np.asarray((self.failed == 0) & (self.missing != 0), dtype=bool)


# Japanese component by (order floor, candidate level): a step per level above the floor.
_JAPANESE = np.array(
    [
        [
            min(max((have - need + 1) / (MAX_JAPANESE_RANK - need + 1), 0.0), 1.0)
            for have in range(6)
        ]
        for need in range(6)
    ],
    dtype=np.float32,
)


def evaluate(
    pool: Pool, orders: Sequence[Order], today: date, weights: Weights = Weights()
) -> Evaluation:
    """Evaluate every (order, candidate) pair; loops run over orders' attributes, never pairs."""
    m, n = len(orders), len(pool)
    failed = np.zeros((m, n), dtype=np.uint8)
    missing = np.zeros((m, n), dtype=np.uint8)
    skills = _skills(pool, orders, failed)
    japanese = _japanese(pool, orders, failed)
    track_fit = _tracks(pool, orders, failed, missing)
    _timing(pool, orders, today, failed, missing)
    experience = _experience(pool, orders)
    preferences = ((track_fit + _prefectures(pool, orders)) / 2).astype(np.float32)
    w = weights.normalised()
    score = w["skills"] * skills
    score += w["japanese"] * japanese
    score += w["experience"] * experience
    score += w["preferences"] * preferences
    score[(failed | missing) != 0] = -np.inf
    return Evaluation(skills, japanese, experience, preferences, failed, missing, score)


def _skills(pool: Pool, orders: Sequence[Order], failed: npt.NDArray[np.uint8]) -> Matrix:
    """Level-aware coverage of each order's required skill weight; must-haves weigh double."""
    n = len(pool)
    counts = np.array([len(o.requirements) for o in orders], dtype=np.intp)
    requirements = [r for order in orders for r in order.requirements]
    minimum = np.array([r.min_level for r in requirements], dtype=np.float32)[:, None]
    must = np.array([r.must_have for r in requirements], dtype=bool)[:, None]
    levels = np.zeros((len(requirements), n), dtype=np.float32)  # requirements x candidates
    known = [
        (j, pool.vocabulary[r.code])
        for j, r in enumerate(requirements)
        if r.code in pool.vocabulary
    ]
    if known:
        targets, rows = zip(*known, strict=True)
        levels[list(targets)] = pool.skills_by_skill[list(rows)].toarray()
    importance = np.where(must[:, 0], MUST_HAVE_WEIGHT, NICE_TO_HAVE_WEIGHT).astype(np.float32)
    owner = np.repeat(np.arange(len(orders)), counts)
    total_importance = np.bincount(owner, weights=importance, minlength=len(orders))
    coverage = np.minimum(levels / minimum, 1.0)
    coverage *= (importance / total_importance[owner]).astype(np.float32)[:, None]
    missed = (levels < minimum) & must
    skills = np.zeros((len(orders), n), dtype=np.float32)
    skills[counts == 0] = 1.0  # an order asking for no skill is fully covered
    starts = np.cumsum(counts) - counts
    # First requirements of every order, then second ones, ...: a handful of matrix steps.
    for position in range(int(counts.max(initial=0))):
        having = np.flatnonzero(counts > position)
        skills[having] += coverage[starts[having] + position]
        failed[having] |= np.where(
            missed[starts[having] + position], Constraint.MUST_HAVE_SKILLS, 0
        ).astype(np.uint8)
    return skills


def _japanese(pool: Pool, orders: Sequence[Order], failed: npt.NDArray[np.uint8]) -> Matrix:
    japanese = np.empty((len(orders), len(pool)), dtype=np.float32)
    floors = np.array([o.min_japanese_rank for o in orders])
    for floor in np.unique(floors).tolist():
        rows = np.flatnonzero(floors == floor)
        japanese[rows] = _JAPANESE[floor][pool.japanese_rank]
        failed[rows] |= np.where(pool.japanese_rank < floor, Constraint.JAPANESE, 0).astype(
            np.uint8
        )
    return japanese


def _tracks(
    pool: Pool,
    orders: Sequence[Order],
    failed: npt.NDArray[np.uint8],
    missing: npt.NDArray[np.uint8],
) -> Matrix:
    """Track eligibility (a constraint) and whether the candidate wants this track (a preference)."""
    fit = np.ones((len(orders), len(pool)), dtype=np.float32)
    for track in {o.track for o in orders if o.track is not None}:
        rows = np.flatnonzero([o.track == track for o in orders])
        bit = track_bit(track)
        not_eligible = pool.tracks_known & ((pool.eligible_tracks & bit) == 0)
        failed[rows] |= np.where(not_eligible, Constraint.TRACK, 0).astype(np.uint8)
        missing[rows] |= np.where(pool.tracks_known, 0, Constraint.TRACK).astype(np.uint8)
        wants = (pool.desired_tracks == 0) | ((pool.desired_tracks & bit) != 0)
        fit[rows] = wants.astype(np.float32)
    return fit


def _timing(
    pool: Pool,
    orders: Sequence[Order],
    today: date,
    failed: npt.NDArray[np.uint8],
    missing: npt.NDArray[np.uint8],
) -> None:
    """Available by the departure date, and 18 or older on it (or today, with no date set)."""
    departure = np.array(
        [np.nan if o.departure is None else o.departure.toordinal() for o in orders], dtype=float
    )[:, None]
    reference = np.where(np.isnan(departure), today.toordinal(), departure)
    failed |= np.where(pool.adult_from[None, :] > reference, Constraint.AGE, 0).astype(np.uint8)
    missing |= np.where(np.isnan(pool.adult_from), Constraint.AGE, 0).astype(np.uint8)[None, :]
    dated = np.flatnonzero(~np.isnan(departure[:, 0]))
    if dated.size:
        late = pool.available_from[None, :] > departure[dated]
        failed[dated] |= np.where(late, Constraint.AVAILABILITY, 0).astype(np.uint8)
        unknown = np.isnan(pool.available_from)
        missing[dated] |= np.where(unknown, Constraint.AVAILABILITY, 0).astype(np.uint8)


def _experience(pool: Pool, orders: Sequence[Order]) -> Matrix:
    """Years in the sector against the order's minimum (or three years); none recorded is 0."""
    target = np.array(
        [max(o.experience_years_min or EXPERIENCE_SATURATION_YEARS, 0.5) for o in orders],
        dtype=np.float32,
    )[:, None]
    years = np.nan_to_num(pool.experience_years, nan=0.0)[None, :]
    experience: Matrix = np.minimum(years / target, 1.0).astype(np.float32)
    return experience


def _prefectures(pool: Pool, orders: Sequence[Order]) -> Matrix:
    """1 where the work site is a prefecture the candidate wants, or they named none."""
    fit = np.ones((len(orders), len(pool)), dtype=np.float32)
    for prefecture in {o.prefecture for o in orders if o.prefecture in PREFECTURE_INDEX}:
        rows = np.flatnonzero([o.prefecture == prefecture for o in orders])
        wanted = pool.prefers[PREFECTURE_INDEX[str(prefecture)]].toarray()[0] > 0
        fit[rows] = (wanted | ~pool.has_prefecture_wish).astype(np.float32)
    return fit


def top_k_per_order(
    scores: npt.NDArray[np.floating], k: int
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.floating]]:
    """Per row (order), the columns (candidates) of its k best finite scores, best first.

    -1 pads a row with fewer than k eligible candidates. Ties are broken by candidate index, so
    the result does not depend on how the partition fell.
    """
    m, n = scores.shape
    k = min(k, n)
    if k == 0 or m == 0:
        return np.zeros((m, 0), dtype=np.intp), np.zeros((m, 0), dtype=scores.dtype)
    threshold = -np.partition(-scores, k - 1, axis=1)[:, k - 1 : k]  # each row's k-th best
    above = scores > threshold
    at = scores == threshold
    # Of the candidates tied at the threshold, take the lowest-indexed ones that still fit.
    room = k - above.sum(axis=1, keepdims=True)
    chosen = above | (at & (np.cumsum(at, axis=1) <= room))
    best = np.nonzero(chosen)[1].reshape(m, k)  # exactly k per row, in candidate order
    values = np.take_along_axis(scores, best, axis=1)
    order = np.lexsort((best, -values), axis=1)
    best = np.take_along_axis(best, order, axis=1)
    values = np.take_along_axis(values, order, axis=1)
    best[~np.isfinite(values)] = -1
    return best, values
