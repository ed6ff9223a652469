"""The event applier on a real database, without Kafka: events are handed to it directly."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import pytest
from sqlmodel import Field, SQLModel, select

from kakehashi.shared.applier import ConsumerPosition, EventApplier, InboxEntry, Position
from kakehashi.shared.db import SessionFactory
from kakehashi.shared.events import CANDIDATE_EVENTS, EventEnvelope
from kakehashi.shared.unit_of_work import UnitOfWork

pytestmark = pytest.mark.integration

GROUP = "applier-test"


class Seen(SQLModel, table=True):
    """One row per applied event: the effect these tests observe."""

    __tablename__ = "test_applier_seen"

    event_id: str = Field(primary_key=True)


def record(event: EventEnvelope, uow: UnitOfWork) -> None:
    uow.session.add(Seen(event_id=str(event.id)))


def explode(event: EventEnvelope, uow: UnitOfWork) -> None:
    record(event, uow)
    raise ValueError("cannot apply")


@pytest.fixture
def applier(sessions: SessionFactory) -> EventApplier:
    handlers = {"candidate.registered": record, "candidate.broken": explode}
    return EventApplier(GROUP, handlers, lambda: UnitOfWork(sessions))


def _event(type: str = "candidate.registered") -> EventEnvelope:
    return EventEnvelope.new(type=type, source="test", subject="c-1", data={})


def _rows(sessions: SessionFactory, model: type[SQLModel]) -> list[SQLModel]:
    with sessions() as session:
        return list(session.exec(select(model)).all())


def test_an_event_is_applied_once_with_its_inbox_row_and_position(
    applier: EventApplier, sessions: SessionFactory
) -> None:
    event = _event()
    assert applier.apply(event, Position(CANDIDATE_EVENTS, 0, 4))
    assert not applier.apply(event, Position(CANDIDATE_EVENTS, 0, 5))  # redelivered: a no-op
    assert len(_rows(sessions, Seen)) == 1
    [inbox] = _rows(sessions, InboxEntry)
    assert isinstance(inbox, InboxEntry)
    assert (inbox.consumer_group, inbox.event_id) == (GROUP, str(event.id))
    assert applier.stored_positions() == {(CANDIDATE_EVENTS, 0): 6}  # past the duplicate too


def test_an_event_without_a_handler_is_counted_and_logged_not_recorded_as_applied(
    applier: EventApplier, sessions: SessionFactory, caplog: pytest.LogCaptureFixture
) -> None:
    unknown = _event("candidate.teleported")
    with caplog.at_level(logging.WARNING, logger="kakehashi.shared.applier"):
        assert not applier.apply(unknown, Position(CANDIDATE_EVENTS, 1, 0))
        assert not applier.apply(_event("candidate.teleported"), Position(CANDIDATE_EVENTS, 1, 1))
    assert applier.skipped_unknown == {"candidate.teleported": 2}
    assert _rows(sessions, InboxEntry) == []
    assert applier.stored_positions() == {(CANDIDATE_EVENTS, 1): 2}  # the partition moves on
    [first, _] = [r for r in caplog.records if r.name == "kakehashi.shared.applier"]
    assert first.levelno == logging.WARNING
    assert first.__dict__["event_type"] == "candidate.teleported"
    assert first.__dict__["event_id"] == str(unknown.id)


def test_a_failing_handler_leaves_no_effect_no_inbox_row_and_no_position(
    applier: EventApplier, sessions: SessionFactory
) -> None:
    with pytest.raises(ValueError, match="cannot apply"):
        applier.apply(_event("candidate.broken"), Position(CANDIDATE_EVENTS, 2, 0))
    assert _rows(sessions, Seen) == []
    assert _rows(sessions, InboxEntry) == []
    assert _rows(sessions, ConsumerPosition) == []


def test_skip_moves_past_a_message_without_applying_it(
    applier: EventApplier, sessions: SessionFactory
) -> None:
    applier.skip(Position(CANDIDATE_EVENTS, 0, 9))
    assert applier.stored_positions() == {(CANDIDATE_EVENTS, 0): 10}
    assert _rows(sessions, InboxEntry) == []


def test_a_batch_is_applied_together_once_and_moves_each_partition_past_its_last_event(
    applier: EventApplier, sessions: SessionFactory
) -> None:
    first, second, third = _event(), _event(), _event()
    applier.apply(first, Position(CANDIDATE_EVENTS, 0, 0))  # applied before the batch
    batch = [
        (first, Position(CANDIDATE_EVENTS, 0, 1)),  # redelivered
        (second, Position(CANDIDATE_EVENTS, 0, 2)),
        (second, Position(CANDIDATE_EVENTS, 0, 3)),  # repeated inside the batch
        (_event("candidate.teleported"), Position(CANDIDATE_EVENTS, 1, 7)),
        (third, Position(CANDIDATE_EVENTS, 1, 8)),
    ]
    assert applier.apply_together(batch) == 2
    assert sorted(r.event_id for r in _rows(sessions, Seen)) == sorted(  # type: ignore[attr-defined]
        str(e.id) for e in (first, second, third)
    )
    assert len(_rows(sessions, InboxEntry)) == 3
    assert applier.stored_positions() == {(CANDIDATE_EVENTS, 0): 4, (CANDIDATE_EVENTS, 1): 9}
    assert applier.skipped_unknown == {"candidate.teleported": 1}
    assert applier.apply_together(batch) == 0  # the whole batch again: nothing applies twice


def test_a_batch_with_a_failing_event_leaves_nothing_behind(
    applier: EventApplier, sessions: SessionFactory
) -> None:
    wrapped: list[str] = []

    @contextlib.contextmanager
    def around(event: EventEnvelope, _at: Position) -> Iterator[None]:
        wrapped.append(event.type)
        yield

    batch = [
        (_event(), Position(CANDIDATE_EVENTS, 0, 0)),
        (_event("candidate.broken"), Position(CANDIDATE_EVENTS, 0, 1)),
        (_event(), Position(CANDIDATE_EVENTS, 0, 2)),
    ]
    with pytest.raises(ValueError, match="cannot apply"):
        applier.apply_together(batch, around=around)
    assert wrapped == ["candidate.registered", "candidate.broken"]
    assert _rows(sessions, Seen) == []
    assert _rows(sessions, InboxEntry) == []
    assert applier.stored_positions() == {}
