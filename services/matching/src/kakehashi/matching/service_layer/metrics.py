"""Matching's own Prometheus metrics (beside the shared HTTP, relay and consumer ones): how big the
candidate index is, what building a sector's pool costs, how long a match list takes, the
decisions taken, by action, and the learned ranking's refit attempts, by outcome. Names are listed in docs/operations.md, "What to watch"."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from kakehashi.shared.metrics import LATENCY_BUCKETS

INDEX_CANDIDATES = Gauge(
    "kakehashi_matching_index_candidates",
    "Matchable candidates held in the API's in-memory candidate index.",
)
INDEX_BUILD_DURATION = Histogram(
    "kakehashi_matching_index_build_duration_seconds",
    "Time to build one sector's scoring pool from the index's rows.",
    buckets=LATENCY_BUCKETS,
)
MATCH_LIST_DURATION = Histogram(
    "kakehashi_matching_match_list_duration_seconds",
    "Time to rank, filter and explain one job order's match list.",
    buckets=LATENCY_BUCKETS,
)
DECISIONS = Counter(
    "kakehashi_matching_decisions",
    "Decisions saved on pairs, by action (interview results and undos included).",
    ["action"],
)


def count_decisions(actions: list[str]) -> None:
    """Count decisions once their transaction committed (a refused bulk counts none)."""
    for action in actions:
        DECISIONS.labels(str(action)).inc()


REFITS = Counter(
    "kakehashi_matching_refits",
    "Refit attempts of the learned ranking (scheduled or asked for), by outcome: promoted, "
    "kept_live, not_enough_decisions, busy, failed.",
    ["outcome"],
)


def count_refit(outcome: str) -> None:
    """Count one refit attempt once its outcome is known (and recorded, unless busy)."""
    REFITS.labels(str(outcome)).inc()
