"""Scores of every candidate of a pool for many job orders at once, in matrix operations.

Hard constraints are kept apart from the score: a pair that fails one is not ranked, and a pair
whose data is missing for one is "needs data", never given a neutral default. The score in [0, 1]
is a weighted sum of components, each kept so a reviewer can read why.

Every component of an order is a short weighted sum of per-candidate rows (coverage of one skill
at one level, the Japanese fit for one floor, ...), which the pool computes once and keeps. A
constraint is a row of 0 where it is met and -inf where it fails or its data is missing. So a batch
of orders is scored by one sparse (orders x rows) times dense (rows x candidates) product, in which
a blocked pair comes out -inf without any mask. A nice-to-have's row also gives partial credit to
the skills of its family (`_covers_related`), so that too is computed once per pool. The
components and the constraint bits, read only for the pairs a reviewer looks at, are computed
when first read.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property, partial
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from kakehashi.matching.domain.blocking import (
    Bits,
    DatedBlocks,
    blocked_row,
    constraint_bits,
    row_key,
)
from kakehashi.matching.domain.components import COMPONENT_NAMES, Weights
from kakehashi.matching.domain.constraints import ROW_CONSTRAINTS
from kakehashi.matching.domain.model import (
    PREFECTURE_INDEX,
    Order,
    Pool,
    Vector,
    related_codes,
    track_bit,
)
from kakehashi.shared.reference import JapaneseLevel, Track

MUST_HAVE_WEIGHT = 2.0
NICE_TO_HAVE_WEIGHT = 1.0
EXPERIENCE_SATURATION_YEARS = 3.0  # with no stated minimum, three years in the sector is the bar


@dataclass(frozen=True)
class Surplus:
    """How much strength above what an order asks still counts, with diminishing returns
    (docs/matching.md gives the reasoning).

    A requirement met exactly earns `1 - skill_share` of its coverage; each level above the
    minimum earns half of what remains of `skill_share` (with `skill_half_levels` = 1): welding
    5 on an order asking 3 covers 0.8 + 0.2 x 0.75 = 0.95, welding 4 covers 0.9. Experience
    likewise: the bar (the order's minimum, else three years) earns `1 - experience_share`,
    and every `experience_half_years` beyond it halves what remains. Japanese above the floor
    already counts a step per level (`_JAPANESE`).
    """

    skill_share: float = 0.2
    skill_half_levels: float = 1.0
    experience_share: float = 0.2
    experience_half_years: float = 2.0
    # A nice-to-have the candidate lacks, but for which they hold a skill of the same family
    # (welding for hull welding), covers this share of what the related skill would cover if it
    # were the one asked. Never a must-have: that constraint stays exact.
    related_credit: float = 0.5


def surplus_credit(excess: npt.NDArray[np.float32], half: float) -> npt.NDArray[np.float32]:
    """In [0, 1): 0 at no excess, half at `half` above, saturating towards 1."""
    credit: npt.NDArray[np.float32] = 1 - np.exp2(-np.maximum(excess, 0) / np.float32(half))
    return credit.astype(np.float32)


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
    pool: Pool,
    orders: Sequence[Order],
    today: date,
    weights: Weights = Weights(),
    surplus: Surplus = Surplus(),
) -> Evaluation:
    """Evaluate every (order, candidate) pair; loops run over orders' attributes, never pairs."""
    return Evaluation(pool, orders, today, weights, surplus)


class Evaluation:
    """Orders (rows) x candidates (columns): the score, and on first read its components and
    the constraint bits each pair fails (`failed`) or lacks data for (`missing`)."""

    def __init__(
        self,
        pool: Pool,
        orders: Sequence[Order],
        today: date,
        weights: Weights,
        surplus: Surplus = Surplus(),
    ) -> None:
        self._pool, self._orders, self._today = pool, tuple(orders), today
        self._surplus = surplus
        normalised = weights.normalised()
        weight = [normalised[name] for name in COMPONENT_NAMES] + [1.0]  # constraints: 1
        dated = DatedBlocks(pool, self._orders, today)  # -inf unless eligible by the days
        self.score: Matrix = _combine(
            pool, self._orders, today, weight, surplus, scoring=True, dated=dated
        )
        self._components: dict[str, Matrix] = {}

    def component(self, name: str) -> Matrix:
        """One score component (a name of COMPONENTS) of every pair, computed on first read."""
        found = self._components.get(name)
        if found is None:
            found = self._components[name] = self._sums(name, self._orders)
        return found

    def components(self, row: int, column: int) -> dict[str, float]:
        """One pair's components by name, rounded as the API shows them."""
        return {name: round(float(self.component(name)[row, column]), 4) for name in _LABEL}

    def components_along(self, row: int, columns: Sequence[int]) -> list[dict[str, float]]:
        """`components(row, column)` of each of `columns` (a list's page), computed for those
        pairs only unless already computed for all: the same sums, in the same sequence."""
        values = {}
        for name in _LABEL:
            found = self._components.get(name)
            values[name] = (
                found[row, columns]
                if found is not None
                else self._sums(name, self._orders[row : row + 1], columns)[0]
            ).tolist()
        return [{name: round(values[name][k], 4) for name in _LABEL} for k in range(len(columns))]

    def _sums(
        self, name: str, orders: Sequence[Order], candidates: Sequence[int] | None = None
    ) -> Matrix:
        """One component of `orders` x the pool (or its `candidates`), computed afresh."""
        label = _LABEL[name]
        weight = [1.0 if i == label else 0.0 for i in range(_CONSTRAINT + 1)]
        return _combine(
            self._pool,
            orders,
            self._today,
            weight,
            self._surplus,
            scoring=False,
            candidates=candidates,
        )

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


def _covers(pool: Pool, row: Vector, code: str, min_level: int, share: float, half: float) -> None:
    """Level-aware coverage of one requirement: `1 - share` times the share of the required
    level (at most 1), plus `share` times the surplus credit of the levels above it."""
    holders, levels = pool.holders(code)
    row.fill(0.0)
    row[holders] = _coverage(levels, min_level, share, half)


def _coverage(levels: Vector, min_level: int, share: float, half: float) -> Vector:
    met = np.minimum(levels / np.float32(min_level), np.float32(1.0))
    above = surplus_credit(levels - np.float32(min_level), half)
    covered: Vector = np.float32(1 - share) * met + np.float32(share) * above
    return covered


def _covers_related(
    pool: Pool, row: Vector, code: str, min_level: int, share: float, half: float, credit: float
) -> None:
    """A nice-to-have's coverage, or if higher `credit` times the best coverage a related skill
    of the same family would give were it the one asked (partial credit for a close trade)."""
    _covers(pool, row, code, min_level, share, half)
    for other in related_codes(code):
        holders, levels = pool.holders(other)
        if len(holders):
            partial_cover = np.float32(credit) * _coverage(levels, min_level, share, half)
            row[holders] = np.maximum(row[holders], partial_cover)


def _japanese(pool: Pool, row: Vector, floor: int) -> None:
    np.take(_JAPANESE[floor], pool.japanese_rank, out=row)


def _experience(pool: Pool, row: Vector, target: float, share: float, half: float) -> None:
    """Years in the sector against the order's minimum (or three years), `1 - share` of it,
    plus `share` times the surplus credit of the years beyond; none recorded is 0."""
    years = np.nan_to_num(pool.experience_years, nan=0.0)
    met = np.minimum(years / np.float32(target), np.float32(1.0))
    above = surplus_credit(years - np.float32(target), half)
    np.copyto(row, np.float32(1 - share) * met + np.float32(share) * above)


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


def _terms(order: Order, today: date, surplus: Surplus, scoring: bool) -> list[Term]:
    """The rows an order's components sum, and for the score (`scoring`) its constraint rows
    (the dated constraints are applied after, by `blocking.DatedBlocks`)."""
    terms: list[Term] = []
    importance = [
        MUST_HAVE_WEIGHT if r.must_have else NICE_TO_HAVE_WEIGHT for r in order.requirements
    ]
    skill_surplus = (surplus.skill_share, surplus.skill_half_levels)
    for requirement, weight in zip(order.requirements, importance, strict=True):
        key: RowKey = (_covers, requirement.code, requirement.min_level, *skill_surplus)
        related = surplus.related_credit > 0 and related_codes(requirement.code)
        if related and not requirement.must_have:  # else the exact row, shared with must-haves
            key = (_covers_related, *key[1:], surplus.related_credit)
        terms.append((key, weight / sum(importance), _SKILLS))
    if not order.requirements:
        terms.append(((_ones,), 1.0, _SKILLS))  # an order asking for no skill is fully covered
    terms.append(((_japanese, order.min_japanese_rank), 1.0, _JAPANESE_FIT))
    target = max(order.experience_years_min or EXPERIENCE_SATURATION_YEARS, 0.5)
    experience = (_experience, target, surplus.experience_share, surplus.experience_half_years)
    terms.append((experience, 1.0, _EXPERIENCE))
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
    pool: Pool,
    orders: Sequence[Order],
    today: date,
    weight: Sequence[float],
    surplus: Surplus,
    scoring: bool,
    dated: DatedBlocks | None = None,
    candidates: Sequence[int] | None = None,
) -> Matrix:
    """Per order, the sum of its terms' rows times weight[label] x coefficient: one product
    (then, for the score, `dated` blocks each tile of it); of the pool's `candidates` only,
    if given (their positions).

    An order's terms on the same row are merged and zero weights dropped. Entries keep each
    order's own sequence, so a pair's sum does not depend on the other orders of the batch.
    """
    columns: dict[Hashable, int] = {}
    cols: list[int] = []
    data: list[float] = []
    indptr = [0]
    for order in orders:
        merged: dict[int, float] = {}
        for key, coefficient, label in _terms(order, today, surplus, scoring):
            if weight[label] == 0:
                continue
            shared = _shared_key(pool, key)
            column = columns.get(shared)
            if column is None:
                column = columns[shared] = pool.derived.index(shared, partial(_build, pool, key))
            merged[column] = merged.get(column, 0.0) + weight[label] * coefficient
        cols += merged
        data += merged.values()
        indptr.append(len(cols))
    rows = pool.derived.matrix()  # after every row this batch needs was added
    if candidates is not None:
        rows = rows[:, candidates]
    combination = sparse.csr_matrix(
        (np.asarray(data, np.float32), np.asarray(cols, np.int32), np.asarray(indptr, np.int32)),
        shape=(len(orders), len(rows)),
    )
    return _product(combination, rows, dated)


# Candidates per tile of the product: the rows' tile (a few dozen rows of it) and the result's
# stay in cache while every order of the batch reads them.
_TILE = 8192


def _product(
    combination: sparse.csr_matrix, rows: Matrix, dated: DatedBlocks | None = None
) -> Matrix:
    """`combination @ rows`, a tile of candidates at a time, each blocked by `dated` then.

    Each entry of an order adds a whole row of the pool: over a million candidates the rows do
    not stay in cache between the orders of a batch, and streaming every row once per order was
    most of a refresh. By tiles, each tile of a row is read from memory once per batch. Each
    entry of the result is the same sum in the same sequence, so the scores are the same.
    """
    m, n = combination.shape[0], rows.shape[1]
    if m == 1 or n <= _TILE:
        whole: Matrix = np.asarray(combination @ rows, dtype=np.float32)
        if dated is not None:
            dated.apply(whole, slice(0, n))
        return whole
    used = np.unique(combination.indices)  # only the rows some order of the batch reads
    narrowed = sparse.csr_matrix(
        (combination.data, np.searchsorted(used, combination.indices), combination.indptr),
        shape=(m, len(used)),
    )
    product = np.empty((m, n), dtype=np.float32)
    for start in range(0, n, _TILE):
        tile = slice(start, min(start + _TILE, n))
        product[:, tile] = narrowed @ rows[used, tile]
        if dated is not None:
            dated.apply(product[:, tile], tile)
    return product


def _shared_key(pool: Pool, key: RowKey) -> RowKey:
    """The key a row is kept under: a blocking row's (`blocking.row_key`) is shared by every
    key that gives the same row; the others are their own."""
    if key[0] is blocked_row:
        return (blocked_row, *row_key(pool, key[1], key[2]))
    return key


def _build(pool: Pool, key: RowKey, row: Vector) -> None:
    builder: Callable[..., None] = key[0]
    builder(pool, row, *key[1:])
