"""A broker that loses events it acknowledged (kill -9 of a memory broker, an empty one on the same
port): the relay says so at ERROR, and `republish` from the outbox brings the consumer to exactly
the producer's count, nothing applied twice."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from conftest import Broker, wait_until
from kakehashi.shared.acked_log import AcknowledgedLog
from kakehashi.shared.applier import EventApplier, InboxEntry
from kakehashi.shared.consumer import EventConsumer
from kakehashi.shared.db import SessionFactory
from kakehashi.shared.events import CANDIDATE_EVENTS, EventEnvelope
from kakehashi.shared.kafka import make_consumer, make_producer
from kakehashi.shared.log_watch import LogWatch
from kakehashi.shared.outbox import OutboxMessage, OutboxRelay, pending_count
from kakehashi.shared.recovery import RecoveryError, rebuild_read_model, republish, table_counts
from kakehashi.shared.unit_of_work import UnitOfWork
from shared.tests.integration.test_consumer import Tally, count_up

pytestmark = pytest.mark.integration

GROUP = "loss-group"


def _consumer(broker: Broker, sessions: SessionFactory) -> EventConsumer:
    """The consumer process as it starts: positions from the database, a log watch."""

    def uow() -> UnitOfWork:
        return UnitOfWork(sessions)

    runner = EventConsumer(
        applier=EventApplier(GROUP, {"candidate.registered": count_up}, uow),
        topics=[CANDIDATE_EVENTS],
        consumer=make_consumer(broker.servers, GROUP),
        dead_letters=make_producer(broker.servers),
        watch=LogWatch(GROUP, uow),
        log_check_interval_s=0.2,
    )
    runner.assign()
    return runner


def _close(runner: EventConsumer) -> None:
    runner.consumer.close()
    runner.dead_letters.close(timeout=10)


@pytest.fixture
def relay(broker: Broker, sessions: SessionFactory) -> Iterator[OutboxRelay]:
    acked = AcknowledgedLog(broker.servers, check_interval_s=0.0)
    outbox_relay = OutboxRelay(sessions, make_producer(broker.servers), acked=acked)
    yield outbox_relay
    outbox_relay.producer.close(timeout=10)
    acked.close()


def _register(sessions: SessionFactory, subjects: list[str]) -> list[EventEnvelope]:
    """What the producing service does: its state change's events go to its outbox."""
    events = [
        EventEnvelope.new(type="candidate.registered", source="test", subject=s, data={})
        for s in subjects
    ]
    with UnitOfWork(sessions) as uow:
        for event in events:
            uow.emit(CANDIDATE_EVENTS, event)
        uow.commit()
    return events


def _publish_all(relay: OutboxRelay, sessions: SessionFactory) -> None:
    wait_until(lambda: relay.publish_pending() >= 0 and pending_count(sessions) == 0)


def _tally(sessions: SessionFactory) -> dict[str, int]:
    with sessions() as session:
        return {row.key: row.count for row in session.exec(select(Tally))}


def _step(runner: EventConsumer) -> None:
    runner.poll_once(timeout_ms=100)
    runner.check_log()


def test_republish_after_a_lost_broker_applies_exactly_the_producers_count(
    broker: Broker,
    sessions: SessionFactory,
    relay: OutboxRelay,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The consumer applies a first batch, then stops (a consumer down, or slow).
    consumer = _consumer(broker, sessions)
    _register(sessions, [f"early-{n}" for n in range(5)])
    _publish_all(relay, sessions)
    wait_until(lambda: len(_tally(sessions)) == 5, step=lambda: _step(consumer))
    _close(consumer)

    # The producer goes on: the relay publishes and the outbox marks every row sent.
    late = _register(sessions, [f"late-{n}" for n in range(20)])
    _publish_all(relay, sessions)
    assert relay.acked is not None
    assert relay.acked.check() is False  # the broker holds what it acknowledged

    broker.replace()  # kill -9: the memory broker's log is gone; a new, empty one
    with caplog.at_level(logging.ERROR, logger="kakehashi.shared.acked_log"):
        wait_until(relay.acked.check, timeout_s=30)
    assert relay.acked.losses == 1
    assert "the broker lost events it had acknowledged" in caplog.text
    assert relay.acked.check() is False  # reported once

    producer = make_producer(broker.servers)
    try:
        with pytest.raises(RecoveryError, match="no outbox row"):
            republish(sessions, producer, from_event="00000000-0000-0000-0000-000000000000")
        progress: list[tuple[int, int]] = []
        sent = republish(
            sessions, producer, batch_size=10, on_progress=lambda *p: progress.append(p)
        )
        assert sent == 25
        assert progress == [(10, 25), (20, 25), (25, 25)]
        # From an event on, or since a time: a part of the outbox, sent again (harmless).
        assert republish(sessions, producer, from_event=str(late[15].id)) == 5
        newest = late[-1].time
        assert republish(sessions, producer, since=newest) == 1
        assert republish(sessions, producer, since=newest + timedelta(seconds=1)) == 0
    finally:
        producer.close(timeout=10)

    restarted = _consumer(broker, sessions)
    try:
        wanted = {f"early-{n}" for n in range(5)} | {e.subject for e in late}
        wait_until(
            lambda: set(_tally(sessions)) == wanted, timeout_s=60, step=lambda: _step(restarted)
        )
        for _ in range(10):  # the repeats republished last are read too
            _step(restarted)
    finally:
        _close(restarted)
    assert set(_tally(sessions).values()) == {1}
    with sessions() as session:
        applied = session.exec(select(func.count()).select_from(InboxEntry)).one()
        produced = session.exec(select(func.count()).select_from(OutboxMessage)).one()
    assert applied == produced == 25


def test_rebuild_empties_the_read_model_and_refills_it_from_the_start_of_the_log(
    broker: Broker, sessions: SessionFactory, relay: OutboxRelay
) -> None:
    consumer = _consumer(broker, sessions)
    _register(sessions, [f"cand-{n}" for n in range(12)])
    _publish_all(relay, sessions)
    wait_until(lambda: len(_tally(sessions)) == 12, step=lambda: _step(consumer))
    _close(consumer)
    with sessions() as session:  # the read model drifted: a lost row, a wrong one, a stray one
        session.delete(session.get(Tally, "cand-0"))
        wrong = session.get(Tally, "cand-1")
        assert wrong is not None
        wrong.count = 7
        session.add_all([wrong, Tally(key="stray", count=1)])
        session.commit()

    rebuilding = _consumer(broker, sessions)
    progress: list[tuple[int, int]] = []
    try:
        handled = rebuild_read_model(
            rebuilding,
            ["test_tally"],
            quiet_s=0.5,
            timeout_s=60,
            on_progress=lambda *p: progress.append(p),
        )
    finally:
        _close(rebuilding)
    assert handled == 12
    assert progress[-1][0] == 12
    assert _tally(sessions) == {f"cand-{n}": 1 for n in range(12)}
    assert table_counts(lambda: UnitOfWork(sessions), ["test_tally"]) == {"test_tally": 12}
