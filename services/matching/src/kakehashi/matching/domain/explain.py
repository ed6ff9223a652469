"""Why a pair scored as it did, or why it is not ranked, in the words a reviewer reads."""

from __future__ import annotations

import numpy as np

from kakehashi.matching.domain.constraints import HARD_CONSTRAINTS, Outcome
from kakehashi.matching.domain.model import Order, Pool
from kakehashi.matching.domain.reasons import CountedReason, Reason, prefecture
from kakehashi.matching.domain.scoring import Evaluation

# Each constraint with its flag as a plain int: `int & Flag` goes through the enum's machinery.
_FLAGS = tuple((constraint, int(constraint.flag)) for constraint in HARD_CONSTRAINTS)


def explain(
    pool: Pool, candidate: int, order: Order, evaluation: Evaluation, row: int = 0
) -> list[Reason]:
    """Reasons for one (order row, candidate) pair: each hard constraint's, then experience and
    the place of work."""
    failed = int(evaluation.failed[row, candidate])
    missing = int(evaluation.missing[row, candidate])
    reasons: list[Reason] = []
    for constraint, flag in _FLAGS:
        outcome = Outcome(bool(failed & flag), bool(missing & flag))
        reasons += constraint.explain(pool, candidate, order, outcome)
    reasons.append(_experience_reason(pool, candidate, order))
    if order.prefecture and pool.has_prefecture_wish[candidate]:
        wanted = pool.wants(candidate, order.prefecture)
        place = prefecture(order.prefecture)
        reasons.append(
            Reason("wants to work in {prefecture}", prefecture=place)
            if wanted
            else Reason("prefers other prefectures than {prefecture}", prefecture=place)
        )
    return reasons


def _experience_reason(pool: Pool, candidate: int, order: Order) -> Reason:
    years = float(pool.experience_years[candidate])
    if np.isnan(years):
        return Reason("no work history recorded")
    if order.experience_years_min:
        return CountedReason(
            "{years} year in the sector ({asked} asked)",
            "{years} years in the sector ({asked} asked)",
            years,
            years=f"{years:g}",
            asked=f"{order.experience_years_min:g}",
        )
    return CountedReason(
        "{years} year in the sector", "{years} years in the sector", years, years=f"{years:g}"
    )
