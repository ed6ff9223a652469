"""For the allocation tests and bench: the exact allocation as it was solved before the min-cost
flow (issue 17), kept as the oracle the tests and bench/allocation.py measure the flow against;
brute force; and a unit of work held at a gate, to watch a run while it is under way."""

from __future__ import annotations

import itertools
import threading

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from kakehashi.matching.domain.allocation import Allocation
from kakehashi.shared.unit_of_work import UnitOfWork

# Added to every real edge so that a real placement always beats leaving a slot empty, and so
# that a zero score is still an edge (sparse matrices drop explicit zeros in the solver).
_EPSILON = 1e-9


def allocate_by_slots(scores: sparse.csr_matrix, headcount: npt.NDArray[np.integer]) -> Allocation:
    """Orders expanded into one row per place, each with a private "leave unfilled" column,
    solved as a maximum-weight full bipartite matching (SciPy's LAPJVsp)."""
    scores = sparse.csr_matrix(scores)
    scores.eliminate_zeros()  # a zero score is no edge: the pair may not be placed
    n_orders, n_candidates = scores.shape
    headcount = np.asarray(headcount, dtype=np.int64)
    slots_of = np.repeat(np.arange(n_orders), headcount)  # order index of each slot
    n_slots = len(slots_of)
    empty = Allocation(np.zeros(0, np.intp), np.zeros(0, np.intp), np.zeros(0))
    if n_slots == 0 or scores.nnz == 0:
        return empty
    slot_edges = scores[slots_of]
    slot_edges.data = slot_edges.data + _EPSILON
    dummies = sparse.csr_matrix(
        (np.full(n_slots, _EPSILON / 2), (np.arange(n_slots), np.arange(n_slots))),
        shape=(n_slots, n_slots),
    )
    graph = sparse.hstack([slot_edges, dummies], format="csr")
    slot_rows, columns = min_weight_full_bipartite_matching(graph, maximize=True)
    real = columns < n_candidates
    if not real.any():
        return empty
    orders = slots_of[slot_rows[real]]
    candidates = columns[real]
    values = np.asarray(scores[orders, candidates]).ravel()
    return Allocation(orders.astype(np.intp), candidates.astype(np.intp), values.astype(np.float64))


def brute_force(dense: npt.NDArray[np.float64], headcount: npt.NDArray[np.integer]) -> float:
    """Best total over every way of giving each place a distinct candidate or nobody."""
    slots = [o for o, h in enumerate(headcount.tolist()) for _ in range(h)]
    best = 0.0
    choices = [*range(dense.shape[1]), None]
    for picks in itertools.product(choices, repeat=len(slots)):
        used = [p for p in picks if p is not None]
        if len(used) != len(set(used)):
            continue
        if any(p is not None and dense[s, p] <= 0 for s, p in zip(slots, picks, strict=True)):
            continue
        total = sum(dense[s, p] for s, p in zip(slots, picks, strict=True) if p is not None)
        best = max(best, float(total))
    return best


class GatedUnitOfWork(UnitOfWork):
    """A real unit of work (same database, same doorbell) whose transactions, after the first
    `free` ones, wait for the test to open the gate, so a run can be seen while under way."""

    def __init__(self, uow: UnitOfWork, gate: threading.Event, free: int = 0) -> None:
        super().__init__(uow._session_factory, uow._doorbell)
        self.gate, self.free = gate, free

    def __enter__(self) -> UnitOfWork:
        if self.free > 0:
            self.free -= 1
        else:
            assert self.gate.wait(30), "the test never opened the gate"
        return super().__enter__()
