"""Placing candidates into job orders' headcount slots so that the total score is highest.

Each candidate is placed at most once and each order receives at most its headcount. The exact
solver works on the top-K graph (each order's best eligible candidates): orders are expanded into
one row per slot, every slot also gets a private "leave unfilled" column of zero value, and
`scipy.sparse.csgraph.min_weight_full_bipartite_matching` finds the maximum-weight assignment.
The greedy baseline takes pairs best-first. Proposals are suggestions, never decisions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

# Added to every real edge so that a real placement always beats leaving a slot empty, and so
# that a zero score is still an edge (sparse matrices drop explicit zeros in the solver).
_EPSILON = 1e-9


@dataclass(frozen=True)
class Allocation:
    """Which candidate (column index) fills each order (row index), with the totals."""

    order_index: npt.NDArray[np.intp]
    candidate_index: npt.NDArray[np.intp]
    score: npt.NDArray[np.float64]

    @property
    def total_score(self) -> float:
        return float(self.score.sum())

    def fill_rate(self, headcount: npt.NDArray[np.integer]) -> float:
        slots = int(headcount.sum())
        return len(self.order_index) / slots if slots else 0.0


def allocate_greedy(scores: sparse.csr_matrix, headcount: npt.NDArray[np.integer]) -> Allocation:
    """Best pair first: place it if the candidate is free and the order has room."""
    coo = sparse.csr_matrix(scores).tocoo()
    keep = coo.data > 0
    coo = sparse.coo_matrix((coo.data[keep], (coo.row[keep], coo.col[keep])), shape=coo.shape)
    order = np.lexsort((coo.col, coo.row, -coo.data))
    room = np.asarray(headcount, dtype=np.int64).copy()
    taken = np.zeros(scores.shape[1], dtype=bool)
    rows, cols, values = [], [], []
    for k in order.tolist():  # the baseline is sequential by definition
        row, col = int(coo.row[k]), int(coo.col[k])
        if room[row] > 0 and not taken[col]:
            room[row] -= 1
            taken[col] = True
            rows.append(row)
            cols.append(col)
            values.append(float(coo.data[k]))
    return Allocation(
        np.asarray(rows, dtype=np.intp),
        np.asarray(cols, dtype=np.intp),
        np.asarray(values, dtype=np.float64),
    )


def allocate_exact(scores: sparse.csr_matrix, headcount: npt.NDArray[np.integer]) -> Allocation:
    """The assignment of candidates to slots with the highest total score on this graph."""
    scores = sparse.csr_matrix(scores)
    scores.eliminate_zeros()  # a zero score is no edge: the pair may not be placed
    n_orders, n_candidates = scores.shape
    headcount = np.asarray(headcount, dtype=np.int64)
    slots_of = np.repeat(np.arange(n_orders), headcount)  # order index of each slot
    n_slots = len(slots_of)
    if n_slots == 0 or scores.nnz == 0:
        return _nothing()
    # Real edges: every slot of an order connects to every candidate that order may take.
    slot_edges = scores[slots_of]
    slot_edges.data = slot_edges.data + _EPSILON
    # One private dummy column per slot, worth a hair (so that it is an edge), means "unfilled".
    dummies = sparse.csr_matrix(
        (np.full(n_slots, _EPSILON / 2), (np.arange(n_slots), np.arange(n_slots))),
        shape=(n_slots, n_slots),
    )
    graph = sparse.hstack([slot_edges, dummies], format="csr")
    slot_rows, columns = min_weight_full_bipartite_matching(graph, maximize=True)
    real = columns < n_candidates
    if not real.any():
        return _nothing()
    orders = slots_of[slot_rows[real]]
    candidates = columns[real]
    values = np.asarray(scores[orders, candidates]).ravel()
    return Allocation(orders.astype(np.intp), candidates.astype(np.intp), values.astype(np.float64))


def _nothing() -> Allocation:
    empty = np.zeros(0, dtype=np.intp)
    return Allocation(empty, empty, np.zeros(0))
