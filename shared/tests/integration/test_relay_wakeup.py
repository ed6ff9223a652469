"""An idle relay sleeps until a commit wakes it, against a real broker and a real database.

On SQLite (the default) the wake-up is a datagram; with KAKEHASHI_TEST_POSTGRES_URL set the same
tests run on PostgreSQL, where it is a NOTIFY. The relays here wait up to 20-30 s when idle, so a
row published within a few seconds was published because the commit woke the relay.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, insert, text

from conftest import Broker, read_topic, wait_until
from kakehashi.shared.applier import InboxEntry
from kakehashi.shared.db import SessionFactory
from kakehashi.shared.events import CANDIDATE_EVENTS, EventEnvelope
from kakehashi.shared.kafka import make_producer
from kakehashi.shared.outbox import OutboxMessage, OutboxRelay, outbox_values, pending_count
from kakehashi.shared.relay_wakeup import SilentDoorbell, wakeup_for
from kakehashi.shared.unit_of_work import UnitOfWork

pytestmark = pytest.mark.integration

LONG_IDLE_S = 30.0  # longer than any wait below: only a wake-up publishes within it
PROMPTLY_S = 8.0  # generous for a shared 2-core machine, and well below LONG_IDLE_S


def _event(key: str) -> EventEnvelope:
    return EventEnvelope.new(
        type="candidate.registered", source="test", subject=key, data={"sequence": 0}
    )


def _register(uow: UnitOfWork, key: str) -> None:
    with uow:
        uow.emit(CANDIDATE_EVENTS, _event(key))
        uow.commit()


@contextlib.contextmanager
def running(relay: OutboxRelay) -> Iterator[None]:
    """`relay.run` in a thread, past its first pass and idle in its wait when the block starts;
    stopped (and its producer closed) when the block ends."""
    stop = threading.Event()
    runner = threading.Thread(target=relay.run, args=(stop,))
    runner.start()
    try:
        wait_until(lambda: relay.passes >= 1, timeout_s=30)
        time.sleep(0.5)  # the first pass (16 lanes) is over: the relay waits
        yield
    finally:
        stop.set()
        runner.join(timeout=30)
        relay.producer.close(timeout=10)
    assert not runner.is_alive(), "the relay did not stop"


def _seconds_until_published(sessions: SessionFactory, began: float) -> float:
    wait_until(lambda: pending_count(sessions) == 0, timeout_s=PROMPTLY_S)
    return time.monotonic() - began


def test_a_commit_wakes_the_idle_relay_which_publishes_at_once(
    broker: Broker, sessions: SessionFactory
) -> None:
    relay = OutboxRelay(
        sessions,
        make_producer(broker.servers),
        idle_first_s=LONG_IDLE_S,
        idle_max_s=LONG_IDLE_S,
    )
    with running(relay):
        for n in range(3):
            began = time.monotonic()
            _register(UnitOfWork(sessions), f"candidate-{n}")
            assert _seconds_until_published(sessions, began) < PROMPTLY_S
    records = read_topic(broker.servers, CANDIDATE_EVENTS, expected=3)
    assert sorted(r.key.decode() for r in records) == [f"candidate-{n}" for n in range(3)]
    # One pass at start, then per commit: the woken pass and the one that finds nothing more.
    assert relay.passes <= 1 + 3 * 2 + 1


def test_rows_inserted_in_bulk_wake_the_relay_too(broker: Broker, sessions: SessionFactory) -> None:
    relay = OutboxRelay(
        sessions, make_producer(broker.servers), idle_first_s=LONG_IDLE_S, idle_max_s=LONG_IDLE_S
    )
    with running(relay):
        began = time.monotonic()
        uow = UnitOfWork(sessions)
        with uow:
            rows = [outbox_values(CANDIDATE_EVENTS, _event(f"bulk-{n}")) for n in range(20)]
            uow.session.execute(insert(OutboxMessage.__table__), rows)  # type: ignore[attr-defined]
            uow.commit()
        assert _seconds_until_published(sessions, began) < PROMPTLY_S
    assert len(read_topic(broker.servers, CANDIDATE_EVENTS, expected=20)) == 20


def test_with_every_wakeup_lost_rows_are_published_within_the_longest_idle_wait(
    broker: Broker, sessions: SessionFactory
) -> None:
    longest_s = 1.0
    relay = OutboxRelay(
        sessions, make_producer(broker.servers), idle_first_s=0.05, idle_max_s=longest_s
    )
    deaf = UnitOfWork(sessions, SilentDoorbell())  # commits that wake nobody
    with running(relay):
        time.sleep(2.5)  # idle long enough for the waits to reach their longest
        for n in range(2):
            began = time.monotonic()
            _register(deaf, f"unheard-{n}")
            # At most the longest wait plus a pass (a busy shared machine gets some slack).
            assert _seconds_until_published(sessions, began) < longest_s + 3
            time.sleep(2.0)
    assert len(read_topic(broker.servers, CANDIDATE_EVENTS, expected=2)) == 2


def test_an_idle_relay_looks_a_few_times_not_twenty_times_a_second(
    broker: Broker, sessions: SessionFactory
) -> None:
    relay = OutboxRelay(sessions, make_producer(broker.servers), idle_first_s=0.05, idle_max_s=1.0)
    with running(relay):
        time.sleep(4.0)
    # Waits of 0.05, 0.1, 0.2, 0.4, 0.8, then 1 s: about 8 passes in 4 s (polling: 80).
    assert 3 <= relay.passes <= 12


def test_only_a_committed_transaction_with_outbox_rows_rings(sessions: SessionFactory) -> None:
    engine = sessions.kw["bind"]
    wakeup = wakeup_for(engine)
    wakeup.open()
    try:
        uow = UnitOfWork(sessions)
        with uow:
            uow.emit(CANDIDATE_EVENTS, _event("rolled-back"))
            uow.session.flush()
            uow.rollback()
        with uow:  # a change without events
            uow.session.add(
                InboxEntry(
                    consumer_group="test",
                    event_id=str(uuid.uuid4()),
                    event_type="test.seen",
                    processed_at=datetime.now(UTC),
                )
            )
            uow.commit()
        assert wakeup.wait(timeout_s=0.5) is False
        _register(uow, "committed")
        assert wakeup.wait(timeout_s=PROMPTLY_S) is True
        # Each commit rings once: nothing is left for the next wait.
        assert wakeup.wait(timeout_s=0.3) is False
    finally:
        wakeup.close()


RELAY_PROCESS = """
import sys
from kakehashi.shared.db import make_engine, make_session_factory
from kakehashi.shared.kafka import make_producer
from kakehashi.shared.outbox import OutboxRelay
from kakehashi.shared.process import stop_on_signals

url, servers, idle_s = sys.argv[1], sys.argv[2], float(sys.argv[3])
sessions = make_session_factory(make_engine(url))
relay = OutboxRelay(sessions, make_producer([servers]), idle_first_s=idle_s, idle_max_s=idle_s)
stop = stop_on_signals()
print("running", flush=True)
relay.run(stop)
relay.producer.close(timeout=10)
print(f"passes {relay.passes}", flush=True)
"""


def test_a_relay_in_another_process_is_woken_by_the_commit_and_stops_at_once(
    broker: Broker, sessions: SessionFactory
) -> None:
    url = sessions.kw["bind"].url.render_as_string(hide_password=False)
    relay = subprocess.Popen(
        [sys.executable, "-c", RELAY_PROCESS, url, broker.bootstrap, str(LONG_IDLE_S)],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )
    try:
        assert relay.stdout is not None
        assert relay.stdout.readline().strip() == "running"
        time.sleep(1.0)  # idle: into its long wait
        for n in range(3):
            began = time.monotonic()
            _register(UnitOfWork(sessions), f"elsewhere-{n}")
            assert _seconds_until_published(sessions, began) < PROMPTLY_S
        stopping = time.monotonic()
        relay.send_signal(signal.SIGTERM)
        out, _ = relay.communicate(timeout=LONG_IDLE_S)
        assert time.monotonic() - stopping < PROMPTLY_S  # the signal cut its idle wait short
    finally:
        if relay.poll() is None:
            relay.kill()
            relay.wait()
    assert relay.returncode == 0
    passes = int(out.split()[-1])
    assert 1 <= passes <= 1 + 3 * 2 + 1
    assert len(read_topic(broker.servers, CANDIDATE_EVENTS, expected=3)) == 3


def _listeners(engine: Engine) -> list[int]:
    """The backends LISTENing for outbox rows (a fresh transaction: its view is not cached)."""
    query = text(
        "SELECT pid FROM pg_stat_activity "
        "WHERE datname = current_database() AND query = 'LISTEN kakehashi_outbox'"
    )
    with engine.connect() as connection:
        return [int(pid) for pid in connection.execute(query).scalars()]


def test_a_relay_that_lost_its_listen_connection_listens_again(
    postgres_only: None, broker: Broker, sessions: SessionFactory
) -> None:
    relay = OutboxRelay(
        sessions, make_producer(broker.servers), idle_first_s=LONG_IDLE_S, idle_max_s=LONG_IDLE_S
    )
    engine = sessions.kw["bind"]
    with running(relay):
        (listener,) = wait_until(lambda: _listeners(engine))
        with engine.begin() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": listener})
        # It listens again within its reconnect delay (5 s), not after its 30 s idle wait.
        (again,) = wait_until(lambda: _listeners(engine), timeout_s=15)
        assert again != listener
        began = time.monotonic()
        _register(UnitOfWork(sessions), "after-reconnect")
        assert _seconds_until_published(sessions, began) < PROMPTLY_S
