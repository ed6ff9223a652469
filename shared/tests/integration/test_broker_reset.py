"""A broker that loses its log (kill -9 of a memory broker, a new one on the same port) never
makes the consumer skip: it re-reads the new log from its start and the inbox drops repeats."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kafka import KafkaProducer
from sqlmodel import select

from conftest import Broker, wait_until
from kakehashi.shared.applier import EventApplier
from kakehashi.shared.consumer import EventConsumer
from kakehashi.shared.db import SessionFactory
from kakehashi.shared.events import CANDIDATE_EVENTS, EventEnvelope
from kakehashi.shared.kafka import make_consumer, make_producer
from kakehashi.shared.log_watch import ConsumedLog, LogWatch, recovering_topics
from kakehashi.shared.unit_of_work import UnitOfWork
from shared.tests.integration.test_consumer import Tally, count_up

pytestmark = pytest.mark.integration

GROUP = "reset-group"


@pytest.fixture
def consumer(broker: Broker, sessions: SessionFactory) -> Iterator[EventConsumer]:
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
    yield runner
    runner.consumer.close()
    runner.dead_letters.close(timeout=10)


def _publish(broker: Broker, events: list[EventEnvelope]) -> None:
    producer: KafkaProducer = make_producer(broker.servers)
    try:
        for event in events:
            producer.send(CANDIDATE_EVENTS, key=event.subject.encode(), value=event.to_bytes())
        producer.flush(timeout=10)
    finally:
        producer.close(timeout=10)


def _counts(sessions: SessionFactory) -> dict[str, int]:
    with sessions() as session:
        return {row.key: row.count for row in session.exec(select(Tally))}


def _step(consumer: EventConsumer) -> None:
    consumer.poll_once(timeout_ms=100)
    consumer.check_log()


def _registered(subject: str) -> EventEnvelope:
    return EventEnvelope.new(type="candidate.registered", source="test", subject=subject, data={})


@pytest.mark.parametrize("new_events", [2, 40], ids=["shorter-new-log", "longer-new-log"])
def test_a_replaced_log_is_read_from_its_start_and_nothing_applies_twice(
    broker: Broker, sessions: SessionFactory, consumer: EventConsumer, new_events: int
) -> None:
    before = [_registered(f"before-{n}") for n in range(9)]
    _publish(broker, before)
    wait_until(lambda: len(_counts(sessions)) == 9, step=lambda: _step(consumer))

    broker.replace()
    after = [_registered(f"after-{n}") for n in range(new_events)]
    # The new log also carries a repeat of an event applied before the loss (a republish).
    _publish(broker, [before[0], *after])

    wanted = {e.subject for e in before + after}
    wait_until(lambda: set(_counts(sessions)) == wanted, timeout_s=60, step=lambda: _step(consumer))
    assert set(_counts(sessions).values()) == {1}
    assert consumer.watch is not None
    assert consumer.watch.resets == 1
    wait_until(lambda: not _recovering(sessions), timeout_s=30, step=lambda: _step(consumer))
    with sessions() as session:
        record = session.get(ConsumedLog, (GROUP, CANDIDATE_EVENTS))
    assert record is not None
    assert record.resets == consumer.watch.resets
    assert record.topic_id is not None


def _recovering(sessions: SessionFactory) -> list[ConsumedLog]:
    with sessions() as session:
        return recovering_topics(session)
