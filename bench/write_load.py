"""The write path under load: POST /candidates and POST /job-orders against real processes.

Starts the broker, candidates-api and its relay, employers-api and its relay, and matching's
consumer and API (the Supervisor `kakehashi dev` uses), on SQLite files by default or on fresh
PostgreSQL databases of a given server. Then, for each service in turn, `--connections` callers
post valid, varied registrations (or job orders) for `--duration` seconds, each waiting for its
answer before the next (a closed loop, as a busy training centre's importer would), and prints:

- accepted writes per second, latency p50/p95/p99 and errors (any answer but 201, or a timeout);
- the outbox lag under load: sampled every 100 ms, how long ago the oldest write that matching's
  read model does not hold yet was accepted (the worst sample is printed);
- the time from the last accepted write until matching's read model holds every one.

Each figure is printed beside its target (issue #17: 500 req/s per service, p99 100 ms, 1 s lag).

    uv run python bench/write_load.py --connections 16 --duration 30
    uv run python bench/write_load.py --database-url postgresql+psycopg://postgres@127.0.0.1:55432/postgres --workers 2

The driver is one asyncio process on the same machine: its own CPU counts against the services'.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import random
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import cpu_shares
from http_client import Connection
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlmodel import col

from kakehashi.devtools.development_key import development_token
from kakehashi.devtools.scratch_database import scratch_databases
from kakehashi.devtools.supervisor import PROCESSES, Ports, Supervisor
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.db import make_engine
from kakehashi.shared.outbox import OutboxMessage
from kakehashi.shared.reference import PREFECTURES, JapaneseLevel, Sector
from kakehashi.shared.skills import taxonomy

TARGET_RPS = 500.0
TARGET_P99_MS = 100.0
TARGET_LAG_S = 1.0
# Only what the write path needs: no identity (tokens are signed with the development key).
RUNNING = (
    *("candidates-api", "candidates-relay", "employers-api", "employers-relay"),
    *("matching-api", "matching-consumer"),
)
DATABASES = ("candidates", "employers", "matching")

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hùng", "Lan", "Linh", "Nam", "Tú"]
PROVINCES = ["Tây Ninh", "Nghệ An", "Thanh Hóa", "Hà Nội", "Hải Phòng", "Đà Nẵng", "Huế"]
LEVELS = [JapaneseLevel.N5, JapaneseLevel.N4, JapaneseLevel.N3]


def _skilled_sectors() -> list[tuple[Sector, list[str]]]:
    found = [(s, [k.code for k in taxonomy().of_sector(s)]) for s in Sector]
    return [(sector, codes) for sector, codes in found if codes]


SECTORS = _skilled_sectors()


def candidate_body(n: int, rng: random.Random) -> dict[str, Any]:
    """A valid registration of a distinct person (own passport, name and birth date) who
    consents to sharing, so matching hears of every one."""
    sector, codes = rng.choice(SECTORS)
    skills = rng.sample(codes, k=min(len(codes), rng.randint(1, 3)))
    today = date.today()
    return {
        "full_name": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)} {n}",
        "date_of_birth": (today - timedelta(days=rng.randint(19 * 365, 35 * 365))).isoformat(),
        # From the caller's number: random ones met by chance (a 409) a few thousand writes in.
        "passport_number": f"C{n:08d}",
        "province": rng.choice(PROVINCES),
        "sector": sector.value,
        "japanese_level": rng.choice(LEVELS).value,
        "available_from": (today + timedelta(days=rng.randint(10, 200))).isoformat(),
        "skills": [{"code": code, "level": rng.randint(2, 5)} for code in skills],
        "consents": [
            {
                "purpose": "matching_in_japan",
                "scope": "share_with_employers_in_japan",
                "notice_version": "2026-01",
                "language": "vi",
            }
        ],
    }


def job_order_body(n: int, rng: random.Random) -> dict[str, Any]:
    """A valid, open SSW i order: a sector's skills, a prefecture, a headcount."""
    sector, codes = rng.choice(SECTORS)
    skills = rng.sample(codes, k=min(len(codes), rng.randint(1, 2)))
    return {
        "title": f"求人 {n} / {sector.value}",
        "sector": sector.value,
        "prefecture": rng.choice(PREFECTURES),
        "headcount": rng.randint(1, 12),
        "min_japanese_level": rng.choice(LEVELS[1:]).value,  # SSW i asks N4 at least
        "required_skills": [
            {"code": code, "min_level": rng.randint(1, 3), "must_have": i == 0}
            for i, code in enumerate(skills)
        ],
        "track": "ssw1",
        "expected_departure_date": (
            date.today() + timedelta(days=rng.randint(90, 300))
        ).isoformat(),
    }


@dataclass(frozen=True)
class Target:
    """One write route: the service, its path, the read-model table it lands in, the bodies."""

    service: str
    path: str
    read_model: str
    body: Callable[[int, random.Random], dict[str, Any]]
    principal: Callable[[int], Principal]


def _centre(connection: int) -> Principal:
    # One organisation per connection, as many centres registering at once would.
    return Principal(
        subject=f"u-{connection}", role=Role.TRAINING_CENTRE, organisation_id=f"tc-{connection}"
    )


def _employer(connection: int) -> Principal:
    return Principal(
        subject=f"u-{connection}", role=Role.EMPLOYER, organisation_id=f"emp-{connection}"
    )


TARGETS = {
    "candidates": Target("candidates", "/candidates", "candidate_view", candidate_body, _centre),
    "job-orders": Target("employers", "/job-orders", "job_order_view", job_order_body, _employer),
}


@dataclass
class Run:
    """What one phase measured."""

    latencies_ms: list[float] = field(default_factory=list)
    accepted_at: list[float] = field(default_factory=list)  # monotonic, in acceptance order
    errors: dict[str, int] = field(default_factory=dict)
    lag_samples_s: list[float] = field(default_factory=list)
    started: float = 0.0
    ended: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds per process family

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def read_model_count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(text(table))).scalar_one())


async def post_loop(
    address: tuple[str, int],
    target: Target,
    connection: int,
    token: str,
    run: Run,
    deadline: float,
    numbers: Iterator[int],
) -> None:
    rng = random.Random(connection)
    client = Connection(*address)
    try:
        while time.monotonic() < deadline:
            body = target.body(next(numbers), rng)
            began = time.monotonic()
            try:
                status, answer = await asyncio.wait_for(client.post(target.path, body, token), 30)
            except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as error:
                run.error(type(error).__name__)
                client.close()
                continue
            done = time.monotonic()
            if status == 201:
                run.latencies_ms.append((done - began) * 1000)
                run.accepted_at.append(done)
            else:
                run.error(f"HTTP {status}")
                if len(run.errors) == 1 and sum(run.errors.values()) == 1:
                    print(f"  first error: {status} {answer[:300]!r}", flush=True)
    finally:
        client.close()


async def sample_lag(
    engine: Engine, table: str, before: int, run: Run, stop: asyncio.Event
) -> None:
    """Every 100 ms: how long ago the oldest accepted write the read model lacks was accepted."""
    while not stop.is_set():
        held = await asyncio.to_thread(read_model_count, engine, table) - before
        now = time.monotonic()
        accepted = run.accepted_at
        run.lag_samples_s.append(now - accepted[held] if held < len(accepted) else 0.0)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.1)


async def drive(
    base_url: str,
    target: Target,
    connections: int,
    duration_s: float,
    matching: Engine,
    issuer: str,
    children: dict[str, int],
) -> tuple[Run, int]:
    """Post for `duration_s` on `connections` connections; returns the run and the read
    model's row count before it."""
    run = Run()
    before = read_model_count(matching, target.read_model)
    tokens = [development_token(target.principal(n), issuer=issuer) for n in range(connections)]
    numbers = itertools.count()
    parts = urlsplit(base_url)
    address = (parts.hostname or "127.0.0.1", parts.port or 80)
    # One warm-up write per connection: the first request pays imports and pool fills.
    warming = Connection(*address)
    for n, token in enumerate(tokens):
        body = target.body(next(numbers), random.Random(-n))
        status, answer = await warming.post(target.path, body, token)
        if status != 201:
            raise SystemExit(f"warm-up {target.path}: {status} {answer[:500]!r}")
    warming.close()
    await wait_for_read_model(matching, target.read_model, before + len(tokens), 60)
    before += len(tokens)
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_lag(matching, target.read_model, before, run, stop))
    cpu_before = cpu_shares.sample(children)
    run.started = time.monotonic()
    deadline = run.started + duration_s
    await asyncio.gather(
        *(
            post_loop(address, target, n, tokens[n], run, deadline, numbers)
            for n in range(connections)
        )
    )
    run.ended = time.monotonic()
    run.cpu = cpu_shares.shares(cpu_before, cpu_shares.sample(children))
    stop.set()
    await sampler
    return run, before


async def wait_for_read_model(engine: Engine, table: str, count: int, timeout_s: float) -> float:
    """The monotonic time at which `table` was seen holding `count` rows (polled every 20 ms)."""
    began = time.monotonic()
    while await asyncio.to_thread(read_model_count, engine, table) < count:
        if time.monotonic() - began > timeout_s:
            raise TimeoutError(f"{table} still short of {count} rows after {timeout_s:.0f} s")
        await asyncio.sleep(0.02)
    return time.monotonic()


def relay_delays(url: str, since: datetime) -> list[float]:
    """Seconds from each outbox row's writing to the broker's acknowledgement (its `sent_at`),
    for the rows written since `since`: the relay's share of the lag."""
    engine = make_engine(url)
    sent_at = col(OutboxMessage.sent_at)
    query = select(col(OutboxMessage.created_at), sent_at).where(
        col(OutboxMessage.created_at) >= since, sent_at.is_not(None)
    )
    try:
        with engine.connect() as connection:
            rows = connection.execute(query).all()
    finally:
        engine.dispose()
    return [(sent - created).total_seconds() for created, sent in rows if sent is not None]


def verdict(value: float, target: float, higher_is_better: bool) -> str:
    good = value >= target if higher_is_better else value <= target
    return "meets" if good else "misses"


def report(name: str, run: Run, settle_s: float, label: str, relay_s: list[float]) -> None:
    seconds = run.ended - run.started
    accepted = len(run.latencies_ms)
    rps = accepted / seconds if seconds else 0.0
    cuts = statistics.quantiles(run.latencies_ms, n=100) if accepted >= 2 else [0.0] * 99
    p50, p95, p99 = statistics.median(run.latencies_ms or [0.0]), cuts[94], cuts[98]
    lag = max(run.lag_samples_s or [0.0])
    errors = sum(run.errors.values())
    kinds = ", ".join(f"{k}: {v}" for k, v in sorted(run.errors.items())) or "none"
    print(f"POST {name} ({label}): {accepted} accepted in {seconds:.1f} s", flush=True)
    print(
        f"  throughput   {rps:7.1f} req/s   target >= {TARGET_RPS:.0f}   {verdict(rps, TARGET_RPS, True)}"
    )
    print(f"  latency p50  {p50:7.1f} ms")
    print(f"  latency p95  {p95:7.1f} ms")
    print(
        f"  latency p99  {p99:7.1f} ms      target <= {TARGET_P99_MS:.0f}   {verdict(p99, TARGET_P99_MS, False)}"
    )
    print(f"  errors       {errors:7d}         ({kinds})")
    print(
        f"  outbox lag under load, worst 100 ms sample  {lag:5.2f} s   target <= {TARGET_LAG_S:.0f}   {verdict(lag, TARGET_LAG_S, False)}"
    )
    if relay_s:
        cut = statistics.quantiles(relay_s, n=100)[98] if len(relay_s) >= 2 else relay_s[0]
        print(
            f"  of which the relay (outbox row written -> broker ack): "
            f"p50 {statistics.median(relay_s):.2f} s, p99 {cut:.2f} s, max {max(relay_s):.2f} s"
        )
    print(
        f"  last accepted write -> matching holds all   {settle_s:5.2f} s   target <= {TARGET_LAG_S:.0f}   {verdict(settle_s, TARGET_LAG_S, False)}",
        flush=True,
    )
    print(cpu_shares.describe(run.cpu, seconds, accepted), flush=True)


@contextlib.contextmanager
def databases(server_url: str | None) -> Iterator[dict[str, str]]:
    """Fresh PostgreSQL databases per service on `server_url` (dropped afterwards), or none:
    the services then keep SQLite files under the supervisor's data folder."""
    if not server_url:
        yield {}
        return
    with scratch_databases(server_url, "kakehashi_load", DATABASES) as urls:
        yield urls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=16, help="concurrent callers")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per route")
    parser.add_argument("--routes", nargs="+", choices=sorted(TARGETS), default=sorted(TARGETS))
    parser.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL server URL (postgresql+psycopg://user@host:port/postgres): a fresh "
        "database per service is made on it; SQLite files when empty",
    )
    parser.add_argument(
        "--workers", type=int, default=0, help="API worker processes (0: the services' default)"
    )
    parser.add_argument("--log-level", default="", help="the services' log level (default theirs)")
    args = parser.parse_args()
    label = "PostgreSQL" if args.database_url else "SQLite"
    with databases(args.database_url or None) as urls, tempfile.TemporaryDirectory() as scratch:
        env = {f"KAKEHASHI_{s.upper()}_DATABASE_URL": url for s, url in urls.items()}
        for service in ("candidates", "employers"):
            if args.workers:
                env[f"KAKEHASHI_{service.upper()}_API_WORKERS"] = str(args.workers)
        if args.log_level:
            env |= {f"KAKEHASHI_{s.upper()}_LOG_LEVEL": args.log_level for s in DATABASES}
        ports = Ports(
            broker=free_port(),
            apis={s: free_port() for s in ("candidates", "employers", "matching", "identity")},
            mail=free_port(),
            metrics={p.name: free_port() for p in PROCESSES if p.subcommand != "api"},
        )
        processes = tuple(p for p in PROCESSES if p.name in RUNNING)
        supervisor = Supervisor(
            Path(scratch),
            ports=ports,
            env=env,
            processes=processes,
            say=lambda s: print(s, flush=True),
        )
        supervisor.start()
        matching = make_engine(urls.get("matching") or f"sqlite:///{Path(scratch) / 'matching.db'}")
        workers = args.workers or "default"
        print(
            f"{label}, {args.connections} connections, {args.duration:.0f} s per route, "
            f"API workers: {workers}",
            flush=True,
        )
        try:
            for name in args.routes:
                target = TARGETS[name]
                began = datetime.now(UTC)
                run, before = asyncio.run(
                    drive(
                        supervisor.url(target.service),
                        target,
                        args.connections,
                        args.duration,
                        matching,
                        supervisor.url("identity"),
                        {name: child.pid for name, child in supervisor.children},
                    )
                )
                expected = before + len(run.accepted_at)
                settled = asyncio.run(
                    wait_for_read_model(matching, target.read_model, expected, 120)
                )
                settle_s = settled - run.accepted_at[-1] if run.accepted_at else 0.0
                producer = (
                    urls.get(target.service)
                    or f"sqlite:///{Path(scratch) / f'{target.service}.db'}"
                )
                report(name, run, settle_s, label, relay_delays(producer, began))
            dead = supervisor.dead_child()
            if dead is not None:
                print(f"a process died during the run: {dead}", file=sys.stderr)
        finally:
            matching.dispose()
            supervisor.stop()


if __name__ == "__main__":
    main()
