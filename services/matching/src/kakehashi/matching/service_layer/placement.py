"""Where the match list showed a pair when a program manager decided on it, for the decision to
record (`exploration.Placement`): the fit weights each decided pair by one over that propensity.

The list is recomputed as `queries.ranked_candidates` serves it by default — the weighted score,
no filters, today's exploration draw (seeded by the order and the day, `exploration.seed_of`) —
so the recorded placement is the one the program manager saw unless they had switched to the
learned ranking or filtered the list (docs/matching.md states that limit).
"""

from __future__ import annotations

import bisect

import numpy as np

from kakehashi.matching.adapters.mapping import order_of
from kakehashi.matching.adapters.tables import JobOrderView
from kakehashi.matching.domain.components import Weights
from kakehashi.matching.domain.exploration import REVIEW_WINDOW, Placement, placement, seed_of
from kakehashi.matching.domain.rules import MATCHABLE_ORDER_STATUSES
from kakehashi.matching.domain.scoring import Surplus, evaluate
from kakehashi.matching.domain.top_k import top_k_per_order
from kakehashi.matching.service_layer.candidate_index import CandidateIndex
from kakehashi.shared.clock import today
from kakehashi.shared.unit_of_work import UnitOfWork


class ListPlacements:
    """The placement of pairs in their orders' default lists, one list computed per order and
    kept for the life of this object (one request: a bulk decision reads each list once)."""

    def __init__(
        self, index: CandidateIndex, weights: Weights, surplus: Surplus, explore_every: int
    ) -> None:
        self._index = index
        self._weights = weights
        self._surplus = surplus
        self._every = explore_every
        self._lists: dict[str, tuple[list[int], np.ndarray, list[str]] | None] = {}

    def of(self, uow: UnitOfWork, job_order_id: str, candidate_id: str) -> Placement | None:
        """How the order's list shows the candidate today; None when the order is not listed
        or the candidate is not in it (not matchable, or failing a hard constraint)."""
        listed = self._list(uow, job_order_id)
        if listed is None:
            return None
        ranked, eligible, ids = listed
        position = bisect.bisect_left(ids, candidate_id)
        if position == len(ids) or ids[position] != candidate_id:
            return None
        if not np.isin(position, eligible):
            return None
        rng = np.random.default_rng(seed_of(job_order_id, today()))
        return placement(ranked, eligible, self._every, REVIEW_WINDOW, rng, position)

    def _list(
        self, uow: UnitOfWork, job_order_id: str
    ) -> tuple[list[int], np.ndarray, list[str]] | None:
        if job_order_id not in self._lists:
            self._lists[job_order_id] = self._compute(uow, job_order_id)
        return self._lists[job_order_id]

    def _compute(
        self, uow: UnitOfWork, job_order_id: str
    ) -> tuple[list[int], np.ndarray, list[str]] | None:
        with uow:
            view = uow.session.get(JobOrderView, job_order_id)
        if view is None or view.status not in MATCHABLE_ORDER_STATUSES:
            return None
        with self._index.scoring_turn():
            sector = self._index.sector(uow, view.sector)
            pool = sector.pool
            evaluation = evaluate(pool, [order_of(view)], today(), self._weights, self._surplus)
            scores = evaluation.score
            best, _ = top_k_per_order(scores, REVIEW_WINDOW, pool.tie_order)
        ranked = [i for i in best[0].tolist() if i >= 0]
        eligible = np.flatnonzero(np.isfinite(scores[0]))
        # The index keeps a sector's rows sorted by candidate id: a position is found by bisect.
        return ranked, eligible, [row.candidate_id for row in sector.rows]
