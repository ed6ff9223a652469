"""Dead letters an operator can act on, against a real broker and a real database: a poison event
is dead-lettered by the consumer, listed, fixed, replayed through the applier (applied once), and
a discard is audited; handled records do not show as pending again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kafka import KafkaProducer
from sqlmodel import select

from conftest import Broker, wait_until
from kakehashi.shared.applier import EventApplier, InboxEntry
from kakehashi.shared.consumer import EventConsumer
from kakehashi.shared.db import SessionFactory
from kakehashi.shared.dead_letters import (
    DISCARDED,
    REPLAYED,
    DeadLetterError,
    DeadLetters,
    HandledDeadLetter,
    read_dead_letters,
)
from kakehashi.shared.events import CANDIDATE_EVENTS, EventEnvelope, dead_letter_topic
from kakehashi.shared.kafka import ensure_topics, make_consumer, make_producer
from kakehashi.shared.unit_of_work import UnitOfWork
from shared.tests.integration.test_consumer import Tally, count_up

pytestmark = pytest.mark.integration

GROUP = "dlq-group"


class Handlers:
    """The service's handlers; `fixed` is the code change an operator deploys before replaying."""

    def __init__(self) -> None:
        self.fixed = False

    def registered(self, event: EventEnvelope, uow: UnitOfWork) -> None:
        if event.data.get("poison") and not self.fixed:
            raise ValueError(f"cannot read the province of {event.subject}")
        count_up(event, uow)

    def applier(self, sessions: SessionFactory) -> EventApplier:
        return EventApplier(
            GROUP, {"candidate.registered": self.registered}, lambda: UnitOfWork(sessions)
        )


@pytest.fixture
def handlers() -> Handlers:
    return Handlers()


@pytest.fixture
def consumer(
    broker: Broker, sessions: SessionFactory, handlers: Handlers
) -> Iterator[EventConsumer]:
    ensure_topics(broker.servers, [dead_letter_topic(GROUP)])
    runner = EventConsumer(
        applier=handlers.applier(sessions),
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


@pytest.fixture
def letters(broker: Broker, sessions: SessionFactory, handlers: Handlers) -> DeadLetters:
    return DeadLetters(
        GROUP,
        lambda: UnitOfWork(sessions),
        lambda: read_dead_letters(broker.servers, GROUP),
        lambda: handlers.applier(sessions),
    )


def _registered(subject: str, poison: bool = False) -> EventEnvelope:
    data = {"poison": True} if poison else {}
    return EventEnvelope.new(type="candidate.registered", source="test", subject=subject, data=data)


def _publish(broker: Broker, events: list[EventEnvelope | bytes]) -> None:
    producer: KafkaProducer = make_producer(broker.servers)
    try:
        for event in events:
            value = event if isinstance(event, bytes) else event.to_bytes()
            producer.send(CANDIDATE_EVENTS, key=b"k", value=value).get(timeout=10)
    finally:
        producer.close(timeout=10)


def _tally(sessions: SessionFactory) -> dict[str, int]:
    with sessions() as session:
        return {row.key: row.count for row in session.exec(select(Tally))}


def _dead_letter(consumer: EventConsumer, letters: DeadLetters, count: int) -> None:
    wait_until(lambda: len(letters.pending()) == count, step=lambda: consumer.poll_once(100))


def test_a_poison_event_is_listed_fixed_replayed_and_applied_once(
    broker: Broker,
    sessions: SessionFactory,
    consumer: EventConsumer,
    letters: DeadLetters,
    handlers: Handlers,
) -> None:
    poison = _registered("cand-poison", poison=True)
    _publish(broker, [_registered("cand-ok"), poison])
    _dead_letter(consumer, letters, 1)

    [pending] = letters.pending()
    assert pending.event == poison
    assert (pending.event_type, pending.subject) == ("candidate.registered", "cand-poison")
    assert pending.error == "cannot read the province of cand-poison"
    assert pending.error_type == "ValueError"
    assert "registered" in pending.traceback
    assert pending.original_topic == CANDIDATE_EVENTS
    assert pending.original_offset >= 0
    assert pending.failed_at
    assert letters.find(pending.ref) == pending
    assert _tally(sessions) == {"cand-ok": 1}

    with pytest.raises(ValueError, match="province"):
        letters.replay(pending.ref, "ops@test")  # not fixed yet: it fails again, stays pending
    assert [r.ref for r in letters.pending()] == [pending.ref]

    handlers.fixed = True
    outcome = letters.replay(pending.ref, "ops@test")
    assert outcome.applied
    assert _tally(sessions) == {"cand-ok": 1, "cand-poison": 1}
    assert letters.pending() == []
    with pytest.raises(DeadLetterError, match="no pending dead letter"):
        letters.replay(pending.ref, "ops@test")
    with sessions() as session:
        inbox = session.exec(select(InboxEntry).where(InboxEntry.event_id == str(poison.id)))
        assert len(list(inbox)) == 1
        row = session.get(HandledDeadLetter, (GROUP, dead_letter_topic(GROUP), *_at(pending.ref)))
    assert row is not None
    assert (row.action, row.handled_by, row.event_id) == (REPLAYED, "ops@test", str(poison.id))

    # Redelivered by the broker after the replay: the inbox makes it a no-op.
    _publish(broker, [poison])
    wait_until(lambda: consumer.poll_once(100) == 0 and _tally(sessions)["cand-poison"] == 1)
    assert _tally(sessions) == {"cand-ok": 1, "cand-poison": 1}


def test_replay_all_applies_each_once_and_keeps_what_fails_again(
    broker: Broker,
    sessions: SessionFactory,
    consumer: EventConsumer,
    letters: DeadLetters,
    handlers: Handlers,
) -> None:
    _publish(broker, [_registered("a", poison=True), _registered("b", poison=True), b"\x00junk"])
    _dead_letter(consumer, letters, 3)
    handlers.fixed = True
    done, failed = letters.replay_all("ops@test")
    assert sorted(o.dead_letter.subject for o in done) == ["a", "b"]
    assert [(r.event, why) for r, why in failed] == [(None, _unreadable(failed[0][0].ref))]
    assert _tally(sessions) == {"a": 1, "b": 1}
    assert len(letters.pending()) == 1


def test_a_discard_is_audited_and_leaves_the_list(
    broker: Broker, sessions: SessionFactory, consumer: EventConsumer, letters: DeadLetters
) -> None:
    _publish(broker, [b"\x00 not json", _registered("cand-poison", poison=True)])
    _dead_letter(consumer, letters, 2)
    unreadable = next(r for r in letters.pending() if r.event is None)
    assert unreadable.event_type == "(unreadable)"
    with pytest.raises(DeadLetterError, match="only be discarded"):
        letters.replay(unreadable.ref, "ops@test")
    with pytest.raises(DeadLetterError, match="reason"):
        letters.discard(unreadable.ref, "ops@test", "   ")

    letters.discard(unreadable.ref, "ops@test", "garbage from a test producer")
    assert [r.subject for r in letters.pending()] == ["cand-poison"]
    [audit] = letters.history()
    assert (audit.action, audit.handled_by, audit.reason) == (
        DISCARDED,
        "ops@test",
        "garbage from a test producer",
    )
    assert audit.original_topic == CANDIDATE_EVENTS
    assert (audit.partition, audit.offset) == _at(unreadable.ref)
    assert _tally(sessions) == {}


def _at(ref: str) -> tuple[int, int]:
    partition, offset = ref.split(":")
    return int(partition), int(offset)


def _unreadable(ref: str) -> str:
    return f"DeadLetterError: {ref} is not a readable event: it can only be discarded"
