"""Time from a commit with an outbox row to the broker's acknowledgement of it, per relay mode.

Compares the relay polling every 50 ms (how it ran before, `--mode poll`) with the relay that
sleeps until the commit wakes it (`--mode wake`, today's default). A real broker, a SQLite file (or
a PostgreSQL database), the relay in a thread; commits come at random intervals, so the relay is
idle before each one.

    uv run python bench/relay_latency.py --events 40
    uv run python bench/relay_latency.py --postgres postgresql+psycopg://user@host/postgres
"""

from __future__ import annotations

import argparse
import contextlib
import random
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import SQLModel, select

from kakehashi.devtools.broker import start_tansu
from kakehashi.devtools.scratch_database import scratch_database
from kakehashi.shared.db import SessionFactory, make_engine, make_session_factory
from kakehashi.shared.events import CANDIDATE_EVENTS, EventEnvelope
from kakehashi.shared.kafka import ensure_topics, make_producer
from kakehashi.shared.outbox import LANES, OutboxLane, OutboxMessage, OutboxRelay
from kakehashi.shared.relay_wakeup import Wakeup
from kakehashi.shared.unit_of_work import UnitOfWork


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def database(mode: str, folder: Path, postgres: str | None) -> Iterator[str]:
    """A fresh database's URL: a SQLite file, or a new database on the `postgres` server."""
    if not postgres:
        yield f"sqlite:///{folder / f'{mode}.db'}"
        return
    with scratch_database(postgres, f"kakehashi_bench_{mode}") as url:
        yield url.render_as_string(hide_password=False)


def measure(mode: str, events: int, servers: list[str], url: str) -> list[float]:
    """Milliseconds from each commit to the broker's acknowledgement of its event (the row's
    `sent_at`, which the relay records on the ack), for `events` events."""
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(OutboxLane.__table__), [{"lane": n} for n in range(LANES)])  # type: ignore[attr-defined]
    sessions = make_session_factory(engine)
    if mode == "poll":  # the relay as it was: no wake-ups, a look every 50 ms
        relay = OutboxRelay(
            sessions, make_producer(servers), wakeup=Wakeup(), idle_first_s=0.05, idle_max_s=0.05
        )
    else:
        relay = OutboxRelay(sessions, make_producer(servers))
    stop = threading.Event()
    runner = threading.Thread(target=relay.run, args=(stop,))
    runner.start()
    latencies: list[float] = []
    try:
        uow = UnitOfWork(sessions)
        for n in range(events):
            time.sleep(random.uniform(0.2, 1.5))  # the relay goes idle in between
            event = EventEnvelope.new(
                type="candidate.registered", source="bench", subject=f"{mode}-{n}", data={}
            )
            with uow:
                uow.emit(CANDIDATE_EVENTS, event)
                uow.commit()
            committed = datetime.now(UTC)
            sent = None
            while sent is None:
                time.sleep(0.005)
                sent = _sent_at(sessions, str(event.id))
            latencies.append((sent - committed).total_seconds() * 1000)
    finally:
        stop.set()
        runner.join(timeout=30)
        relay.producer.close(timeout=10)
        engine.dispose()
    return latencies


def _sent_at(sessions: SessionFactory, event_id: str) -> datetime | None:
    with sessions() as session:
        query = select(OutboxMessage.sent_at).where(OutboxMessage.event_id == event_id)
        return session.exec(query).one()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=40)
    parser.add_argument("--mode", choices=["poll", "wake", "both"], default="both")
    parser.add_argument(
        "--postgres", default="", help="a PostgreSQL server URL to use instead of SQLite files"
    )
    args = parser.parse_args()
    port = free_port()
    broker: subprocess.Popen[bytes] = start_tansu("127.0.0.1", port)
    servers = [f"127.0.0.1:{port}"]
    try:
        ensure_topics(servers, [CANDIDATE_EVENTS])
        with tempfile.TemporaryDirectory() as scratch:
            for mode in ["poll", "wake"] if args.mode == "both" else [args.mode]:
                with database(mode, Path(scratch), args.postgres) as url:
                    latencies = measure(mode, args.events, servers, url)
                cuts = statistics.quantiles(latencies, n=20)
                print(
                    f"commit -> broker ack, relay mode {mode}, {args.events} events, "
                    f"{'PostgreSQL' if args.postgres else 'SQLite'} (ms): "
                    f"p50 {statistics.median(latencies):.0f}, p95 {cuts[18]:.0f}, "
                    f"max {max(latencies):.0f}",
                    flush=True,
                )
    finally:
        broker.terminate()
        broker.wait(timeout=10)


if __name__ == "__main__":
    main()
