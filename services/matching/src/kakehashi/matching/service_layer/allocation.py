"""Allocation proposals for program managers: candidates into open orders' headcount slots.

Orders of a sector are evaluated together against the sector's pool; each order's top-K eligible
candidates form the graph; the exact solver and the greedy baseline both run on it. A proposal is
a suggestion: nothing here records a decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sqlalchemy import func
from sqlmodel import col, select

from kakehashi.matching.adapters.mapping import order_of
from kakehashi.matching.adapters.tables import JobOrderView
from kakehashi.matching.domain.allocation import Allocation, allocate_exact, allocate_greedy
from kakehashi.matching.domain.components import Weights
from kakehashi.matching.domain.rules import MATCHABLE_ORDER_STATUSES
from kakehashi.matching.domain.scoring import Surplus, evaluate
from kakehashi.matching.domain.top_k import top_k_per_order
from kakehashi.matching.service_layer.candidate_index import CandidateIndex
from kakehashi.shared.clock import today
from kakehashi.shared.unit_of_work import UnitOfWork

GRAPH_K = 50  # candidates per order considered by the solver


@dataclass(frozen=True)
class Placement:
    job_order_id: str
    title: str  # the order's, as people name it
    candidate_id: str
    full_name: str
    name_vi: str | None  # the name as Vietnamese and Japanese readers know it
    name_katakana: str | None
    score: float


@dataclass
class Proposal:
    orders: int = 0
    slots: int = 0
    placements: list[Placement] = field(default_factory=list)
    total_score: float = 0.0
    greedy_total_score: float = 0.0
    greedy_placed: int = 0

    @property
    def fill_rate(self) -> float:
        return len(self.placements) / self.slots if self.slots else 0.0

    @property
    def greedy_fill_rate(self) -> float:
        return self.greedy_placed / self.slots if self.slots else 0.0

    @property
    def gain_over_greedy(self) -> float:
        """Relative gain of the exact total over the greedy total (0 when greedy places none)."""
        if self.greedy_total_score <= 0:
            return 0.0
        return self.total_score / self.greedy_total_score - 1


@dataclass(frozen=True)
class OpenSector:
    sector: str
    orders: int
    slots: int  # headcount over its open orders


def open_sectors(uow: UnitOfWork) -> list[OpenSector]:
    """The sectors with open orders, the only ones an allocation can place anyone in."""
    with uow:
        rows = uow.session.exec(
            select(JobOrderView.sector, func.count(), func.sum(JobOrderView.headcount))
            .where(col(JobOrderView.status).in_(MATCHABLE_ORDER_STATUSES))
            .group_by(col(JobOrderView.sector))
            .order_by(col(JobOrderView.sector))
        ).all()
    return [OpenSector(sector, int(n), int(slots or 0)) for sector, n, slots in rows]


def propose(
    uow: UnitOfWork,
    index: CandidateIndex,
    weights: Weights,
    sector: str | None = None,
    surplus: Surplus = Surplus(),
) -> Proposal:
    """The best placement of candidates into open orders (one sector, or every sector)."""
    with uow:
        query = select(JobOrderView).where(col(JobOrderView.status).in_(MATCHABLE_ORDER_STATUSES))
        if sector is not None:
            query = query.where(JobOrderView.sector == sector)
        orders = list(uow.session.exec(query.order_by(col(JobOrderView.job_order_id))).all())
    proposal = Proposal(orders=len(orders), slots=sum(o.headcount for o in orders))
    by_sector: dict[str, list[JobOrderView]] = {}
    for order in orders:
        by_sector.setdefault(order.sector, []).append(order)
    day = today()
    # Candidates belong to one sector, so sectors are independent problems.
    for name, sector_orders in sorted(by_sector.items()):
        pool = index.sector(uow, name)
        if not pool.rows:
            continue
        specs = [order_of(o) for o in sector_orders]
        scores = evaluate(pool.pool, specs, day, weights, surplus).score
        best, values = top_k_per_order(scores, GRAPH_K)
        found = best >= 0
        rows = np.broadcast_to(np.arange(len(sector_orders))[:, None], best.shape)[found]
        graph = sparse.csr_matrix(
            (values[found].astype(np.float64), (rows, best[found])),
            shape=(len(sector_orders), len(pool.rows)),
        )
        headcount = np.array([o.headcount for o in sector_orders])
        exact: Allocation = allocate_exact(graph, headcount)
        greedy = allocate_greedy(graph, headcount)
        proposal.total_score += exact.total_score
        proposal.greedy_total_score += greedy.total_score
        proposal.greedy_placed += len(greedy.order_index)
        proposal.placements += [
            Placement(
                job_order_id=sector_orders[o].job_order_id,
                title=sector_orders[o].title,
                candidate_id=pool.rows[c].candidate_id,
                full_name=pool.rows[c].full_name,
                name_vi=pool.rows[c].name_vi,
                name_katakana=pool.rows[c].name_katakana,
                score=round(float(v), 4),
            )
            for o, c, v in zip(
                exact.order_index.tolist(),
                exact.candidate_index.tolist(),
                exact.score.tolist(),
                strict=True,
            )
        ]
    return proposal
