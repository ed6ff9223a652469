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
from functools import cached_property, partial
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from kakehashi.matching.domain.blocking import Bits, block_by_date, blocked_row, constraint_bits
from kakehashi.matching.domain.components import COMPONENT_NAMES, Weights
from kakehashi.matching.domain.constraints import ROW_CONSTRAINTS
from kakehashi.matching.domain.model import PREFECTURE_INDEX, Order, Pool, Vector, track_bit
from kakehashi.shared.reference import JapaneseLevel, Track

MUST_HAVE_WEIGHT = 2.0
NICE_TO_HAVE_WEIGHT = 1.0
EXPERIENCE_SATURATION_YEARS = 3.0  # with no stated minimum, three years in the sector count fully
LEVELS = len(JapaneseLevel)  # ranks 0 (none) to LEVELS - 1 (N1)

Matrix = npt.NDArray[np.float32]

# Japanese component by (order floor, candidate level): a step per level above the floor.
_JAPANESE = np.array(
    [
        [min(max((have - need + 1) / (LEVELS - need), 0.0), 1.0) for have in range(LEVELS)]
        for need in range(LEVELS)
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
        weight = [normalised[name] for name in COMPONENT_NAMES] + [1.0]  # constraints: 1
        self.score: Matrix = _combine(pool, self._orders, today, weight, scoring=True)
        block_by_date(pool, self._orders, today, self.score)  # -inf unless eligible
        self._components: dict[str, Matrix] = {}

    def component(self, name: str) -> Matrix:
        """One score component (a name of COMPONENTS) of every pair, computed on first read."""
        found = self._components.get(name)
        if found is None:
            label = _LABEL[name]
            weight = [1.0 if i == label else 0.0 for i in range(_CONSTRAINT + 1)]
            found = _combine(self._pool, self._orders, self._today, weight, scoring=False)
            self._components[name] = found
        return found

    def components(self, row: int, column: int) -> dict[str, float]:
        """One pair's components by name, rounded as the API shows them."""
        return {name: round(float(self.component(name)[row, column]), 4) for name in _LABEL}

    def __getattr__(self, name: str) -> Matrix:
        # evaluation.skills, evaluation.japanese, ...: the components by name.
        if name.startswith("_") or name not in _LABEL:
            raise AttributeError(name)
        return self.component(name)

    @cached_property
    def _bits(self) -> tuple[Bits, Bits]:
        return constraint_bits(self._pool, self._orders, self._today)

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


def _wants_place(pool: Pool, row: Vector, prefecture: str) -> None:
    """1 where the work site is a prefecture the candidate wants, or they named none."""
    np.copyto(row, ~pool.has_prefecture_wish)
    row[pool.wishers(prefecture)] = 1.0


# A term's label: the position of its component in COMPONENTS, or _CONSTRAINT.
_LABEL = {name: i for i, name in enumerate(COMPONENT_NAMES)}
_CONSTRAINT = len(_LABEL)
_SKILLS, _JAPANESE_FIT = _LABEL["skills"], _LABEL["japanese"]
_EXPERIENCE, _PREFERENCES = _LABEL["experience"], _LABEL["preferences"]
RowKey = tuple[Any, ...]
Term = tuple[RowKey, float, int]  # (row key, coefficient within its component, label)


def _terms(order: Order, today: date, scoring: bool) -> list[Term]:
    """The rows an order's components sum, and for the score (`scoring`) its constraint rows
    (the dated constraints are applied after, by `block_by_date`).

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
            terms.append(((_ones,), share, _SKILLS))
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
    if scoring:
        terms += [
            ((blocked_row, c.flag, key), 1.0, _CONSTRAINT)
            for c in ROW_CONSTRAINTS
            for key in c.keys(order, today)
        ]
    return terms


def _combine(
    pool: Pool, orders: Sequence[Order], today: date, weight: Sequence[float], scoring: bool
) -> Matrix:
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
        for key, coefficient, label in _terms(order, today, scoring):
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
