"""What a learned ranking may see of a pair beyond the four score components: the strength a
component hides (levels above each minimum, Japanese above the floor, years), the margin before
the departure, partial credit from related skills and how far training got.

Every feature is about the pair's fit to the order; none reads who the person is (sex, age, date
of birth, marital status, province): `learning.PROTECTED` lists those, and a test holds the two
apart. Like the score, every feature of a batch of orders is computed in array operations; loops
run over an order's requirements, never over pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import numpy.typing as npt

from kakehashi.matching.domain.model import Order, Pool, related_codes

Matrix = npt.NDArray[np.float32]

# In column order after the components (`learning.FEATURES`).
EXTRA_FEATURES: tuple[str, ...] = (
    "skill_surplus",  # mean levels above each requirement's minimum (0 for one below it)
    "japanese_surplus",  # the candidate's JLPT rank minus the order's floor
    "experience_years",  # years in the sector, capped at MAX_YEARS; none recorded is 0
    "availability_slack",  # months between availability and departure, 0 to MAX_SLACK_MONTHS
    "related_credit",  # share of the nice-to-haves met only by a related skill
    "training_progress",  # registered 0, in training 0.5, ready 1; unknown 0.5
)
MAX_YEARS = 10.0
MAX_SLACK_MONTHS = 12.0
DAYS_PER_MONTH = 30.4
# The candidate's training stage (the candidates service's pipeline) as progress in [0, 1].
TRAINING_PROGRESS = {"registered": 0.0, "in_training": 0.5, "ready": 1.0}
UNKNOWN_PROGRESS = 0.5


def training_progress(statuses: Sequence[str | None]) -> npt.NDArray[np.float32]:
    """Per candidate, how far training got; a stage matching does not know yet counts 0.5."""
    return np.array(
        [TRAINING_PROGRESS.get(s or "", UNKNOWN_PROGRESS) for s in statuses], dtype=np.float32
    )


def pair_features(
    pool: Pool,
    orders: Sequence[Order],
    today: date,
    progress: npt.NDArray[np.float32] | None = None,
) -> dict[str, Matrix]:
    """Orders x candidates, per name of EXTRA_FEATURES; `progress` per candidate (default
    unknown)."""
    shape = (len(orders), len(pool))
    features = {name: np.zeros(shape, dtype=np.float32) for name in EXTRA_FEATURES}
    years = np.minimum(np.nan_to_num(pool.experience_years, nan=0.0), MAX_YEARS)
    features["experience_years"][:] = years
    known = progress if progress is not None else np.full(len(pool), UNKNOWN_PROGRESS)
    features["training_progress"][:] = known
    for row, order in enumerate(orders):
        features["japanese_surplus"][row] = pool.japanese_rank - order.min_japanese_rank
        features["skill_surplus"][row] = _skill_surplus(pool, order)
        features["related_credit"][row] = _related_share(pool, order)
        if order.departure is not None:
            slack = (order.departure.toordinal() - pool.available_from) / DAYS_PER_MONTH
            slack = np.clip(np.nan_to_num(slack, nan=0.0), 0.0, MAX_SLACK_MONTHS)
            features["availability_slack"][row] = slack
    return features


def _skill_surplus(pool: Pool, order: Order) -> Matrix:
    total = np.zeros(len(pool), dtype=np.float32)
    for requirement in order.requirements:
        total += np.maximum(pool.levels(requirement.code) - requirement.min_level, 0)
    return (total / np.float32(max(len(order.requirements), 1))).astype(np.float32)


def _related_share(pool: Pool, order: Order) -> Matrix:
    nice = [r for r in order.requirements if not r.must_have]
    share = np.zeros(len(pool), dtype=np.float32)
    for requirement in nice:
        related = np.zeros(len(pool), dtype=bool)
        for code in related_codes(requirement.code):
            related |= pool.levels(code) > 0
        share += related & (pool.levels(requirement.code) == 0)
    return (share / np.float32(max(len(nice), 1))).astype(np.float32)
