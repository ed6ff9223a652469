"""Matching engine benchmark: vectorised scoring against a naive loop, latency, refresh, allocation.

    uv run python bench/matching_engine.py --candidates 100000 --orders 2000

Prints ratios and times measured in this one run. Targets (issue 5): >= 100x the naive loop;
one order vs 100k candidates p95 <= 5 ms; full 100k x 2k top-50 refresh <= 3 s; exact allocation
at that size <= 3 s.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
from scipy import sparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

from market import SECTORS, Market, generate

from kakehashi.matching.domain.allocation import allocate_exact, allocate_greedy
from kakehashi.matching.domain.scoring import (
    MUST_HAVE_WEIGHT,
    NICE_TO_HAVE_WEIGHT,
    Order,
    Pool,
    Weights,
    score_matrix,
    top_k_per_order,
)

TOP_K = 50


def naive_score(skills: dict[str, int], rank: int, order: Order, weights: Weights) -> float | None:
    """The loop version, pair by pair: the baseline only."""
    if rank < order.min_japanese_rank:
        return None
    total = weight = 0.0
    for r in order.requirements:
        level = skills.get(r.code, 0)
        if r.must_have and level < r.min_level:
            return None
        w = MUST_HAVE_WEIGHT if r.must_have else NICE_TO_HAVE_WEIGHT
        total += w * min(level / r.min_level, 1.0)
        weight += w
    w_skills, w_japanese = weights.normalised()
    skill_part = total / weight if weight else 1.0
    japanese = min(max((rank - order.min_japanese_rank + 1) / (6 - order.min_japanese_rank), 0), 1)
    return w_skills * skill_part + w_japanese * japanese


def build_pools(market: Market) -> tuple[dict[int, Pool], dict[int, np.ndarray]]:
    """One pool per sector (blocking): candidates of other sectors are never scored."""
    pools, members = {}, {}
    for sector in range(len(SECTORS)):
        idx = np.flatnonzero(market.candidate_sector == sector)
        members[sector] = idx
        pools[sector] = Pool.build(
            [str(i) for i in idx.tolist()],
            market.japanese_rank[idx].tolist(),
            [market.skills[i] for i in idx.tolist()],
        )
    return pools, members


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=2_000)
    parser.add_argument("--naive-pairs", type=int, default=300_000)
    args = parser.parse_args()
    weights = Weights()
    market = generate(args.candidates, args.orders)
    started = time.perf_counter()
    pools, members = build_pools(market)
    print(
        f"market: {args.candidates:,} candidates, {args.orders:,} orders, "
        f"{int(market.headcount.sum()):,} slots; index built in {time.perf_counter() - started:.2f} s"
    )

    # Throughput: naive loop over a sample of same-sector pairs vs the vectorised refresh.
    rng = np.random.default_rng(3)
    pairs_done, t0 = 0, time.perf_counter()
    while pairs_done < args.naive_pairs:
        o = int(rng.integers(len(market.orders)))
        idx = members[int(market.order_sector[o])]
        for i in idx[: args.naive_pairs - pairs_done].tolist():
            naive_score(market.skills[i], int(market.japanese_rank[i]), market.orders[o], weights)
        pairs_done += min(len(idx), args.naive_pairs - pairs_done)
    naive_rate = pairs_done / (time.perf_counter() - t0)

    # Full refresh: each sector's orders against its pool in one matrix operation, top-50 each.
    rows, cols, vals = [], [], []
    scored_pairs, t0 = 0, time.perf_counter()
    for sector in range(len(SECTORS)):
        order_ids = np.flatnonzero(market.order_sector == sector)
        if len(order_ids) == 0 or len(members[sector]) == 0:
            continue
        for chunk in np.array_split(order_ids, max(1, len(order_ids) // 128)):
            matrix = score_matrix(pools[sector], [market.orders[o] for o in chunk], weights)
            best, values = top_k_per_order(matrix, TOP_K)
            found = best >= 0
            rows.append(np.broadcast_to(chunk[:, None], best.shape)[found])
            cols.append(members[sector][best[found]])
            vals.append(values[found])
            scored_pairs += matrix.size
    refresh_s = time.perf_counter() - t0
    vector_rate = scored_pairs / refresh_s
    print(
        f"scoring: naive loop {naive_rate:,.0f} pairs/s; vectorised {vector_rate:,.0f} pairs/s "
        f"-> {vector_rate / naive_rate:,.0f}x"
    )
    print(f"full refresh top-{TOP_K}: {refresh_s:.2f} s for {scored_pairs:,} same-sector pairs")

    # Latency of one new order against the whole candidate pool (its sector's block).
    latencies = []
    for o in rng.integers(len(market.orders), size=300).tolist():
        t = time.perf_counter()
        top_k_per_order(
            score_matrix(pools[int(market.order_sector[o])], [market.orders[o]], weights), TOP_K
        )
        latencies.append((time.perf_counter() - t) * 1000)
    print(
        f"one order vs {args.candidates:,} candidates: p50 {np.percentile(latencies, 50):.2f} ms, "
        f"p95 {np.percentile(latencies, 95):.2f} ms"
    )

    # Allocation on the top-K graph.
    graph = sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(len(market.orders), args.candidates),
    )
    t0 = time.perf_counter()
    greedy = allocate_greedy(graph, market.headcount)
    greedy_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    exact = allocate_exact(graph, market.headcount)
    exact_s = time.perf_counter() - t0
    gain = (exact.total_score - greedy.total_score) / greedy.total_score * 100
    print(
        f"allocation: exact {exact_s:.2f} s, total {exact.total_score:,.1f}, fill "
        f"{exact.fill_rate(market.headcount):.1%}; greedy {greedy_s:.2f} s, total "
        f"{greedy.total_score:,.1f}, fill {greedy.fill_rate(market.headcount):.1%}; gain {gain:+.2f}%"
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
