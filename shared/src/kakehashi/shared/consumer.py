"""Idempotent event consumer: the effect, the inbox row and the partition position are written in
one transaction; the offset is committed to Kafka after that transaction.

The consumer assigns itself its topics' partitions (all, or the ones configured) and keeps its
position per partition in its own database. Tansu, the embedded broker, sometimes stalls a group
join for longer than 30 s; positions kept beside the effect make restarts exact without it. The
offsets are also committed to Kafka under the consumer's group id, so lag tools still see them.

A message that keeps failing is sent to the group's dead-letter topic with the error and where it
came from, and the partition moves on. A database outage is not the message's fault: it is retried
until the database answers, without moving on.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from kafka import KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Field, SQLModel, select

from kakehashi.shared.db import UTCDateTime
from kakehashi.shared.events import EventEnvelope, dead_letter_topic
from kakehashi.shared.observability import reset_correlation_id, set_correlation_id
from kakehashi.shared.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

Handler = Callable[[EventEnvelope, UnitOfWork], None]


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


class EventConsumer:
    """Applies events from `topics` with `handlers` (by event type), at most once per event id."""

    def __init__(
        self,
        *,
        group_id: str,
        topics: list[str],
        handlers: Mapping[str, Handler],
        uow_factory: Callable[[], UnitOfWork],
        consumer: KafkaConsumer,
        dead_letters: KafkaProducer,
        partitions: Collection[int] | None = None,
        max_attempts: int = 3,
        retry_backoff_s: float = 0.2,
    ) -> None:
        self.group_id = group_id
        self.topics = topics
        self.handlers = handlers
        self.uow_factory = uow_factory
        self.consumer = consumer
        self.dead_letters = dead_letters
        self.partitions = None if partitions is None else frozenset(partitions)
        self.max_attempts = max_attempts
        self.retry_backoff_s = retry_backoff_s
        self._stop = threading.Event()

    def run(self, stop: threading.Event | None = None) -> None:
        """Assign, then poll and apply until `stop` is set; the caller closes the Kafka clients."""
        self._stop = stop or self._stop
        self.assign()
        while not self._stop.is_set():
            self.poll_once()

    def assign(self, timeout_s: float = 30.0) -> list[TopicPartition]:
        """Take this consumer's partitions and seek each to the position stored in the database."""
        assigned = []
        deadline = time.monotonic() + timeout_s
        for topic in self.topics:
            found = self.consumer.partitions_for_topic(topic)
            while not found:
                if time.monotonic() > deadline:
                    raise KafkaError(f"no partitions found for topic {topic!r}")
                time.sleep(0.1)
                found = self.consumer.partitions_for_topic(topic)
            assigned += [
                TopicPartition(topic, p)
                for p in sorted(found)
                if self.partitions is None or p in self.partitions
            ]
        self.consumer.assign(assigned)
        stored = self._stored_positions()
        for partition in assigned:
            if partition in stored:
                self.consumer.seek(partition, stored[partition])
            else:
                self.consumer.seek_to_beginning(partition)
        log.info("partitions assigned", extra={"partitions": [str(p) for p in assigned]})
        return assigned

    def _stored_positions(self) -> dict[TopicPartition, int]:
        with self.uow_factory() as uow:
            rows = uow.session.exec(
                select(ConsumerPosition).where(ConsumerPosition.consumer_group == self.group_id)
            ).all()
        return {TopicPartition(r.topic, r.partition): r.next_offset for r in rows}

    def poll_once(self, timeout_ms: int = 200) -> int:
        """Apply one batch, then commit its offsets to Kafka; returns how many were handled."""
        batches = self.consumer.poll(timeout_ms=timeout_ms, max_records=500)
        handled = 0
        for partition, messages in batches.items():
            for message in messages:
                if self._stop.is_set():
                    return handled
                self._process(message)
                handled += 1
            self._commit(partition, messages[-1].offset + 1)
        return handled

    def _commit(self, partition: TopicPartition, next_offset: int) -> None:
        try:
            self.consumer.commit({partition: OffsetAndMetadata(next_offset, "", -1)})
        except KafkaError:
            # The database holds the authoritative position; Kafka's copy is for lag tools.
            log.warning("offset commit to Kafka failed", exc_info=True)

    def _process(self, message: Any) -> None:
        try:
            event = EventEnvelope.from_bytes(message.value)
        except (ValidationError, ValueError, TypeError) as error:
            log.error("unreadable message", extra={"offset": message.offset, "error": str(error)})
            self._dead_letter(message, error)
            return
        token = set_correlation_id(event.correlation_id)
        try:
            self._apply_with_retries(message, event)
        finally:
            reset_correlation_id(token)

    def _apply_with_retries(self, message: Any, event: EventEnvelope) -> None:
        attempt = 0
        while True:
            attempt += 1
            try:
                self.apply(event, message)
                return
            except OperationalError:
                # The database is unreachable or locked: wait for it, never dead-letter for that.
                log.warning("database unavailable; retrying event", exc_info=True)
                if self._stop.wait(min(self.retry_backoff_s * attempt, 5.0)):
                    raise
            except Exception as error:
                log.warning(
                    "event handler failed",
                    exc_info=True,
                    extra={"event_id": str(event.id), "event_type": event.type, "attempt": attempt},
                )
                if attempt >= self.max_attempts:
                    self._dead_letter(message, error)
                    return
                time.sleep(self.retry_backoff_s * attempt)

    def apply(self, event: EventEnvelope, message: Any | None = None) -> bool:
        """Apply one event in one transaction (with the message's position, if given).

        Returns False when this group had applied the event already.
        """
        handler = self.handlers.get(event.type)
        with self.uow_factory() as uow:
            if message is not None:
                self._advance(uow, message)
            if uow.session.get(InboxEntry, (self.group_id, str(event.id))) is not None:
                uow.commit()  # the position still moves past the duplicate
                return False
            if handler is not None:
                handler(event, uow)
            uow.session.add(
                InboxEntry(
                    consumer_group=self.group_id,
                    event_id=str(event.id),
                    event_type=event.type,
                    processed_at=datetime.now(UTC),
                )
            )
            try:
                uow.commit()
            except IntegrityError:
                # Another consumer applied it concurrently; its effect stands.
                uow.rollback()
                if uow.session.get(InboxEntry, (self.group_id, str(event.id))) is None:
                    raise
                return False
        return True

    def _advance(self, uow: UnitOfWork, message: Any) -> None:
        key = (self.group_id, message.topic, message.partition)
        position = uow.session.get(ConsumerPosition, key) or ConsumerPosition(
            consumer_group=self.group_id,
            topic=message.topic,
            partition=message.partition,
            next_offset=0,
            updated_at=datetime.now(UTC),
        )
        position.next_offset = message.offset + 1
        position.updated_at = datetime.now(UTC)
        uow.session.add(position)

    def _dead_letter(self, message: Any, error: BaseException) -> None:
        """Publish the original bytes to the dead-letter topic, wait for the ack, move on."""
        headers = [
            ("dlq_error", str(error)[:2000].encode()),
            ("dlq_error_type", type(error).__name__.encode()),
            ("dlq_traceback", "".join(traceback.format_exception(error))[-4000:].encode()),
            ("dlq_original_topic", message.topic.encode()),
            ("dlq_original_partition", str(message.partition).encode()),
            ("dlq_original_offset", str(message.offset).encode()),
            ("dlq_consumer_group", self.group_id.encode()),
            ("dlq_failed_at", datetime.now(UTC).isoformat().encode()),
        ]
        future = self.dead_letters.send(
            dead_letter_topic(self.group_id), key=message.key, value=message.value, headers=headers
        )
        future.get(timeout=30)  # raises if the broker did not take it: the position stays put
        with self.uow_factory() as uow:
            self._advance(uow, message)
            uow.commit()
        log.error(
            "message sent to dead-letter topic",
            extra={
                "topic": message.topic,
                "partition": message.partition,
                "offset": message.offset,
                "error": str(error),
            },
        )
