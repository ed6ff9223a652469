"""Transactional outbox: events are rows written with the state change; a relay publishes them.

Rows are spread over a fixed number of lanes by a hash of their key. A relay claims the lanes that
have pending rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL), publishes their rows in id order and
marks each row sent only once the broker acknowledged it. One key lives in one lane, so several relays
can run at once without reordering a key's events. Between passes an idle relay sleeps until a
writer wakes it (relay_wakeup.py).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from kafka import KafkaProducer
from kafka.errors import KafkaError, KafkaTimeoutError
from sqlmodel import Field, SQLModel, col, select

from kakehashi.shared.db import SessionFactory, UTCDateTime
from kakehashi.shared.events import EventEnvelope
from kakehashi.shared.metrics import (
    RELAY_BATCH_DURATION,
    RELAY_BROKER_LOSSES,
    RELAY_ERRORS,
    RELAY_PUBLISHED,
    OutboxFigures,
)
from kakehashi.shared.relay_wakeup import IdleBackoff, Wakeup, wakeup_for
from kakehashi.shared.tracing import end_publish, start_publish

if TYPE_CHECKING:
    from kakehashi.shared.acked_log import AcknowledgedLog

log = logging.getLogger(__name__)

LANES = 16
# After a pass that published rows, the relay waits this long before the next one.
LINGER_S = 0.02


def lane_for(key: str) -> int:
    return zlib.crc32(key.encode()) % LANES


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=36, unique=True)
    event_type: str = Field(max_length=100)
    topic: str = Field(max_length=200)
    message_key: str = Field(max_length=200)
    lane: int
    payload: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=sa.Text)

    @classmethod
    def from_event(cls, topic: str, event: EventEnvelope) -> OutboxMessage:
        return cls(**outbox_values(topic, event))


def outbox_values(topic: str, event: EventEnvelope) -> dict[str, Any]:
    """The column values of the outbox row for `event`, also usable in a bulk INSERT."""
    return {
        "event_id": str(event.id),
        "event_type": event.type,
        "topic": topic,
        "message_key": event.subject,
        "lane": lane_for(event.subject),
        "payload": event.model_dump_json(),
        "created_at": event.time,
        "attempts": 0,
    }


class OutboxLane(SQLModel, table=True):
    __tablename__ = "outbox_lane"

    lane: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})


def create_outbox_tables(op: Any) -> None:  # alembic's `op` proxy module
    """Migration step shared by every producing service (revision 1 of the outbox schema)."""
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("message_key", sa.String(200), nullable=False),
        sa.Column("lane", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=True),
    )
    op.create_index("ix_outbox_pending", "outbox", ["lane", "sent_at", "id"])
    lanes = op.create_table("outbox_lane", sa.Column("lane", sa.Integer(), primary_key=True))
    op.bulk_insert(lanes, [{"lane": n} for n in range(LANES)])


class OutboxRelay:
    """Publishes pending outbox rows in order per key; a row is marked sent only after its ack."""

    def __init__(
        self,
        session_factory: SessionFactory,
        producer: KafkaProducer,
        *,
        batch_size: int = 200,
        ack_timeout_s: float = 30.0,
        wakeup: Wakeup | None = None,
        idle_first_s: float = 0.05,
        idle_max_s: float = 3.0,
        service: str = "outbox",
        acked: AcknowledgedLog | None = None,
        linger_s: float = LINGER_S,
    ) -> None:
        self.session_factory = session_factory
        self.linger_s = linger_s
        self.producer = producer
        self.batch_size = batch_size
        self.ack_timeout_s = ack_timeout_s
        # What run() waits on when idle: by default the doorbell of the session's database.
        self.wakeup = wakeup
        self.idle_first_s = idle_first_s
        self.idle_max_s = idle_max_s
        self.passes = 0  # how many passes over the lanes it has made (an idle relay makes few)
        # Metrics, labelled by the service whose outbox this is.
        self._published = RELAY_PUBLISHED.labels(service)
        self._errors = RELAY_ERRORS.labels(service)
        self._batch_duration = RELAY_BATCH_DURATION.labels(service)
        self._broker_losses = RELAY_BROKER_LOSSES.labels(service)
        # Notices a broker that lost records it acknowledged (a memory broker restarted).
        self.acked = acked

    def publish_pending(self) -> int:
        """One pass: claim every lane with pending rows that no other relay holds, publish up to
        `batch_size` of their rows (oldest first) and mark those the broker acknowledged;
        returns how many were sent.

        Raises KafkaError after recording it when the broker did not take a row.
        """
        self.passes += 1
        started = time.perf_counter()
        sent, failure = self._publish_claimed()
        if sent or failure is not None:  # a pass with rows: a batch to time
            self._batch_duration.observe(time.perf_counter() - started)
            self._published.inc(sent)
        if failure is not None:
            raise failure
        return sent

    def _publish_claimed(self) -> tuple[int, KafkaError | None]:
        # All claimed lanes in one transaction, with one wait for the broker: a pass per lane
        # made sixteen transactions and sixteen waits for each wake-up under load.
        with self.session_factory() as session, session.begin():
            waiting = session.exec(
                select(OutboxMessage.lane)
                .where(
                    col(OutboxMessage.lane).in_(range(LANES)),
                    col(OutboxMessage.sent_at).is_(None),
                )
                .distinct()
            ).all()
            if not waiting:
                return 0, None
            claimed = session.exec(
                select(OutboxLane.lane)
                .where(col(OutboxLane.lane).in_(waiting))
                .with_for_update(skip_locked=True)
            ).all()
            if not claimed:
                return 0, None  # other relays are publishing them
            rows = session.exec(
                select(OutboxMessage)
                .where(col(OutboxMessage.lane).in_(claimed), col(OutboxMessage.sent_at).is_(None))
                .order_by(col(OutboxMessage.id))
                .limit(self.batch_size)
            ).all()
            pending = []
            stalled: set[int] = set()  # lanes whose later rows wait, so a key's order holds
            failure: KafkaError | None = None
            for row in rows:
                if row.lane in stalled:
                    continue
                # The envelope's trace context goes on in the record's headers (tracing.py).
                trace_headers, span = start_publish(
                    row.topic, row.event_id, row.event_type, row.payload
                )
                try:
                    future = self.producer.send(
                        row.topic,
                        key=row.message_key.encode(),
                        value=row.payload.encode(),
                        headers=[
                            ("ce_type", row.event_type.encode()),
                            ("ce_id", row.event_id.encode()),
                            *trace_headers,
                        ],
                    )
                except KafkaError as error:  # e.g. no metadata: the broker is unreachable
                    end_publish(span, error)
                    _record_failure(row, error)
                    self._errors.inc()
                    failure = failure or error
                    stalled.add(row.lane)
                    continue
                pending.append((row, future, span))
            # Futures still unresolved after the wait are counted as failures just below.
            with contextlib.suppress(KafkaTimeoutError):
                self.producer.flush(timeout=self.ack_timeout_s)
            sent_ids = []
            for row, future, span in pending:
                if future.succeeded():
                    end_publish(span)
                    if self.acked is not None:
                        self.acked.note(future.value)
                    sent_ids.append(row.id)
                    continue
                cause = future.exception if future.failed() else None
                if not isinstance(cause, KafkaError):
                    cause = KafkaTimeoutError(f"no acknowledgement within {self.ack_timeout_s}s")
                end_publish(span, cause)
                _record_failure(row, cause)
                self._errors.inc()
                failure = failure or cause
            if sent_ids:
                # One UPDATE for the batch: the ORM's flush wrote one per row (a fifth of the
                # relay's CPU under load, py-spy).
                session.execute(
                    sa.update(OutboxMessage)
                    .where(col(OutboxMessage.id).in_(sent_ids))
                    .values(sent_at=datetime.now(UTC))
                    .execution_options(synchronize_session=False)
                )
            return len(sent_ids), failure

    def run(
        self,
        stop: threading.Event,
        *,
        poll_interval_s: float | None = None,
        idle_max_s: float | None = None,
        max_backoff_s: float = 5.0,
        on_failure: Callable[[], None] | None = None,
    ) -> None:
        """Publish until `stop` is set.

        After a pass that found nothing the relay sleeps until a writer rings its doorbell, or its
        idle backoff (from `poll_interval_s`, doubling up to `idle_max_s`) runs out. While the
        broker is away rows wait and the relay backs off up to `max_backoff_s`.
        """
        idle = IdleBackoff(poll_interval_s or self.idle_first_s, idle_max_s or self.idle_max_s)
        wakeup = self.wakeup or _wakeup_of(self.session_factory)
        wakeup.open()  # before the first pass, so no ring falls between the two
        threading.Thread(
            target=_interrupt_when_set, args=(stop, wakeup), name="relay-stop", daemon=True
        ).start()
        try:
            self._loop(stop, wakeup, idle, max_backoff_s, on_failure)
        finally:
            wakeup.close()

    def _loop(
        self,
        stop: threading.Event,
        wakeup: Wakeup,
        idle: IdleBackoff,
        max_backoff_s: float,
        on_failure: Callable[[], None] | None,
    ) -> None:
        backoff = idle.first_s
        while not stop.is_set():
            try:
                sent = self.publish_pending()
            except KafkaError:
                log.warning("broker did not take outbox rows; they stay pending", exc_info=True)
                backoff = min(max(backoff * 2, 0.5), max_backoff_s)
                if on_failure is not None:
                    try:
                        on_failure()
                    except Exception:
                        log.warning("outbox relay recovery step failed", exc_info=True)
                stop.wait(backoff)
                continue
            backoff = idle.first_s
            if self.acked is not None:
                losses = self.acked.losses
                self.acked.maybe_check()
                self._broker_losses.inc(self.acked.losses - losses)
            if sent:
                log.info("published outbox rows", extra={"count": sent})
                idle.reset()
                if sent < self.batch_size:
                    # Let the next rows gather: under load a pass per commit cost more than
                    # the publishing itself (py-spy), and a pass per linger carries them all.
                    stop.wait(self.linger_s)
            else:
                wakeup.wait(idle.next_wait())


def _wakeup_of(session_factory: SessionFactory) -> Wakeup:
    engine = session_factory.kw.get("bind")
    return wakeup_for(engine) if isinstance(engine, sa.Engine) else Wakeup()


def _interrupt_when_set(stop: threading.Event, wakeup: Wakeup) -> None:
    """Cut the relay's wait short once `stop` is set (a signal handler cannot do it itself)."""
    stop.wait()
    wakeup.interrupt()


def _record_failure(row: OutboxMessage, error: KafkaError) -> None:
    row.attempts += 1
    row.last_error = repr(error)


def pending_count(session_factory: SessionFactory) -> int:
    with session_factory() as session:
        query = (
            select(sa.func.count())
            .select_from(OutboxMessage)
            .where(col(OutboxMessage.sent_at).is_(None))
        )
        return int(session.exec(query).one())


def outbox_figures(session_factory: SessionFactory) -> OutboxFigures:
    """Rows waiting and the oldest one's time: what the relay's metrics report when scraped.

    Naming every lane lets the database answer from the (lane, sent_at, id) index instead of
    scanning an outbox that keeps every row it ever sent."""
    with session_factory() as session:
        query = select(sa.func.count(), sa.func.min(OutboxMessage.created_at)).where(
            col(OutboxMessage.lane).in_(range(LANES)), col(OutboxMessage.sent_at).is_(None)
        )
        count, oldest = session.exec(query).one()
    return OutboxFigures(int(count), _aware(oldest))


def _aware(moment: datetime | str | None) -> datetime | None:
    """SQLite's MIN() hands back the stored text, not a UTCDateTime: read it as UTC."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
