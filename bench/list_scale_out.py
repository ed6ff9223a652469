"""Match lists from one matching API replica, then from two: what a second one buys.

One API process answers lists with one interpreter lock, so its lists a second are bounded by
one core (docs/matching.md, "A list's CPU"). The way past that is more replicas (more processes,
more machines: docs/architecture.md, "Scaling out"), which on one database needs PostgreSQL.
This fills a fresh PostgreSQL database with a 100k read model (`matching_million.fill`: the
consumer's handler code, no broker), then for one and for two replicas of `kakehashi-matching
api` (each its own process and port, as docker-compose's `matching-api` and `matching-api-2`)
asks `--clients` concurrent top-50 lists, the connections spread over the replicas in turn as a
proxy would, and prints:

- lists a second, p50/p95/p99, beside issue #17's target (300 req/s, p99 <= 100 ms at 100k);
- the API's CPU per list over its replicas (from /proc), and how busy the machine was;
- each replica's resident memory (each holds its own candidate index).

    uv run python bench/list_scale_out.py --database-url postgresql+psycopg://postgres@127.0.0.1:55433/postgres

The driver and PostgreSQL share the machine's cores with the replicas, so on two cores the ratio
is a lower bound on what a second machine would give.

Not uvicorn's `--workers` (`KAKEHASHI_MATCHING_API_WORKERS`): its workers share one listening
socket, and the first to wake accepted all 16 keep-alive connections here (one worker used 14.2
CPU seconds of a run, the other 0.3). Workers balance new connections, not requests.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from tempfile import TemporaryDirectory

import cpu_shares
from matching_million import Api, fill, list_latency, memory_mb, quantiles

from kakehashi.devtools.scratch_database import scratch_database

TARGET_RATE, TARGET_P99_MS = 300, 100


def busy_ticks() -> tuple[int, int]:
    """The machine's busy and total CPU ticks so far (/proc/stat)."""
    with open("/proc/stat", encoding="ascii") as stat:
        ticks = [int(field) for field in stat.readline().split()[1:]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return sum(ticks) - idle, sum(ticks)


@contextlib.contextmanager
def replicas(url: str, count: int, folder: Path) -> Iterator[list[Api]]:
    """`count` matching API processes on one database, each on its own port, ready."""
    started: list[Api] = []
    try:
        for number in range(count):
            data = folder / f"replica-{count}-{number}"
            data.mkdir()
            # Each start builds its index from the rows: no snapshot is compared here.
            settings = {"KAKEHASHI_MATCHING_INDEX_SNAPSHOT": "false"}
            started.append(Api(url, data, data / "api.log", [], settings))
        for api in started:
            api.ready()
        yield started
    finally:
        for api in started:
            api.stop()


def measure(
    url: str, count: int, order_ids: list[str], requests: int, clients: int, folder: Path
) -> float:
    """Lists a second from `count` replicas; prints the run's figures."""
    with replicas(url, count, folder) as apis:
        ports = [api.port for api in apis]
        # A round of lists on every connection warms each replica before the measured run.
        list_latency(ports, order_ids, clients * 4, clients)
        cpu_before = cpu_seconds(apis)
        busy_before, total_before = busy_ticks()
        began = time.perf_counter()
        latencies = list_latency(ports, order_ids, requests, clients)
        elapsed = time.perf_counter() - began
        busy, total = busy_ticks()
        cpu_per_list = (cpu_seconds(apis) - cpu_before) / len(latencies)
        rate = len(latencies) / elapsed
        p50, p95, p99 = quantiles(latencies)
        meets = rate >= TARGET_RATE and p99 <= TARGET_P99_MS
        print(
            f"GET match list, {clients} clients, {count} API replica{'s' if count > 1 else ''}"
            f" (PostgreSQL): {rate:.0f} req/s, p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms"
            f" (target >= {TARGET_RATE} req/s, p99 <= {TARGET_P99_MS} ms at 100k:"
            f" {'met' if meets else 'MISSED'})"
        )
        memory = ", ".join(f"{memory_mb(api.process.pid)[0]:,.0f} MB" for api in apis)
        print(
            f"  API CPU per list {cpu_per_list * 1000:.1f} ms over its replicas; machine"
            f" {(busy - busy_before) / max(total - total_before, 1):.0%} busy"
            f" ({os.cpu_count()} cores); resident memory per replica {memory}"
        )
        return rate


def cpu_seconds(apis: list[Api]) -> float:
    """CPU seconds so far of the API processes, from one read of /proc."""
    table = cpu_shares.processes()
    return sum(table[api.process.pid].cpu_s for api in apis)


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL server")
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    print(
        f"matching API with {args.candidates:,} candidates, {args.orders:,} open orders, on"
        f" PostgreSQL; load average {os.getloadavg()[0]:.1f} at start"
    )
    with (
        scratch_database(args.database_url, "kakehashi_lists") as database,
        TemporaryDirectory(prefix="kakehashi-lists-") as folder,
    ):
        url = database.render_as_string(hide_password=False)
        started = time.perf_counter()
        order_ids = fill(url, args.candidates, args.orders)
        print(f"read model filled in {time.perf_counter() - started:.0f} s")
        one = measure(url, 1, order_ids, args.requests, args.clients, Path(folder))
        two = measure(url, 2, order_ids, args.requests, args.clients, Path(folder))
    print(f"two API replicas / one: {two / one:.2f}x the lists a second")


if __name__ == "__main__":
    main()
