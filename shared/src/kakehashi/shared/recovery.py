"""Recovery after a broker lost events: re-send them from the producer's outbox (`republish`), and
rebuild a consumer's read model from a full replay (`rebuild`).

The outbox keeps every event a service published (rows marked sent stay). Re-sending them is safe
for every consumer: each one's inbox holds the ids it applied, so a repeat is a no-op, and what a
broker lost is applied once. Rows are re-sent in outbox order (a key's events stay in order) with
the relay's headers, and only rows already marked sent: pending ones are the relay's.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from kafka import KafkaProducer
from kafka.errors import KafkaError, KafkaTimeoutError
from sqlmodel import col, delete, select
from sqlmodel.sql.expression import SelectOfScalar

from kakehashi.shared.applier import ConsumerPosition, InboxEntry
from kakehashi.shared.consumer import EventConsumer
from kakehashi.shared.db import SessionFactory
from kakehashi.shared.log_watch import ConsumedLog
from kakehashi.shared.outbox import OutboxMessage
from kakehashi.shared.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (done, total)


class RecoveryError(Exception):
    """A recovery request that cannot be done (an unknown event id, a broker that refused)."""


def _selection(
    since: datetime | None, from_event: str | None, session_factory: SessionFactory
) -> SelectOfScalar[OutboxMessage]:
    query = select(OutboxMessage).where(col(OutboxMessage.sent_at).is_not(None))
    if since is not None:
        query = query.where(col(OutboxMessage.created_at) >= since)
    if from_event is not None:
        with session_factory() as session:
            first = session.exec(
                select(OutboxMessage.id).where(OutboxMessage.event_id == from_event)
            ).first()
        if first is None:
            raise RecoveryError(f"no outbox row holds event {from_event}")
        query = query.where(col(OutboxMessage.id) >= first)
    return query.order_by(col(OutboxMessage.id))


def republish(
    session_factory: SessionFactory,
    producer: KafkaProducer,
    *,
    since: datetime | None = None,
    from_event: str | None = None,
    batch_size: int = 500,
    ack_timeout_s: float = 30.0,
    on_progress: Progress | None = None,
) -> int:
    """Re-send the outbox's sent events (all; created at or after `since`; from the row of event
    `from_event` on) to their topics and wait for each batch's acknowledgement.

    Returns how many were re-sent; RecoveryError when the broker did not take a batch (re-run:
    what was taken is applied once)."""
    query = _selection(since, from_event, session_factory)
    with session_factory() as session:
        counted = sa.select(sa.func.count()).select_from(query.subquery())
        total = int(session.execute(counted).scalar_one())
    done, last_id = 0, 0
    while True:
        with session_factory() as session:
            rows = session.exec(
                query.where(col(OutboxMessage.id) > last_id).limit(batch_size)
            ).all()
        if not rows:
            break
        _send_batch(producer, rows, ack_timeout_s)
        done += len(rows)
        last_id = rows[-1].id or last_id
        if on_progress is not None:
            on_progress(done, total)
    log.warning("outbox events republished", extra={"count": done})
    return done


def _send_batch(producer: KafkaProducer, rows: Sequence[OutboxMessage], timeout_s: float) -> None:
    futures = []
    for row in rows:
        try:
            futures.append(
                producer.send(
                    row.topic,
                    key=row.message_key.encode(),
                    value=row.payload.encode(),
                    headers=[
                        ("ce_type", row.event_type.encode()),
                        ("ce_id", row.event_id.encode()),
                    ],
                )
            )
        except KafkaError as error:
            raise RecoveryError(
                f"the broker did not take event {row.event_id}: {error!r}"
            ) from error
    with contextlib.suppress(KafkaTimeoutError):
        producer.flush(timeout=timeout_s)
    refused = [f for f in futures if not f.succeeded()]
    if refused:
        raise RecoveryError(f"{len(refused)} of {len(futures)} events were not acknowledged")


# Rebuilding a read model ---------------------------------------------------------------------


@dataclass(frozen=True)
class RebuildCheck:
    """A read model's count after the rebuild against the producer's, by what is counted."""

    name: str
    rebuilt: int
    expected: int

    @property
    def matches(self) -> bool:
        return self.rebuilt == self.expected


def forget_consumption(
    uow_factory: Callable[[], UnitOfWork], group_id: str, read_model: Iterable[str]
) -> None:
    """Empty the read-model tables and the group's inbox, positions and log records, in one
    transaction: the group's consumer then reads every topic from its start and applies it all."""
    with uow_factory() as uow:
        session = uow.session
        for table in read_model:
            session.execute(sa.delete(sa.table(table)))  # names from the service's spec
        session.execute(delete(InboxEntry).where(col(InboxEntry.consumer_group) == group_id))
        session.execute(
            delete(ConsumerPosition).where(col(ConsumerPosition.consumer_group) == group_id)
        )
        session.execute(delete(ConsumedLog).where(col(ConsumedLog.consumer_group) == group_id))
        uow.commit()
    log.warning(
        "read model emptied for a rebuild from the start of the log",
        extra={"group": group_id, "tables": list(read_model)},
    )


def wait_caught_up(
    step: Callable[[], int],
    caught_up: Callable[[], bool],
    *,
    quiet_s: float = 2.0,
    timeout_s: float = 600.0,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Run `step` (one consumer poll, returning how many it handled) until `caught_up()` says the
    positions reached the log's end and `quiet_s` passed with nothing new; returns the total."""
    handled, quiet_since = 0, time.monotonic()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        count = step()
        handled += count
        if count:
            quiet_since = time.monotonic()
            if on_progress is not None:
                on_progress(handled)
        elif caught_up() and time.monotonic() - quiet_since >= quiet_s:
            return handled
    raise RecoveryError(f"the rebuild did not catch up within {timeout_s:.0f}s ({handled} applied)")


def table_counts(uow_factory: Callable[[], UnitOfWork], tables: Iterable[str]) -> dict[str, int]:
    """How many rows each of `tables` holds."""
    with uow_factory() as uow:
        return {
            table: int(
                uow.session.execute(
                    sa.select(sa.func.count()).select_from(sa.table(table))
                ).scalar_one()
            )
            for table in tables
        }


def rebuild_read_model(
    consumer: EventConsumer,
    read_model: Sequence[str],
    *,
    quiet_s: float = 2.0,
    timeout_s: float = 600.0,
    on_progress: Progress | None = None,
) -> int:
    """Empty `read_model` and the consumer group's inbox and positions, then read every consumed
    topic from its start and apply it all; returns how many records were handled.

    The group's running consumer must be stopped first: it would go on from its own positions."""
    applier = consumer.applier
    forget_consumption(applier.uow_factory, applier.group_id, read_model)
    assigned = consumer.assign()  # no stored positions: from the start of every partition
    ends = consumer.consumer.end_offsets(assigned)
    total = sum(ends.values())

    def caught_up() -> bool:
        stored = applier.stored_positions()
        return all(stored.get((tp.topic, tp.partition), 0) >= end for tp, end in ends.items())

    return wait_caught_up(
        consumer.poll_once,
        caught_up,
        quiet_s=quiet_s,
        timeout_s=timeout_s,
        on_progress=None if on_progress is None else lambda done: on_progress(done, total),
    )
