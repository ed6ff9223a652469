"""Allocation benchmark: the min-cost flow against the slot matching it replaced, and greedy.

    uv run python bench/allocation.py                                   # 100k x 2k
    uv run python bench/allocation.py --candidates 1000000 --orders 5000

Builds the market of bench/matching_engine.py, its top-50 graph (each order's best eligible
candidates), and solves the same graph three ways, timed in this one run: greedy (best pair
first), the slot matching (orders expanded into one row per place, SciPy's LAPJVsp: the exact
solver before issue 17) and the min-cost flow (OR-Tools, one connected component at a time).
Prints each one's time, total score and fill, the exact total's gain over greedy, and checks that
both exact solvers reach the same total with a feasible allocation. Target (issue 17): exact
allocation of 1M candidates x 5k orders <= 5 s.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy import sparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from market import generate
from matching_engine import build_pools, refresh, taxonomy_codes

from kakehashi.matching.domain.allocation import Allocation, allocate_exact, allocate_greedy
from kakehashi.matching.domain.components import Weights
from services.matching.tests.allocation_reference import allocate_by_slots

TARGET_S = 5.0


def feasible(
    allocation: Allocation, graph: sparse.csr_matrix, headcount: npt.NDArray[np.int64]
) -> bool:
    """Each candidate once, each order within its headcount, only positive pairs of the graph."""
    once = len(np.unique(allocation.candidate_index)) == len(allocation.candidate_index)
    within = bool(
        np.all(np.bincount(allocation.order_index, minlength=len(headcount)) <= headcount)
    )
    pairs = np.asarray(graph[allocation.order_index, allocation.candidate_index]).ravel()
    return once and within and bool(np.all(pairs > 0))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=2_000)
    parser.add_argument("--skip-slots", action="store_true", help="do not time the old solver")
    args = parser.parse_args()
    started = time.perf_counter()
    market = generate(args.candidates, args.orders, codes=taxonomy_codes())
    pools, members = build_pools(market)
    rows, cols, vals, _ = refresh(market, pools, members, Weights())
    graph = sparse.csr_matrix(
        (np.concatenate(vals).astype(np.float64), (np.concatenate(rows), np.concatenate(cols))),
        shape=(len(market.orders), args.candidates),
    )
    headcount = np.asarray(market.headcount, dtype=np.int64)
    print(
        f"market: {args.candidates:,} candidates, {args.orders:,} orders, {int(headcount.sum()):,} "
        f"places; top-50 graph {graph.nnz:,} pairs, built in {time.perf_counter() - started:.1f} s"
    )
    components: list[int] = []
    solvers = {
        "greedy": lambda: allocate_greedy(graph, headcount),
        "min-cost flow": lambda: allocate_exact(
            graph, headcount, progress=lambda _done, total: components.append(total)
        ),
    }
    if not args.skip_slots:
        solvers["slot matching (before)"] = lambda: allocate_by_slots(graph, headcount)
    results: dict[str, tuple[float, Allocation]] = {}
    for name, solve in solvers.items():
        t0 = time.perf_counter()
        allocation = solve()
        results[name] = (time.perf_counter() - t0, allocation)
    greedy_total = results["greedy"][1].total_score
    for name, (seconds, allocation) in results.items():
        target = "" if name == "greedy" else f" (target <= {TARGET_S:.0f} s)"
        gain = (allocation.total_score / greedy_total - 1) * 100
        print(
            f"{name:>24}: {seconds:6.2f} s{target}; total {allocation.total_score:,.4f}, fill "
            f"{allocation.fill_rate(headcount):.1%}, gain over greedy {gain:+.2f}%, feasible "
            f"{feasible(allocation, graph, headcount)}"
        )
    flow_s, flow = results["min-cost flow"]
    print(f"min-cost flow solved {components[-1] if components else 0} connected components")
    if "slot matching (before)" in results:
        slots_s, slots = results["slot matching (before)"]
        gap = flow.total_score - slots.total_score
        print(f"flow vs slot matching: {slots_s / flow_s:.1f}x faster, total differs by {gap:+.2e}")
        assert abs(gap) <= 1e-9 * max(1.0, slots.total_score), "the exact solvers disagree"


if __name__ == "__main__":
    main()
