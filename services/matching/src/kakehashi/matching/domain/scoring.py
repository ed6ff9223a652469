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
        return cls(ids, np.asarray(japanese_ranks, dtype=np.int8), matrix, vocabulary)


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
        levels[:, list(targets)] = pool.skill_levels[:, list(columns)].toarray()
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


def top_k(scores: Scores, k: int) -> npt.NDArray[np.intp]:
    """Indices of the k best eligible candidates, best first (ties broken by pool order)."""
    candidates = np.flatnonzero(scores.eligible)
    if candidates.size == 0 or k <= 0:
        return candidates[:0]
    values = scores.score[candidates]
    if candidates.size > k:
        keep = np.argpartition(-values, k - 1)[:k]
        candidates, values = candidates[keep], values[keep]
    order = np.lexsort((candidates, -values))
    return candidates[order]


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
