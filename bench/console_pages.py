"""The review console's list pages at scale: server time of the dashboard and an order's ranked
list (HTML, as a browser gets them), with a synthetic market in matching's read model.

Fills the read model (SQLite) like bench/matching_service.py, starts `kakehashi-matching api`
as its own process and times, after one warming call per page, GET /console/orders (first
page, a search, a filter, a later page) and GET /console/orders/{id} (each order's first page of 25).
The issue's bar: p95 <= 150 ms for lists.

    uv run python bench/console_pages.py --candidates 100000 --orders 300
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from matching_service import fill

from kakehashi.devtools.development_key import development_token
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.net import wait_for_port

DASHBOARD_VIEWS = (
    {},
    {"q": "bench"},
    {"sector": "construction", "deadline": "none"},
    {"sort": "fill", "order": "desc", "page": "3"},
)


def timed(client: httpx.Client, path: str, params: dict[str, str], runs: int) -> list[float]:
    client.get(path, params=params).raise_for_status()  # warm: the sector's index is built
    latencies = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(path, params=params).raise_for_status()
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def report(name: str, latencies: list[float]) -> None:
    cuts = statistics.quantiles(latencies, n=20)
    print(
        f"{name}: p50 {statistics.median(latencies):.1f} ms, p95 {cuts[18]:.1f} ms "
        f"({len(latencies)} requests)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--requests", type=int, default=40, help="per dashboard view and order")
    parser.add_argument("--order-pages", type=int, default=5, help="orders whose page is timed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{scratch}/matching.db"
        started = time.perf_counter()
        order_ids = fill(url, args.candidates, args.orders)
        print(
            f"read model filled with {args.candidates:,} candidates, {args.orders} orders "
            f"in {time.perf_counter() - started:.1f} s"
        )
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        env = os.environ | {
            "KAKEHASHI_MATCHING_DATABASE_URL": url,
            "KAKEHASHI_MATCHING_LOG_LEVEL": "WARNING",
        }
        command = [sys.executable, "-m", "kakehashi.matching.entrypoints.cli", "api"]
        api = subprocess.Popen([*command, "--port", str(port)], env=env)
        try:
            wait_for_port("127.0.0.1", port, timeout_s=60)
            manager = Principal(subject="bench", role=Role.PROGRAM_MANAGER, organisation_id="pm")
            with httpx.Client(
                base_url=f"http://127.0.0.1:{port}",
                cookies={"kakehashi_session": development_token(manager)},
                headers={"Accept-Language": "ja"},
                timeout=120,
            ) as client:
                dashboard = [
                    ms
                    for params in DASHBOARD_VIEWS
                    for ms in timed(client, "/console/orders", params, args.requests)
                ]
                report(
                    "GET /console/orders (dashboard: first page, search, filter, page 3)", dashboard
                )
                order_pages = [
                    ms
                    for order_id in order_ids[: args.order_pages]
                    for ms in timed(client, f"/console/orders/{order_id}", {}, args.requests)
                ]
                report("GET /console/orders/{id} (a page of 25 ranked, charts)", order_pages)
        finally:
            api.terminate()
            api.wait(timeout=30)


if __name__ == "__main__":
    main()
