"""Placing candidates into job orders' headcount so that the total score is highest.

Each candidate is placed at most once, each order receives at most its headcount, and only pairs
of the graph with a positive score (an order's best eligible candidates) may be placed. The exact
solver is a min-cost flow (OR-Tools' cost-scaling push-relabel): source -> order (capacity: the
headcount) -> candidate (1) -> sink (1), plus a source -> sink arc for places left unfilled, so
no order is expanded into one row per place. It runs on each connected component of the graph
apart: no candidate is shared between components, so their optima add up to the whole one, and
smaller networks solve faster. The greedy baseline takes pairs best-first. Proposals are
suggestions, never decisions.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.graph.python.min_cost_flow import SimpleMinCostFlow
from scipy import sparse
from scipy.sparse.csgraph import connected_components

# Scores become integer costs in units of 2**-40: exact for the float32 scores of the top-K
# graph down to 2**-17, and 2**-40 per place (1e-12) otherwise, far below any score difference.
_SCALE_BITS = 40
# OR-Tools refuses costs that could overflow int64 once multiplied by the number of nodes.
_COST_BITS = 61

Progress = Callable[[int, int], None]  # (components solved, components in all)


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


@dataclass(frozen=True)
class _Edges:
    """The graph's placeable pairs (positive scores), as parallel arrays."""

    order: npt.NDArray[np.intp]
    candidate: npt.NDArray[np.intp]
    score: npt.NDArray[np.float64]

    @classmethod
    def of(cls, scores: sparse.csr_matrix) -> _Edges:
        """A zero (or negative) score is no edge: the pair may not be placed."""
        coo = sparse.coo_matrix(scores)
        keep = coo.data > 0
        return cls(
            coo.row[keep].astype(np.intp),
            coo.col[keep].astype(np.intp),
            coo.data[keep].astype(np.float64),
        )

    def take(self, chosen: npt.NDArray[np.intp] | npt.NDArray[np.bool_]) -> _Edges:
        return _Edges(self.order[chosen], self.candidate[chosen], self.score[chosen])


def allocate_greedy(scores: sparse.csr_matrix, headcount: npt.NDArray[np.integer]) -> Allocation:
    """Best pair first: place it if the candidate is free and the order has room."""
    edges = _Edges.of(scores)
    order = np.lexsort((edges.candidate, edges.order, -edges.score))
    room = np.asarray(headcount, dtype=np.int64).copy()
    taken = np.zeros(scores.shape[1], dtype=bool)
    placed = []
    for k in order.tolist():  # the baseline is sequential by definition
        row, col = int(edges.order[k]), int(edges.candidate[k])
        if room[row] > 0 and not taken[col]:
            room[row] -= 1
            taken[col] = True
            placed.append(k)
    chosen = edges.take(np.asarray(placed, dtype=np.intp))
    return Allocation(chosen.order, chosen.candidate, chosen.score)


def allocate_exact(
    scores: sparse.csr_matrix,
    headcount: npt.NDArray[np.integer],
    progress: Progress | None = None,
) -> Allocation:
    """The placement with the highest total score on this graph (among equal totals, the one
    placing more people), one connected component at a time; `progress` hears after each."""
    edges = _Edges.of(scores)
    places = np.asarray(headcount, dtype=np.int64)
    parts = _components(edges, scores.shape)
    chosen: list[_Edges] = []
    for solved, part in enumerate(parts, start=1):
        component = edges.take(part)
        chosen.append(component.take(_best_flow(component, places)))
        if progress is not None:
            progress(solved, len(parts))
    if not chosen:
        return Allocation(np.zeros(0, np.intp), np.zeros(0, np.intp), np.zeros(0))
    return Allocation(
        np.concatenate([c.order for c in chosen]),
        np.concatenate([c.candidate for c in chosen]),
        np.concatenate([c.score for c in chosen]),
    )


def _components(edges: _Edges, shape: tuple[int, int]) -> list[npt.NDArray[np.intp]]:
    """The edges of each connected component of the order-candidate graph (orders and
    candidates with no edge form no component)."""
    if len(edges.score) == 0:
        return []
    n_orders, n_candidates = shape
    nodes = n_orders + n_candidates
    adjacency = sparse.coo_matrix(
        (np.ones(len(edges.score)), (edges.order, n_orders + edges.candidate)),
        shape=(nodes, nodes),
    )
    _, label = connected_components(adjacency, directed=False)
    of_edge = label[edges.order]
    by_component = np.argsort(of_edge, kind="stable").astype(np.intp)
    cuts = np.flatnonzero(np.diff(of_edge[by_component])) + 1
    return np.split(by_component, cuts)


def _best_flow(component: _Edges, headcount: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Which of the component's edges the min-cost flow places (flow 1 on them)."""
    orders, order_node = np.unique(component.order, return_inverse=True)
    candidates, candidate_node = np.unique(component.candidate, return_inverse=True)
    n_orders, n_candidates, n_edges = len(orders), len(candidates), len(component.score)
    source, sink = n_orders + n_candidates, n_orders + n_candidates + 1
    places = int(headcount[orders].sum())
    pair_costs = _unit_costs(component.score, nodes=sink + 1)
    tails = np.concatenate(
        [np.full(n_orders, source), order_node, n_orders + np.arange(n_candidates), [source]]
    )
    heads = np.concatenate(
        [np.arange(n_orders), n_orders + candidate_node, np.full(n_candidates, sink), [sink]]
    )
    capacities = np.concatenate(
        [headcount[orders], np.ones(n_edges + n_candidates, np.int64), [places]]
    )
    costs = np.concatenate(
        [np.zeros(n_orders, np.int64), pair_costs, np.zeros(n_candidates + 1, np.int64)]
    )
    flow = SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), capacities, costs
    )
    flow.set_nodes_supplies(np.array([source, sink], np.int32), np.array([places, -places]))
    status = flow.solve()
    if status != SimpleMinCostFlow.OPTIMAL:  # the network always has a feasible flow
        raise RuntimeError(f"the min-cost flow ended with {status.name}")
    pair_arcs = n_orders + np.arange(n_edges, dtype=np.int32)
    return np.asarray(flow.flows(pair_arcs)) > 0


def _unit_costs(score: npt.NDArray[np.float64], nodes: int) -> npt.NDArray[np.int64]:
    """Each pair's cost: minus its score in integer units, minus one more unit so that a place
    filled always beats a place left empty (the unfilled arc costs 0) and, among equal totals,
    more people are placed. The unit is as fine as OR-Tools' cost range allows, which
    multiplies costs by the node count; a power of two keeps float scores exact."""
    headroom = (
        _COST_BITS
        - math.ceil(math.log2(nodes + 1))
        - max(0, math.ceil(math.log2(float(score.max()))))
    )
    units = np.rint(np.ldexp(score, min(_SCALE_BITS, headroom)))
    return -(units.astype(np.int64) + 1)
