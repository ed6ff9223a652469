"""Applying consumed events: the effect, the inbox row and the partition position are written in
one transaction, so a redelivered event is a no-op and a restart resumes exactly.

Nothing here talks to Kafka: the loop in `kakehashi.shared.consumer` reads the messages and hands
each event to an `EventApplier`, and tests hand events to one directly.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from kakehashi.shared.clock import utcnow
from kakehashi.shared.db import UTCDateTime
from kakehashi.shared.events import EventEnvelope
from kakehashi.shared.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

Handler = Callable[[EventEnvelope, UnitOfWork], None]
# Reads in one go, before a batch's handlers run, what they would otherwise read one event at a
# time (see `EventApplier.apply_together`).
Prefetch = Callable[[Sequence[EventEnvelope], UnitOfWork], None]


class InboxEntry(SQLModel, table=True):
    """An event this consumer group has applied; its presence makes a redelivery a no-op."""

    __tablename__ = "inbox"

    consumer_group: str = Field(primary_key=True, max_length=100)
    event_id: str = Field(primary_key=True, max_length=36)
    event_type: str = Field(max_length=100)
    processed_at: datetime = Field(sa_type=UTCDateTime)


class ConsumerPosition(SQLModel, table=True):
    """The next offset this consumer group reads from one partition."""

    __tablename__ = "consumer_position"

    consumer_group: str = Field(primary_key=True, max_length=100)
    topic: str = Field(primary_key=True, max_length=200)
    partition: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    next_offset: int
    updated_at: datetime = Field(sa_type=UTCDateTime)


def create_inbox_tables(op: Any) -> None:  # alembic's `op` proxy module
    """Migration step shared by every consuming service (revision 1 of the inbox schema)."""
    op.create_table(
        "inbox",
        sa.Column("consumer_group", sa.String(100), primary_key=True),
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "consumer_position",
        sa.Column("consumer_group", sa.String(100), primary_key=True),
        sa.Column("topic", sa.String(200), primary_key=True),
        sa.Column("partition", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("next_offset", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


@dataclass(frozen=True)
class Position:
    """Where a message was read: applying it moves the group past `offset` on that partition."""

    topic: str
    partition: int
    offset: int


class EventApplier:
    """Applies events with `handlers` (by event type) for `group_id`, at most once per event id.

    An event type without a handler is not applied: it is logged, counted in `skipped_unknown`
    and left out of the inbox (a later version with a handler may still apply a redelivery);
    its position is recorded all the same, so the partition moves on.
    """

    def __init__(
        self,
        group_id: str,
        handlers: Mapping[str, Handler],
        uow_factory: Callable[[], UnitOfWork],
        prefetch: Prefetch | None = None,
    ) -> None:
        self.group_id = group_id
        self.handlers = handlers
        self.uow_factory = uow_factory
        self.prefetch = prefetch
        self.skipped_unknown: Counter[str] = Counter()

    def apply(self, event: EventEnvelope, position: Position | None = None) -> bool:
        """Apply one event in one transaction (with the position it was read at, if given).

        Returns False when the event was not applied now: applied before, or of unknown type.
        """
        handler = self.handlers.get(event.type)
        with self.uow_factory() as uow:
            if position is not None:
                self._advance(uow, position)
            if handler is None:
                self._skip_unknown(event)
                uow.commit()
                return False
            if uow.session.get(InboxEntry, (self.group_id, str(event.id))) is not None:
                uow.commit()  # the position still moves past the duplicate
                return False
            handler(event, uow)
            uow.session.add(self._inbox_entry(event))
            try:
                uow.commit()
            except IntegrityError:
                # Another consumer applied it concurrently; its effect stands.
                uow.rollback()
                if uow.session.get(InboxEntry, (self.group_id, str(event.id))) is None:
                    raise
                return False
        return True

    def apply_together(
        self,
        events: Sequence[tuple[EventEnvelope, Position]],
        around: Callable[[EventEnvelope, Position], AbstractContextManager[object]] | None = None,
    ) -> int:
        """Apply several events, in their order, in one transaction with one inbox lookup and
        one position write per partition; returns how many were applied now.

        All or nothing: if a handler raises, or the commit fails, nothing of the batch stays
        and the error goes to the caller, who applies the events one at a time (`apply`) to
        find the failing one. Handlers only write through the unit of work, so running them
        again is safe. `around` wraps each handler call (the consumer's span and correlation
        id). The service's `prefetch`, if any, first reads what the batch's handlers need."""
        wrap = around or (lambda _event, _position: nullcontext())
        unknown: list[EventEnvelope] = []
        applied = 0
        with self.uow_factory() as uow:
            seen = self._applied_before(uow.session, [str(event.id) for event, _ in events])
            if self.prefetch is not None:
                fresh = [e for e, _ in events if str(e.id) not in seen and e.type in self.handlers]
                self.prefetch(fresh, uow)
            for event, position in events:
                handler = self.handlers.get(event.type)
                if handler is None:
                    unknown.append(event)
                    continue
                if str(event.id) in seen:
                    continue
                seen.add(str(event.id))
                with wrap(event, position):
                    handler(event, uow)
                uow.session.add(self._inbox_entry(event))
                applied += 1
            for position in _last_of_each_partition(p for _, p in events):
                self._advance(uow, position)
            uow.commit()
        for event in unknown:  # counted once the batch stands
            self._skip_unknown(event)
        return applied

    def _inbox_entry(self, event: EventEnvelope) -> InboxEntry:
        """The row that makes a redelivery of `event` a no-op for this group."""
        return InboxEntry(
            consumer_group=self.group_id,
            event_id=str(event.id),
            event_type=event.type,
            processed_at=utcnow(),
        )

    def _applied_before(self, session: Session, event_ids: list[str]) -> set[str]:
        found = session.exec(
            select(InboxEntry.event_id).where(
                InboxEntry.consumer_group == self.group_id,
                col(InboxEntry.event_id).in_(event_ids),
            )
        )
        return set(found)

    def skip(self, position: Position) -> None:
        """Move past a message without applying it (it went to the dead-letter topic)."""
        with self.uow_factory() as uow:
            self._advance(uow, position)
            uow.commit()

    def stored_positions(self) -> dict[tuple[str, int], int]:
        """The next offset of every (topic, partition) this group has read, from the database."""
        with self.uow_factory() as uow:
            return positions_of(uow.session, self.group_id)

    def _skip_unknown(self, event: EventEnvelope) -> None:
        self.skipped_unknown[event.type] += 1
        log.warning(
            "no handler for event type; skipped, not recorded as applied",
            extra={"event_type": event.type, "event_id": str(event.id), "group": self.group_id},
        )

    def _advance(self, uow: UnitOfWork, position: Position) -> None:
        store_position(
            uow.session, self.group_id, position.topic, position.partition, position.offset + 1
        )


def _last_of_each_partition(positions: Iterator[Position]) -> list[Position]:
    last: dict[tuple[str, int], Position] = {}
    for position in positions:
        key = (position.topic, position.partition)
        if key not in last or position.offset > last[key].offset:
            last[key] = position
    return list(last.values())


def positions_of(session: Session, group_id: str) -> dict[tuple[str, int], int]:
    """The next offset of every (topic, partition) `group_id` has read."""
    rows = session.exec(select(ConsumerPosition).where(ConsumerPosition.consumer_group == group_id))
    return {(r.topic, r.partition): r.next_offset for r in rows}


def store_position(
    session: Session, group_id: str, topic: str, partition: int, next_offset: int
) -> None:
    """Record that `group_id` reads `partition` of `topic` next at `next_offset`."""
    now = utcnow()
    row = session.get(ConsumerPosition, (group_id, topic, partition)) or ConsumerPosition(
        consumer_group=group_id, topic=topic, partition=partition, next_offset=0, updated_at=now
    )
    row.next_offset = next_offset
    row.updated_at = now
    session.add(row)
