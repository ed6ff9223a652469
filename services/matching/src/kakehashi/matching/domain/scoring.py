"""Scores of every candidate of a pool for many job orders at once, in matrix operations.

Hard constraints are kept apart from the score: a pair that fails one is not ranked, and a pair
whose data is missing for one is "needs data", never given a neutral default. The score in [0, 1]
is a weighted sum of components, each kept so a reviewer can read why.

Every component of an order is a short weighted sum of per-candidate rows (coverage of one skill
at one level, the Japanese fit for one floor, ...), which the pool computes once and keeps. A
constraint is a row of 0 where it is met and -inf where it fails or its data is missing. So a batch
of orders is scored by one sparse (orders x rows) times dense (rows x candidates) product, in which
a blocked pair comes out -inf without any mask. The components and the constraint bits, read only
for the pairs a reviewer looks at, are computed when first read.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from datetime import date
from enum import IntFlag
from functools import cached_property, partial
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from kakehashi.matching.domain.model import (
    MAX_JAPANESE_RANK,
    PREFECTURE_INDEX,
    Order,
    Pool,
    Vector,
    Weights,
    track_bit,
)
from kakehashi.shared.reference import Track

MUST_HAVE_WEIGHT = 2.0
NICE_TO_HAVE_WEIGHT = 1.0
EXPERIENCE_SATURATION_YEARS = 3.0  # with no stated minimum, three years in the sector count fully
COMPONENTS = ("skills", "japanese", "experience", "preferences")

Matrix = npt.NDArray[np.float32]
Bits = npt.NDArray[np.uint8]


class Constraint(IntFlag):
    JAPANESE = 1
    MUST_HAVE_SKILLS = 2
    TRACK = 4
    AVAILABILITY = 8
    AGE = 16


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
    return Evaluation(pool, orders, today, weights)


class Evaluation:
    """Orders (rows) x candidates (columns): the score, and on first read its components and
    the constraint bits each pair fails (`failed`) or lacks data for (`missing`)."""

    def __init__(self, pool: Pool, orders: Sequence[Order], today: date, weights: Weights) -> None:
        self._pool, self._orders, self._today = pool, tuple(orders), today
        normalised = weights.normalised()
        weight = [normalised[name] for name in COMPONENTS] + [1.0]  # constraints: 1
        self.score: Matrix = _combine(pool, self._orders, weight, scoring=True)
        _block_late(pool, self._orders, today, self.score)  # -inf unless eligible

    @cached_property
    def skills(self) -> Matrix:
        return self._component(_SKILLS)

    @cached_property
    def japanese(self) -> Matrix:
        return self._component(_JAPANESE_FIT)

    @cached_property
    def experience(self) -> Matrix:
        return self._component(_EXPERIENCE)

    @cached_property
    def preferences(self) -> Matrix:
        return self._component(_PREFERENCES)

    def _component(self, label: int) -> Matrix:
        weight = [1.0 if i == label else 0.0 for i in range(_CONSTRAINT + 1)]
        return _combine(self._pool, self._orders, weight, scoring=False)

    @cached_property
    def _bits(self) -> tuple[Bits, Bits]:
        return _constraint_bits(self._pool, self._orders, self._today)

    @property
    def failed(self) -> Bits:
        return self._bits[0]

    @property
    def missing(self) -> Bits:
        return self._bits[1]

    @property
    def eligible(self) -> npt.NDArray[np.bool_]:
        return np.asarray((self.failed == 0) & (self.missing == 0), dtype=bool)

    @property
    def needs_data(self) -> npt.NDArray[np.bool_]:
        return np.asarray((self.failed == 0) & (self.missing != 0), dtype=bool)


# Per-candidate rows, keyed by (builder, *arguments), written in place into the pool's rows.
def _ones(pool: Pool, row: Vector) -> None:
    row.fill(1.0)


def _covers(pool: Pool, row: Vector, code: str, min_level: int) -> None:
    """Level-aware coverage of one requirement: the share of the required level, at most 1."""
    holders, levels = pool.holders(code)
    row.fill(0.0)
    row[holders] = np.minimum(levels / np.float32(min_level), np.float32(1.0))


def _short_of(pool: Pool, row: Vector, code: str, min_level: int) -> None:
    """Blocks candidates below the level a must-have asks for."""
    holders, levels = pool.holders(code)
    row.fill(-np.inf)
    row[holders[levels >= min_level]] = 0.0


def _japanese(pool: Pool, row: Vector, floor: int) -> None:
    np.take(_JAPANESE[floor], pool.japanese_rank, out=row)


def _experience(pool: Pool, row: Vector, target: float) -> None:
    """Years in the sector against the order's minimum (or three years); none recorded is 0."""
    np.divide(pool.experience_years, np.float32(target), out=row)
    np.nan_to_num(row, copy=False, nan=0.0)
    np.minimum(row, np.float32(1.0), out=row)


def _wants_track(pool: Pool, row: Vector, track: Track) -> None:
    """1 where the candidate wants this track or named none."""
    np.copyto(row, (pool.desired_tracks == 0) | ((pool.desired_tracks & track_bit(track)) != 0))


def _ineligible(pool: Pool, row: Vector, floor: int, track: Track | None) -> None:
    """Blocks candidates below the Japanese floor and, for a track, those not eligible for it
    or whose eligibility is unknown."""
    blocked = pool.japanese_rank < floor
    if track is not None:
        blocked |= ~pool.tracks_known | ((pool.eligible_tracks & track_bit(track)) == 0)
    row.fill(0.0)
    row[blocked] = -np.inf


def _wants_place(pool: Pool, row: Vector, prefecture: str) -> None:
    """1 where the work site is a prefecture the candidate wants, or they named none."""
    np.copyto(row, ~pool.has_prefecture_wish)
    row[pool.wishers(prefecture)] = 1.0


_SKILLS, _JAPANESE_FIT, _EXPERIENCE, _PREFERENCES, _CONSTRAINT = range(len(COMPONENTS) + 1)
RowKey = tuple[Any, ...]
Term = tuple[RowKey, float, int]  # (row key, coefficient within its component, label)


def _terms(order: Order, scoring: bool) -> list[Term]:
    """The rows an order's components sum, and for the score (`scoring`) its constraint rows.

    For the score a met must-have counts as fully covered: where it is not met the pair is
    blocked anyway, so its coverage row is not needed.
    """
    terms: list[Term] = []
    importance = [
        MUST_HAVE_WEIGHT if r.must_have else NICE_TO_HAVE_WEIGHT for r in order.requirements
    ]
    for requirement, weight in zip(order.requirements, importance, strict=True):
        key, share = (requirement.code, requirement.min_level), weight / sum(importance)
        if scoring and requirement.must_have:
            terms += [((_ones,), share, _SKILLS), ((_short_of, *key), 1.0, _CONSTRAINT)]
        else:
            terms.append(((_covers, *key), share, _SKILLS))
    if not order.requirements:
        terms.append(((_ones,), 1.0, _SKILLS))  # an order asking for no skill is fully covered
    terms.append(((_japanese, order.min_japanese_rank), 1.0, _JAPANESE_FIT))
    target = max(order.experience_years_min or EXPERIENCE_SATURATION_YEARS, 0.5)
    terms.append(((_experience, target), 1.0, _EXPERIENCE))
    # Preferences: the mean of the track fit and the place fit.
    track = (_ones,) if order.track is None else (_wants_track, order.track)
    place = (_wants_place, order.prefecture) if order.prefecture in PREFECTURE_INDEX else (_ones,)
    terms += [(track, 0.5, _PREFERENCES), (place, 0.5, _PREFERENCES)]
    if scoring and (order.min_japanese_rank > 0 or order.track is not None):
        terms.append(((_ineligible, order.min_japanese_rank, order.track), 1.0, _CONSTRAINT))
    return terms


def _combine(pool: Pool, orders: Sequence[Order], weight: Sequence[float], scoring: bool) -> Matrix:
    """Per order, the sum of its terms' rows times weight[label] x coefficient: one product.

    An order's terms on the same row are merged and zero weights dropped. Entries keep each
    order's own sequence, so a pair's sum does not depend on the other orders of the batch.
    """
    columns: dict[Hashable, int] = {}
    cols: list[int] = []
    data: list[float] = []
    indptr = [0]
    for order in orders:
        merged: dict[int, float] = {}
        for key, coefficient, label in _terms(order, scoring):
            if weight[label] == 0:
                continue
            column = columns.get(key)
            if column is None:
                column = columns[key] = pool.derived.index(key, partial(_build, pool, key))
            merged[column] = merged.get(column, 0.0) + weight[label] * coefficient
        cols += merged
        data += merged.values()
        indptr.append(len(cols))
    rows = pool.derived.matrix()  # after every row this batch needs was added
    combination = sparse.csr_matrix(
        (np.asarray(data, np.float32), np.asarray(cols, np.int32), np.asarray(indptr, np.int32)),
        shape=(len(orders), len(rows)),
    )
    product: Matrix = np.asarray(combination @ rows, dtype=np.float32)
    return product


def _build(pool: Pool, key: RowKey, row: Vector) -> None:
    builder: Callable[..., None] = key[0]
    builder(pool, row, *key[1:])


_ROWS_PER_BLOCK = 16


def _block_late(pool: Pool, orders: Sequence[Order], today: date, score: Matrix) -> None:
    """-inf where the candidate is not adult and available by the departure date (adult today,
    with no date set), or where a date needed is unknown."""
    if not orders:
        return
    dated = np.array([o.departure is not None for o in orders])
    reference = np.array([(o.departure or today).toordinal() for o in orders], dtype=np.float32)
    reference += np.float32(0.5)  # half a day off any candidate's day, so never equal to it
    # Dated orders check age and availability on the departure day; the others, age today.
    ready = (
        pool.ready_day if dated.all() else np.where(dated[:, None], pool.ready_day, pool.adult_day)
    )
    gap = np.empty((min(_ROWS_PER_BLOCK, len(orders)), len(pool)), dtype=np.float32)
    for start in range(0, len(orders), _ROWS_PER_BLOCK):  # blocks of rows stay in cache
        rows = slice(start, start + _ROWS_PER_BLOCK)
        block = gap[: len(reference[rows])]
        np.subtract(reference[rows, None], ready if ready.ndim == 1 else ready[rows], out=block)
        block *= np.float32(np.inf)  # in time: +inf, leaves the score; late or unknown: -inf
        np.minimum(score[rows], block, out=score[rows])


def _constraint_bits(pool: Pool, orders: Sequence[Order], today: date) -> tuple[Bits, Bits]:
    """Per pair, the Constraint bits it fails and those it lacks the data to check."""
    shape = (len(orders), len(pool))
    failed, missing = np.zeros(shape, dtype=np.uint8), np.zeros(shape, dtype=np.uint8)
    for floor, rows in _rows_by(
        [[o.min_japanese_rank] if o.min_japanese_rank else [] for o in orders]
    ).items():
        failed[rows] |= _flag(pool.japanese_rank < floor, Constraint.JAPANESE)
    musts = [[(r.code, r.min_level) for r in o.requirements if r.must_have] for o in orders]
    for (code, min_level), rows in _rows_by(musts).items():
        failed[rows] |= _flag(pool.levels(code) < min_level, Constraint.MUST_HAVE_SKILLS)
    for track, rows in _rows_by([[o.track] if o.track is not None else [] for o in orders]).items():
        not_eligible = pool.tracks_known & ((pool.eligible_tracks & track_bit(track)) == 0)
        failed[rows] |= _flag(not_eligible, Constraint.TRACK)
        missing[rows] |= _flag(~pool.tracks_known, Constraint.TRACK)
    departure = np.array(
        [np.nan if o.departure is None else o.departure.toordinal() for o in orders], dtype=float
    )[:, None]
    reference = np.where(np.isnan(departure), today.toordinal(), departure)
    failed |= _flag(pool.adult_from[None, :] > reference, Constraint.AGE)
    missing |= _flag(np.isnan(pool.adult_from), Constraint.AGE)[None, :]
    dated = np.flatnonzero(~np.isnan(departure[:, 0]))
    if dated.size:
        late = pool.available_from[None, :] > departure[dated]
        failed[dated] |= _flag(late, Constraint.AVAILABILITY)
        missing[dated] |= _flag(np.isnan(pool.available_from), Constraint.AVAILABILITY)
    return failed, missing


def _flag(condition: npt.NDArray[np.bool_], flag: Constraint) -> Bits:
    return condition.astype(np.uint8) * np.uint8(flag)


def _rows_by(keys: Sequence[list[Any]]) -> dict[Any, npt.NDArray[np.intp]]:
    """The positions of the orders holding each key (an order holds a list of them)."""
    groups: dict[Any, list[int]] = {}
    for position, held in enumerate(keys):
        for key in held:
            groups.setdefault(key, []).append(position)
    return {key: np.asarray(rows, dtype=np.intp) for key, rows in groups.items()}
