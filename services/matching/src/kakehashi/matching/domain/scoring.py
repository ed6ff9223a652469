"""Scores of every candidate in a pool for one job order, in one vectorised pass.

Hard constraints are kept apart from the score: a candidate who fails one is not ranked.
The score in [0, 1] is a weighted sum of components, each returned so a reviewer can read why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from kakehashi.shared.reference import JapaneseLevel

MAX_JAPANESE_RANK = 5  # N1 on the shared ordinal scale
MUST_HAVE_WEIGHT = 2.0
NICE_TO_HAVE_WEIGHT = 1.0


@dataclass(frozen=True)
class Weights:
    skills: float = 0.75
    japanese: float = 0.25

    def normalised(self) -> tuple[float, float]:
        total = self.skills + self.japanese
        if total <= 0:
            raise ValueError("at least one score weight must be positive")
        return self.skills / total, self.japanese / total


@dataclass(frozen=True)
class Requirement:
    code: str
    min_level: int
    must_have: bool


@dataclass(frozen=True)
class Order:
    min_japanese_rank: int
    requirements: tuple[Requirement, ...]


@dataclass
class Pool:
    """Candidates of one sector: skill levels as a sparse candidates x skills matrix."""

    ids: list[str]
    japanese_rank: npt.NDArray[np.int8]
    skill_levels: sparse.csr_matrix
    vocabulary: dict[str, int]
    skill_levels_by_column: sparse.csc_matrix  # the same matrix, fast to slice by skill
    skill_levels_by_skill: sparse.csr_matrix  # its transpose (skills x candidates)

    @classmethod
    def build(
        cls, ids: list[str], japanese_ranks: Sequence[int], skills: Sequence[dict[str, int]]
    ) -> Pool:
        """From parallel lists: id, Japanese rank and {skill code: level} per candidate."""
        vocabulary: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        levels: list[int] = []
        for row, candidate_skills in enumerate(skills):
            for code, level in candidate_skills.items():
                rows.append(row)
                cols.append(vocabulary.setdefault(code, len(vocabulary)))
                levels.append(level)
        matrix = sparse.csr_matrix(
            (np.asarray(levels, dtype=np.float32), (rows, cols)),
            shape=(len(ids), max(len(vocabulary), 1)),
        )
        return cls(
            ids,
            np.asarray(japanese_ranks, dtype=np.int8),
            matrix,
            vocabulary,
            matrix.tocsc(),
            sparse.csr_matrix(matrix.T),
        )


@dataclass
class Scores:
    """Per candidate of the pool: whether they pass the hard constraints, score and components."""

    eligible: npt.NDArray[np.bool_]
    score: npt.NDArray[np.float64]
    skills: npt.NDArray[np.float64]
    japanese: npt.NDArray[np.float64]
    levels: npt.NDArray[np.float32]  # candidates x the order's requirements


def required_levels(pool: Pool, order: Order) -> npt.NDArray[np.float32]:
    """The candidates' levels in each skill the order requires (0 where they have none)."""
    levels = np.zeros((len(pool.ids), len(order.requirements)), dtype=np.float32)
    known = [
        (j, pool.vocabulary[r.code])
        for j, r in enumerate(order.requirements)
        if r.code in pool.vocabulary
    ]
    if known:
        targets, columns = zip(*known, strict=True)
        levels[:, list(targets)] = pool.skill_levels_by_column[:, list(columns)].toarray()
    return levels


def score(pool: Pool, order: Order, weights: Weights = Weights()) -> Scores:
    """Score every candidate of `pool` for `order` with matrix operations only."""
    w_skills, w_japanese = weights.normalised()
    levels = required_levels(pool, order)
    minimum = np.array([r.min_level for r in order.requirements], dtype=np.float32)
    must = np.array([r.must_have for r in order.requirements], dtype=bool)
    if order.requirements:
        importance = np.where(must, MUST_HAVE_WEIGHT, NICE_TO_HAVE_WEIGHT)
        # Level-aware coverage: half a skill at half the required level, full at or above it.
        coverage = np.minimum(levels / minimum, 1.0)
        skills = (coverage @ importance) / importance.sum()
        musts_met = np.all((levels >= minimum) | ~must, axis=1)
    else:
        skills = np.ones(len(pool.ids))
        musts_met = np.ones(len(pool.ids), dtype=bool)
    rank = pool.japanese_rank.astype(np.int16)
    japanese_met = rank >= order.min_japanese_rank
    headroom = MAX_JAPANESE_RANK - order.min_japanese_rank + 1
    japanese = np.clip((rank - order.min_japanese_rank + 1) / headroom, 0.0, 1.0)
    total = w_skills * skills + w_japanese * japanese
    return Scores(
        eligible=musts_met & japanese_met,
        score=total.astype(np.float64),
        skills=skills.astype(np.float64),
        japanese=japanese.astype(np.float64),
        levels=levels,
    )


def score_matrix(
    pool: Pool, orders: Sequence[Order], weights: Weights = Weights()
) -> npt.NDArray[np.float32]:
    """Scores of every order (rows) for every candidate of the pool (columns), vectorised.

    Pairs that fail a hard constraint hold -inf. Agrees with `score` pair by pair; this is the
    form used to refresh many orders at once or to place a new order against the whole pool.
    """
    w_skills, w_japanese = weights.normalised()
    n = len(pool.ids)
    counts = np.array([len(o.requirements) for o in orders], dtype=np.intp)
    requirements = [r for order in orders for r in order.requirements]
    minimum = np.array([r.min_level for r in requirements], dtype=np.float32)[:, None]
    must = np.array([r.must_have for r in requirements], dtype=bool)[:, None]
    # The candidates' levels in each requirement: requirements x candidates, skill-major.
    levels = np.zeros((len(requirements), n), dtype=np.float32)
    known = [
        (j, pool.vocabulary[r.code])
        for j, r in enumerate(requirements)
        if r.code in pool.vocabulary
    ]
    if known:
        targets, rows = zip(*known, strict=True)
        levels[list(targets)] = pool.skill_levels_by_skill[list(rows)].toarray()
    importance = np.where(must, MUST_HAVE_WEIGHT, NICE_TO_HAVE_WEIGHT).astype(np.float32)
    owner = np.repeat(np.arange(len(orders)), counts)
    share = (
        importance[:, 0]
        / np.bincount(owner, weights=importance[:, 0], minlength=len(orders))[owner]
    )
    coverage = np.minimum(levels / minimum, 1.0)
    coverage *= share[:, None].astype(np.float32)
    missed = (levels < minimum) & must
    skills = np.zeros((len(orders), n), dtype=np.float32)
    skills[counts == 0] = 1.0  # an order asking for no skill is fully covered
    failed = np.zeros((len(orders), n), dtype=bool)
    starts = np.cumsum(counts) - counts  # each order's first requirement row
    # Add the orders' first requirements, then their second ones, ...: a loop over requirement
    # positions (a handful), each step a whole-matrix operation.
    for position in range(int(counts.max(initial=0))):
        having = np.flatnonzero(counts > position)
        skills[having] += coverage[starts[having] + position]
        failed[having] |= missed[starts[having] + position]
    min_rank = np.array([o.min_japanese_rank for o in orders], dtype=np.intp)[:, None]
    total: npt.NDArray[np.float32] = skills
    total *= w_skills
    # The Japanese component depends only on (order floor, candidate level): one row per floor.
    japanese = (w_japanese * _JAPANESE[:, pool.japanese_rank]).astype(np.float32)
    for floor in np.unique(min_rank).tolist():
        same_floor = np.flatnonzero(min_rank[:, 0] == floor)
        total[same_floor] += japanese[floor]
        failed[same_floor] |= pool.japanese_rank < floor
    total[failed] = -np.inf
    return total


# Japanese component by (order minimum, candidate level): 1/(headroom) per level above the floor.
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


def top_k(scores: Scores, k: int) -> npt.NDArray[np.intp]:
    """Indices of the k best eligible candidates, best first (ties broken by pool order)."""
    row = np.where(scores.eligible, scores.score, -np.inf)[None, :]
    best, _values = top_k_per_order(row, k)
    found: npt.NDArray[np.intp] = best[0, best[0] >= 0]
    return found


def explain(order: Order, levels: npt.NDArray[np.float32], japanese_rank: int) -> list[str]:
    """Why one candidate scored as they did, in the words a reviewer reads."""
    reasons = []
    for requirement, level in zip(order.requirements, levels.tolist(), strict=True):
        kind = "must-have" if requirement.must_have else "nice-to-have"
        if level <= 0:
            reasons.append(f"missing: {requirement.code} (level {requirement.min_level}, {kind})")
        elif level < requirement.min_level:
            reasons.append(
                f"{requirement.code} level {int(level)} below the {requirement.min_level} required"
            )
        else:
            reasons.append(
                f"has {requirement.code} level {int(level)} (needs {requirement.min_level})"
            )
    have, need = _level_name(japanese_rank), _level_name(order.min_japanese_rank)
    if order.min_japanese_rank == 0:
        reasons.append(f"Japanese {have} (no level required)")
    elif japanese_rank < order.min_japanese_rank:
        reasons.append(f"Japanese {have} below the {need} required")
    elif japanese_rank > order.min_japanese_rank:
        reasons.append(f"Japanese {have} above the {need} required")
    else:
        reasons.append(f"Japanese {have} meets the {need} required")
    return reasons


def _level_name(rank: int) -> str:
    level = list(JapaneseLevel)[rank]
    return "no certified level" if level is JapaneseLevel.NONE else level.value
