"""What the metrics middleware costs per request: the same service app with and without it.

Builds the candidates API twice on one SQLite file (the second with MetricsMiddleware taken out
of its middleware stack), then calls each directly as an ASGI app, no network or HTTP client in
between, so the difference is the middleware itself. Rounds alternate between the two apps so
that machine load falls on both alike; the best round of each is reported.

    uv run python bench/metrics_overhead.py --requests 4000 --rounds 5
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from kakehashi.candidates.bootstrap import SPEC
from kakehashi.shared.metrics import MetricsMiddleware, sample_value
from kakehashi.shared.runtime import Runtime

PATH = "/health/live"
_METRICS = MetricsMiddleware.__name__


def build_app(data_dir: Path, *, metrics: bool) -> FastAPI:
    os.environ["KAKEHASHI_CANDIDATES_DATA_DIR"] = str(data_dir)
    os.environ["KAKEHASHI_CANDIDATES_ENVIRONMENT"] = "test"
    runtime = Runtime.build(SPEC.settings_factory(), SPEC.migrations)
    runtime.migrate()
    app = SPEC.create_app(runtime)
    if not metrics:
        kept = [m for m in app.user_middleware if getattr(m.cls, "__name__", "") != _METRICS]
        assert len(kept) == len(app.user_middleware) - 1
        app.user_middleware = kept
    return app


async def one_request(app: Any) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": PATH,
        "raw_path": PATH.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"bench")],
        "client": ("127.0.0.1", 1),
        "server": ("bench", 80),
        "state": {},
    }
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def requests_per_second(app: Any, count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        assert await one_request(app) == 200
    return count / (time.perf_counter() - started)


async def main(count: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        apps = {
            "with": build_app(Path(scratch), metrics=True),
            "without": build_app(Path(scratch), metrics=False),
        }
        for app in apps.values():  # warm up: middleware stacks built, thread pool started
            await requests_per_second(app, 200)
        counted = sample_value(
            "kakehashi_http_requests_total", {"route": PATH, "method": "GET", "status": "200"}
        )
        best = dict.fromkeys(apps, 0.0)
        for _ in range(rounds):
            for name, app in apps.items():
                best[name] = max(best[name], await requests_per_second(app, count))
        after = sample_value(
            "kakehashi_http_requests_total", {"route": PATH, "method": "GET", "status": "200"}
        )
    assert after - counted == rounds * count, "only the app with the middleware counts"
    overhead_us = (1 / best["with"] - 1 / best["without"]) * 1e6
    print(
        f"GET {PATH}, {count} requests x {rounds} rounds, best round: "
        f"without metrics {best['without']:.0f} req/s, with metrics {best['with']:.0f} req/s, "
        f"overhead {overhead_us:.1f} µs per request "
        f"({(1 - best['with'] / best['without']) * 100:.1f}% of throughput)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.requests, arguments.rounds))
