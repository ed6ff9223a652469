"""The idempotent consumer's Kafka loop against a real broker and a real database."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from kafka import KafkaProducer
from sqlalchemy import func
from sqlmodel import Field, SQLModel, select

from conftest import Broker, read_topic, wait_until
from kakehashi.shared.applier import ConsumerPosition, EventApplier, InboxEntry
from kakehashi.shared.consumer import EventConsumer
from kakehashi.shared.db import SessionFactory
from kakehashi.shared.events import CANDIDATE_EVENTS, EventEnvelope, dead_letter_topic
from kakehashi.shared.kafka import ensure_topics, make_consumer, make_producer
from kakehashi.shared.unit_of_work import UnitOfWork

pytestmark = pytest.mark.integration

GROUP = "test-group"


class Tally(SQLModel, table=True):
    """A counter per subject: the effect these tests observe."""

    __tablename__ = "test_tally"

    key: str = Field(primary_key=True)
    count: int = 0


def count_up(event: EventEnvelope, uow: UnitOfWork) -> None:
    row = uow.session.get(Tally, event.subject) or Tally(key=event.subject)
    row.count += 1
    uow.session.add(row)


def explode(event: EventEnvelope, uow: UnitOfWork) -> None:
    raise ValueError(f"cannot apply {event.type}")


@pytest.fixture
def producer(broker: Broker) -> Iterator[KafkaProducer]:
    ensure_topics(broker.servers, [dead_letter_topic(GROUP)])
    client = make_producer(broker.servers)
    yield client
    client.close(timeout=10)


@pytest.fixture
def consumer(broker: Broker, sessions: SessionFactory) -> Iterator[EventConsumer]:
    handlers = {"candidate.registered": count_up, "candidate.broken": explode}
    runner = EventConsumer(
        applier=EventApplier(GROUP, handlers, lambda: UnitOfWork(sessions)),
        topics=[CANDIDATE_EVENTS],
        consumer=make_consumer(broker.servers, GROUP),
        dead_letters=make_producer(broker.servers),
        max_attempts=2,
        retry_backoff_s=0.01,
    )
    runner.assign()
    yield runner
    runner.consumer.close()
    runner.dead_letters.close(timeout=10)


def _event(subject: str, type: str = "candidate.registered") -> EventEnvelope:
    return EventEnvelope.new(type=type, source="test", subject=subject, data={})


def _send(producer: KafkaProducer, key: str, value: bytes) -> None:
    producer.send(CANDIDATE_EVENTS, key=key.encode(), value=value).get(timeout=10)


def _tally(sessions: SessionFactory, key: str) -> int:
    with sessions() as session:
        row = session.get(Tally, key)
        return row.count if row else 0


def _handled_until(consumer: EventConsumer, condition: object) -> None:
    wait_until(condition, step=consumer.poll_once)  # type: ignore[arg-type]


def test_an_event_delivered_twice_is_applied_once(
    producer: KafkaProducer, consumer: EventConsumer, sessions: SessionFactory
) -> None:
    event = _event("candidate-1")
    _send(producer, "candidate-1", event.to_bytes())
    _send(producer, "candidate-1", event.to_bytes())
    _send(producer, "candidate-1", _event("candidate-1").to_bytes())  # a different event
    handled = 0

    def step() -> None:
        nonlocal handled
        handled += consumer.poll_once()

    wait_until(lambda: handled >= 3, step=step)
    assert _tally(sessions, "candidate-1") == 2
    with sessions() as session:
        inbox = session.exec(select(func.count()).select_from(InboxEntry)).one()
    assert inbox == 2


def test_a_poison_message_goes_to_the_dead_letter_topic_and_the_partition_moves_on(
    broker: Broker, producer: KafkaProducer, consumer: EventConsumer, sessions: SessionFactory
) -> None:
    _send(producer, "candidate-2", b"\x00 not json")
    _send(producer, "candidate-2", _event("candidate-2").to_bytes())
    _handled_until(consumer, lambda: _tally(sessions, "candidate-2") == 1)
    [dead] = read_topic(broker.servers, dead_letter_topic(GROUP), expected=1)
    headers = dict(dead.headers)
    assert dead.value == b"\x00 not json"
    assert headers["dlq_original_topic"] == CANDIDATE_EVENTS.encode()
    assert headers["dlq_consumer_group"] == GROUP.encode()
    assert headers["dlq_original_offset"] == b"0"
    assert b"json" in headers["dlq_error"].lower()


def test_a_handler_that_keeps_failing_is_dead_lettered_after_its_retries(
    broker: Broker, producer: KafkaProducer, consumer: EventConsumer, sessions: SessionFactory
) -> None:
    broken = _event("candidate-3", type="candidate.broken")
    _send(producer, "candidate-3", broken.to_bytes())
    _send(producer, "candidate-3", _event("candidate-3").to_bytes())
    _handled_until(consumer, lambda: _tally(sessions, "candidate-3") == 1)
    [dead] = read_topic(broker.servers, dead_letter_topic(GROUP), expected=1)
    assert json.loads(dead.value)["id"] == str(broken.id)
    assert dict(dead.headers)["dlq_error_type"] == b"ValueError"
    with sessions() as session:  # the failed event left no inbox row: it was not applied
        assert session.get(InboxEntry, (GROUP, str(broken.id))) is None


def test_offsets_are_committed_after_the_effect(
    broker: Broker, producer: KafkaProducer, consumer: EventConsumer, sessions: SessionFactory
) -> None:
    for n in range(3):
        _send(producer, f"candidate-{n}", _event(f"candidate-{n}").to_bytes())
    _handled_until(consumer, lambda: sum(_tally(sessions, f"candidate-{n}") for n in range(3)) == 3)
    with sessions() as session:
        positions = session.exec(select(ConsumerPosition)).all()
    assert sum(p.next_offset for p in positions) == 3  # stored with the effect
    committed = sum(
        consumer.consumer.committed(partition) or 0 for partition in consumer.consumer.assignment()
    )
    assert committed == 3  # and committed to Kafka after it


def test_a_restarted_consumer_resumes_from_its_stored_positions(
    broker: Broker, producer: KafkaProducer, consumer: EventConsumer, sessions: SessionFactory
) -> None:
    _send(producer, "candidate-9", _event("candidate-9").to_bytes())
    _handled_until(consumer, lambda: _tally(sessions, "candidate-9") == 1)
    consumer.consumer.close()
    _send(producer, "candidate-9", _event("candidate-9").to_bytes())
    restarted = EventConsumer(
        applier=EventApplier(
            GROUP, {"candidate.registered": count_up}, lambda: UnitOfWork(sessions)
        ),
        topics=[CANDIDATE_EVENTS],
        consumer=make_consumer(broker.servers, GROUP),
        dead_letters=consumer.dead_letters,
    )
    restarted.assign()
    handled = 0

    def step() -> None:
        nonlocal handled
        handled += restarted.poll_once()

    try:
        wait_until(lambda: _tally(sessions, "candidate-9") == 2, step=step)
        restarted.poll_once(timeout_ms=500)
    finally:
        restarted.consumer.close()
    assert handled == 1  # only the new message: the first was not read again


def test_an_event_type_without_a_handler_is_skipped_and_the_partition_moves_on(
    broker: Broker, producer: KafkaProducer, consumer: EventConsumer, sessions: SessionFactory
) -> None:
    unknown = _event("candidate-4", type="candidate.teleported")
    _send(producer, "candidate-4", unknown.to_bytes())
    _send(producer, "candidate-4", _event("candidate-4").to_bytes())
    _handled_until(consumer, lambda: _tally(sessions, "candidate-4") == 1)
    assert consumer.skipped_unknown == {"candidate.teleported": 1}
    with sessions() as session:  # skipped, not recorded as applied
        assert session.get(InboxEntry, (GROUP, str(unknown.id))) is None
    assert read_topic(broker.servers, dead_letter_topic(GROUP), expected=0, timeout_s=1) == []
