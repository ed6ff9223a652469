"""Allocation proposals for program managers: candidates into open orders' headcount slots.

Orders of a sector are evaluated against the sector's pool a batch at a time, batches in
threads (`shortlists`); each order's top-K eligible candidates form the graph; the exact solver
and the greedy baseline both run on it. A proposal is a suggestion: nothing here records a
decision. The console computes one in a thread (`AllocationRuns`) whose progress its page
polls, since a large sector takes seconds.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sqlalchemy import func
from sqlmodel import col, select

from kakehashi.matching.adapters.mapping import order_of
from kakehashi.matching.adapters.tables import JobOrderView, MatchPair
from kakehashi.matching.domain.allocation import Allocation, allocate_exact, allocate_greedy
from kakehashi.matching.domain.components import Weights
from kakehashi.matching.domain.decisions import PairStatus
from kakehashi.matching.domain.rules import MATCHABLE_ORDER_STATUSES
from kakehashi.matching.domain.scoring import Surplus
from kakehashi.matching.service_layer.candidate_index import CandidateIndex, SectorPool
from kakehashi.matching.service_layer.shortlists import shortlists
from kakehashi.shared.clock import today
from kakehashi.shared.unit_of_work import UnitOfWork

GRAPH_K = 50  # candidates per order considered by the solver
logger = logging.getLogger(__name__)


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
    progress: AllocationRun | None = None,
) -> Proposal:
    """The best placement of candidates into open orders (one sector, or every sector);
    `progress`, when given, follows the work as it goes."""
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
    if progress is not None:
        progress.orders_total = len(orders)
    # Candidates belong to one sector, so sectors are independent problems.
    for name, sector_orders in sorted(by_sector.items()):
        pool = index.sector(uow, name)
        graph = _graph(pool, sector_orders, day, weights, surplus, progress)
        if graph is None:
            continue
        graph, headcount = _without_decided(uow, graph, sector_orders, pool)
        exact = allocate_exact(graph, headcount, None if progress is None else progress.solving())
        greedy = allocate_greedy(graph, headcount)
        proposal.total_score += exact.total_score
        proposal.greedy_total_score += greedy.total_score
        proposal.greedy_placed += len(greedy.order_index)
        proposal.placements += _placements(exact, sector_orders, pool)
    return proposal


# A pair decided this way is not proposed again; a selection already holds one of its places.
CLOSED_PAIRS = frozenset({PairStatus.REJECTED, PairStatus.WITHDRAWN})


def _without_decided(
    uow: UnitOfWork, graph: sparse.csr_matrix, orders: list[JobOrderView], pool: SectorPool
) -> tuple[sparse.csr_matrix, npt.NDArray[np.int64]]:
    """The graph without the pairs a program manager already rejected or withdrew, and each
    order's places left once its selections are counted."""
    ids = [o.job_order_id for o in orders]
    with uow:
        pairs = list(
            uow.session.exec(select(MatchPair).where(col(MatchPair.job_order_id).in_(ids))).all()
        )
    row_of = {order_id: row for row, order_id in enumerate(ids)}
    position = {candidate_id: at for at, candidate_id in enumerate(pool.pool.ids)}
    selected = np.zeros(len(orders), dtype=np.int64)
    editable = graph.tolil(copy=True)
    for pair in pairs:
        row = row_of[pair.job_order_id]
        if pair.status == PairStatus.SELECTED and pair.refusal_code is None:
            selected[row] += 1
        elif pair.status in CLOSED_PAIRS and pair.candidate_id in position:
            editable[row, position[pair.candidate_id]] = 0
    headcount = np.array([o.headcount for o in orders], dtype=np.int64)
    closed = editable.tocsr()
    closed.eliminate_zeros()
    return closed, np.maximum(headcount - selected, 0)


def _graph(
    pool: SectorPool,
    orders: list[JobOrderView],
    day: date,
    weights: Weights,
    surplus: Surplus,
    progress: AllocationRun | None,
) -> sparse.csr_matrix | None:
    """Each order's top-K eligible candidates of the pool, as a sparse orders x pool matrix."""
    if not pool.rows:
        if progress is not None:
            progress.orders_scored += len(orders)
        return None
    rows, columns, values = [], [], []
    domain_orders = [order_of(o) for o in orders]
    for batch in shortlists(pool.pool, domain_orders, day, GRAPH_K, weights, surplus):
        order, candidate, score = batch.pairs()
        rows.append(order)
        columns.append(candidate)
        values.append(score.astype(np.float64))
        if progress is not None:
            progress.orders_scored += len(batch.best)
    return sparse.csr_matrix(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(columns))),
        shape=(len(orders), len(pool.rows)),
    )


def _placements(
    allocation: Allocation, orders: list[JobOrderView], pool: SectorPool
) -> list[Placement]:
    """The allocation's pairs with the names to show, the candidates' rows read in one query
    (the index keeps no rows; a candidate erased meanwhile is left out)."""
    rows = pool.rows.fetch(allocation.candidate_index.tolist())
    return [
        Placement(
            job_order_id=orders[o].job_order_id,
            title=orders[o].title,
            candidate_id=rows[c].candidate_id,
            full_name=rows[c].full_name,
            name_vi=rows[c].name_vi,
            name_katakana=rows[c].name_katakana,
            score=round(float(v), 4),
        )
        for o, c, v in zip(
            allocation.order_index.tolist(),
            allocation.candidate_index.tolist(),
            allocation.score.tolist(),
            strict=True,
        )
        if c in rows
    ]


@dataclass(eq=False)
class AllocationRun:
    """One proposal being computed, with how far it got: orders scored, then the graph's
    connected components solved (counted over the sectors solved so far)."""

    sector: str
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    orders_total: int = 0
    orders_scored: int = 0
    components_total: int = 0
    components_solved: int = 0
    proposal: Proposal | None = None
    failed: bool = False
    finished: threading.Event = field(default_factory=threading.Event)

    @property
    def solving_started(self) -> bool:
        return self.orders_total > 0 and self.orders_scored >= self.orders_total

    def solving(self) -> Callable[[int, int], None]:
        """The solver's progress callback for the next sector, on top of the sectors before."""
        before_solved, before_total = self.components_solved, self.components_total

        def solved(done: int, total: int) -> None:
            self.components_solved = before_solved + done
            self.components_total = before_total + total

        return solved


@dataclass(frozen=True)
class _RunKey:
    sector: str
    weights: Weights
    surplus: Surplus


class AllocationRuns:
    """The console's proposals of this process, each computed in its own thread and read by id
    while the page polls it. Asking again for a sector whose proposal is still being computed
    (same weights) joins that run rather than starting a second one; past KEEP runs, the oldest
    finished ones are forgotten."""

    KEEP = 16

    def __init__(self, inline_wait: float = 2.0) -> None:
        # How long the page waits for a run before it shows the progress instead (0: never).
        self.inline_wait = inline_wait
        self._lock = threading.Lock()
        self._runs: dict[str, AllocationRun] = {}  # oldest first
        self._running: dict[_RunKey, AllocationRun] = {}

    def start(
        self,
        uow: UnitOfWork,
        index: CandidateIndex,
        weights: Weights,
        surplus: Surplus,
        sector: str,
    ) -> AllocationRun:
        """The run proposing `sector`'s allocation: started now, or the one already running."""
        key = _RunKey(sector, weights, surplus)
        with self._lock:
            running = self._running.get(key)
            if running is not None:
                return running
            run = AllocationRun(sector)
            self._running[key] = run
            self._runs[run.id] = run
            self._forget_oldest_finished()
        worker = threading.Thread(
            target=self._compute,
            args=(run, key, uow, index),
            name=f"allocation-{sector}",
            daemon=True,
        )
        worker.start()
        return run

    def _forget_oldest_finished(self) -> None:
        """Past KEEP runs, the oldest finished ones go (a run under way is still polled)."""
        finished = [run_id for run_id, run in self._runs.items() if run.finished.is_set()]
        for run_id in finished[: max(0, len(self._runs) - self.KEEP)]:
            del self._runs[run_id]

    def get(self, run_id: str) -> AllocationRun | None:
        with self._lock:
            return self._runs.get(run_id)

    def _compute(
        self, run: AllocationRun, key: _RunKey, uow: UnitOfWork, index: CandidateIndex
    ) -> None:
        try:
            run.proposal = propose(uow, index, key.weights, key.sector, key.surplus, run)
        except Exception:
            logger.exception("allocation proposal for %s failed", key.sector)
            run.failed = True
        finally:
            with self._lock:
                self._running.pop(key, None)
            run.finished.set()
