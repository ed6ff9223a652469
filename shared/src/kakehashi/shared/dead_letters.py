"""Dead letters an operator can act on: list, inspect, replay after a fix, discard with a reason.

A consumer that keeps failing an event sends it to its group's dead-letter topic `<group>.dlq`
(`kakehashi.shared.consumer`) with headers saying why and where it came from. This module reads
that topic back and records, per consuming service, what was done with each record in the table
`dead_letter` (who, when, why), so a handled record is not shown as pending again.

**Replay applies the event through the service's own `EventApplier`**, not by re-producing it to
the original topic:

- it is the same idempotent path as the consumer's (handler, inbox row and effect in one
  transaction): an event already applied is a no-op, and it is recorded as replayed all the same;
- the operator sees the outcome at once (applied, or the new error with its traceback), and a
  record is marked replayed only when its event was applied; a failed replay stays pending;
- other consumer groups of the original topic are not sent the event a second time, and the
  replay works while the service's consumer is stopped or the broker holds a backlog.

A record is identified by where it sits in the dead-letter topic (partition, offset) together with
the time it failed: after a broker reset the topic restarts at offset 0, and a new record at an old
offset is a new dead letter, not the one handled before.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from kafka import KafkaConsumer
from kafka.structs import TopicPartition
from pydantic import ValidationError
from sqlmodel import Field, Session, SQLModel, col, select

from kakehashi.shared.applier import EventApplier
from kakehashi.shared.clock import utcnow
from kakehashi.shared.db import UTCDateTime
from kakehashi.shared.events import EventEnvelope, dead_letter_topic
from kakehashi.shared.runtime import Runtime, ServiceSpec
from kakehashi.shared.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

REPLAYED = "replayed"
DISCARDED = "discarded"
MAX_REASON = 1000


class HandledDeadLetter(SQLModel, table=True):
    """What an operator did with one dead-lettered record of a consumer group: replayed (its event
    applied, or found applied already) or discarded (with the reason). The audit of both."""

    __tablename__ = "dead_letter"

    consumer_group: str = Field(primary_key=True, max_length=100)
    topic: str = Field(primary_key=True, max_length=200)  # the dead-letter topic
    partition: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    offset: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    failed_at: str = Field(max_length=40)  # the record's dlq_failed_at: tells a reused offset
    event_id: str | None = Field(default=None, max_length=36)
    event_type: str | None = Field(default=None, max_length=100)
    original_topic: str = Field(max_length=200)
    original_partition: int
    original_offset: int
    action: str = Field(max_length=20)
    reason: str | None = Field(default=None, sa_type=sa.Text)
    handled_by: str = Field(max_length=200)
    handled_at: datetime = Field(sa_type=UTCDateTime)


def create_dead_letter_table(op: Any) -> None:  # alembic's `op` proxy module
    """Migration step every consuming service runs once: the audit of handled dead letters."""
    op.create_table(
        "dead_letter",
        sa.Column("consumer_group", sa.String(100), primary_key=True),
        sa.Column("topic", sa.String(200), primary_key=True),
        sa.Column("partition", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("offset", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("failed_at", sa.String(40), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=True),
        sa.Column("event_type", sa.String(100), nullable=True),
        sa.Column("original_topic", sa.String(200), nullable=False),
        sa.Column("original_partition", sa.Integer(), nullable=False),
        sa.Column("original_offset", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("handled_by", sa.String(200), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
    )


@dataclass(frozen=True)
class DeadLetter:
    """One record of a dead-letter topic, as the consumer wrote it."""

    topic: str
    partition: int
    offset: int
    key: str | None
    value: bytes
    error: str
    error_type: str
    traceback: str
    original_topic: str
    original_partition: int
    original_offset: int
    consumer_group: str
    failed_at: str
    event: EventEnvelope | None  # None when the record is not a readable event

    @property
    def ref(self) -> str:
        """How an operator names it: `<partition>:<offset>` in the group's dead-letter topic."""
        return f"{self.partition}:{self.offset}"

    @property
    def event_type(self) -> str:
        return self.event.type if self.event is not None else "(unreadable)"

    @property
    def subject(self) -> str:
        return self.event.subject if self.event is not None else (self.key or "")

    @property
    def envelope_json(self) -> str:
        """The envelope, indented; the raw bytes when they are not an event."""
        if self.event is not None:
            return self.event.model_dump_json(indent=2)
        return self.value.decode(errors="replace")


class DeadLetterError(Exception):
    """An operator's request on dead letters that cannot be done (unknown record, bad reason,
    an event that cannot be replayed); the message says why."""


@dataclass(frozen=True)
class ReplayOutcome:
    """The result of replaying one record: `applied` False means it had been applied already."""

    dead_letter: DeadLetter
    applied: bool


def parse_ref(ref: str) -> tuple[int, int]:
    """`<partition>:<offset>` as two numbers (DeadLetterError when it is not that)."""
    partition, sep, offset = ref.partition(":")
    if not sep or not partition.isdigit() or not offset.isdigit():
        raise DeadLetterError(f"{ref!r} is not a dead letter reference: give PARTITION:OFFSET")
    return int(partition), int(offset)


def _header(headers: Sequence[tuple[str, bytes | None]], name: str) -> str:
    for key, value in headers or ():
        if key == name and value is not None:
            return value.decode(errors="replace")
    return ""


def _number(text: str) -> int:
    return int(text) if text.lstrip("-").isdigit() else -1


def dead_letter_of(record: Any) -> DeadLetter:
    """A kafka-python record of a dead-letter topic as a `DeadLetter`."""
    headers = record.headers or []
    try:
        event: EventEnvelope | None = EventEnvelope.from_bytes(record.value)
    except (ValidationError, ValueError, TypeError):
        event = None
    return DeadLetter(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=record.key.decode(errors="replace") if record.key is not None else None,
        value=record.value or b"",
        error=_header(headers, "dlq_error"),
        error_type=_header(headers, "dlq_error_type"),
        traceback=_header(headers, "dlq_traceback"),
        original_topic=_header(headers, "dlq_original_topic"),
        original_partition=_number(_header(headers, "dlq_original_partition")),
        original_offset=_number(_header(headers, "dlq_original_offset")),
        consumer_group=_header(headers, "dlq_consumer_group"),
        failed_at=_header(headers, "dlq_failed_at"),
        event=event,
    )


def read_dead_letters(
    bootstrap_servers: list[str], group_id: str, *, timeout_s: float = 10.0
) -> list[DeadLetter]:
    """Every record of `group_id`'s dead-letter topic, oldest first per partition.

    Reads with a client of no group (nothing is committed) until each partition's end offset is
    reached, then once more until a poll is empty: Tansu may report an end offset too low.
    """
    topic = dead_letter_topic(group_id)
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        group_id=None,
        enable_auto_commit=False,
        client_id=f"{group_id}-dead-letters",
        fetch_max_wait_ms=50,
        # A broker that does not answer fails a request in seconds, not kafka-python's 5 minutes.
        session_timeout_ms=6000,
        heartbeat_interval_ms=2000,
        request_timeout_ms=8000,
        bootstrap_timeout_ms=5000,
    )
    try:
        found = consumer.partitions_for_topic(topic) or set()
        partitions = [TopicPartition(topic, p) for p in sorted(found)]
        if not partitions:
            return []
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        return [dead_letter_of(r) for r in _read_to_end(consumer, partitions, timeout_s)]
    finally:
        consumer.close()


def _read_to_end(
    consumer: KafkaConsumer, partitions: list[TopicPartition], timeout_s: float
) -> Iterator[Any]:
    ends = consumer.end_offsets(partitions)
    deadline = time.monotonic() + timeout_s
    reached = False
    while time.monotonic() < deadline:
        batches = consumer.poll(timeout_ms=300 if reached else 200)
        for batch in batches.values():
            yield from batch
        if reached and not batches:
            return
        reached = all(consumer.position(tp) >= ends.get(tp, 0) for tp in partitions)


class DeadLetters:
    """A consumer group's dead letters: what the topic holds, and what was done with each."""

    def __init__(
        self,
        group_id: str,
        uow_factory: Callable[[], UnitOfWork],
        read: Callable[[], list[DeadLetter]],
        applier: Callable[[], EventApplier],
    ) -> None:
        """`read` returns the topic's records (`read_dead_letters` bound to a broker); `applier`
        makes the service's applier when a replay needs it (it imports the handlers)."""
        self.group_id = group_id
        self.uow_factory = uow_factory
        self.read = read
        self.make_applier = applier

    def pending(self) -> list[DeadLetter]:
        """Dead letters not replayed nor discarded yet, oldest failure first."""
        records = self.read()
        with self.uow_factory() as uow:
            handled = self._handled(uow.session)
        waiting = [r for r in records if not _is_handled(r, handled)]
        return sorted(waiting, key=lambda r: (r.failed_at, r.partition, r.offset))

    def history(self, limit: int = 50) -> list[HandledDeadLetter]:
        """The latest replays and discards, newest first: the audit."""
        with self.uow_factory() as uow:
            query = (
                select(HandledDeadLetter)
                .where(HandledDeadLetter.consumer_group == self.group_id)
                .order_by(col(HandledDeadLetter.handled_at).desc())
                .limit(limit)
            )
            return list(uow.session.exec(query))

    def find(self, ref: str) -> DeadLetter:
        """The pending dead letter `<partition>:<offset>` (DeadLetterError when there is none)."""
        partition, offset = parse_ref(ref)
        for record in self.pending():
            if (record.partition, record.offset) == (partition, offset):
                return record
        raise DeadLetterError(f"no pending dead letter {ref} in {dead_letter_topic(self.group_id)}")

    def replay(self, ref: str, by: str) -> ReplayOutcome:
        """Apply one pending record's event through the service's applier, then mark it replayed.
        A failing handler raises its error and the record stays pending."""
        return self._replay(self.find(ref), self.make_applier(), by)

    def replay_all(self, by: str) -> tuple[list[ReplayOutcome], list[tuple[DeadLetter, str]]]:
        """Replay every pending record in failure order; returns those replayed and, for those
        that failed again or cannot be replayed, why (they stay pending)."""
        applier = self.make_applier()
        done: list[ReplayOutcome] = []
        failed: list[tuple[DeadLetter, str]] = []
        for record in self.pending():
            try:
                done.append(self._replay(record, applier, by))
            except Exception as error:
                failed.append((record, f"{type(error).__name__}: {error}"))
        return done, failed

    def discard(self, ref: str, by: str, reason: str) -> DeadLetter:
        """Mark one pending record discarded, recording who and why; its event is not applied."""
        reason = reason.strip()
        if not reason:
            raise DeadLetterError("give the reason for discarding this dead letter")
        if len(reason) > MAX_REASON:
            raise DeadLetterError(f"the reason is longer than {MAX_REASON} characters")
        record = self.find(ref)
        self._record(record, DISCARDED, by, reason)
        log.warning(
            "dead letter discarded",
            extra={"group": self.group_id, "ref": record.ref, "by": by, "reason": reason},
        )
        return record

    def _replay(self, record: DeadLetter, applier: EventApplier, by: str) -> ReplayOutcome:
        event = record.event
        if event is None:
            raise DeadLetterError(f"{record.ref} is not a readable event: it can only be discarded")
        if event.type not in applier.handlers:
            raise DeadLetterError(f"{record.ref}: this service has no handler for {event.type}")
        applied = applier.apply(event)
        self._record(record, REPLAYED, by, None if applied else "applied before")
        log.warning(
            "dead letter replayed",
            extra={"group": self.group_id, "ref": record.ref, "by": by, "applied": applied},
        )
        return ReplayOutcome(record, applied)

    def _record(self, record: DeadLetter, action: str, by: str, reason: str | None) -> None:
        with self.uow_factory() as uow:
            key = (self.group_id, record.topic, record.partition, record.offset)
            row = uow.session.get(HandledDeadLetter, key)
            if row is None:
                row = HandledDeadLetter(
                    consumer_group=self.group_id,
                    topic=record.topic,
                    partition=record.partition,
                    offset=record.offset,
                    failed_at="",
                    original_topic="",
                    original_partition=0,
                    original_offset=0,
                    action=action,
                    handled_by=by,
                    handled_at=utcnow(),
                )
            # A row of an older record at this offset (before a broker reset) is overwritten.
            row.failed_at = record.failed_at[:40]
            row.event_id = str(record.event.id) if record.event is not None else None
            row.event_type = record.event.type if record.event is not None else None
            row.original_topic = record.original_topic
            row.original_partition = record.original_partition
            row.original_offset = record.original_offset
            row.action = action
            row.reason = reason
            row.handled_by = by[:200]
            row.handled_at = utcnow()
            uow.session.add(row)
            uow.commit()

    def _handled(self, session: Session) -> dict[tuple[str, int, int], str]:
        query = select(HandledDeadLetter).where(HandledDeadLetter.consumer_group == self.group_id)
        return {(r.topic, r.partition, r.offset): r.failed_at for r in session.exec(query)}


def _is_handled(record: DeadLetter, handled: dict[tuple[str, int, int], str]) -> bool:
    failed_at = handled.get((record.topic, record.partition, record.offset))
    return failed_at is not None and failed_at == record.failed_at[:40]


def service_dead_letters(spec: ServiceSpec, runtime: Runtime) -> DeadLetters:
    """The dead letters of the service `spec` describes (its group is its name), on `runtime`."""
    servers = runtime.settings.bootstrap_servers
    return DeadLetters(
        spec.name,
        runtime.uow,
        lambda: read_dead_letters(servers, spec.name),
        lambda: spec.applier(runtime),
    )
