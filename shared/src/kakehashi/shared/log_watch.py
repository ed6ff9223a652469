"""A broker reset never makes a consumer skip.

A consumer keeps its read position per partition in its own database. If the broker loses its
log (a memory broker restarted, a topic deleted and recreated), those positions point into a log
they do not belong to: the consumer would wait past the end of the new log and silently skip every
event it holds before the old position. The watch notices that the log is not the one the
positions were read from and sends the consumer back to the start of the new log; the inbox skips
what was applied already, so nothing is applied twice.

Signs, checked when partitions are assigned and every few seconds while running:
- the topic's id (Kafka metadata v10+) differs from the one recorded beside the positions;
- where the broker gives no topic ids: a partition's end offset is below its stored position
  (the log is shorter than what was read);
- a partition's earliest offset is above its stored position (records went before being read:
  they are lost to this consumer, which says so and carries on from the earliest one).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from kakehashi.shared.applier import positions_of, store_position
from kakehashi.shared.clock import utcnow
from kakehashi.shared.db import UTCDateTime
from kakehashi.shared.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


class ConsumedLog(SQLModel, table=True):
    """Which log (topic id) a consumer group's positions on one topic belong to, and whether the
    group is still re-reading it after a reset."""

    __tablename__ = "consumed_log"

    consumer_group: str = Field(primary_key=True, max_length=100)
    topic: str = Field(primary_key=True, max_length=200)
    topic_id: str | None = Field(default=None, max_length=36)
    resets: int = 0
    # Set when a reset is found; cleared once the group has read the new log up to the end
    # offsets the broker had then (recovery_target, by partition).
    recovering_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    recovery_target: dict[str, int] | None = Field(default=None, sa_type=sa.JSON)


def create_consumed_log_table(op: Any) -> None:  # alembic's `op` proxy module
    """Migration step every consuming service runs once (after its inbox tables)."""
    op.create_table(
        "consumed_log",
        sa.Column("consumer_group", sa.String(100), primary_key=True),
        sa.Column("topic", sa.String(200), primary_key=True),
        sa.Column("topic_id", sa.String(36), nullable=True),
        sa.Column("resets", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("recovering_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recovery_target", sa.JSON(), nullable=True),
    )


@dataclass(frozen=True)
class LogState:
    """What the broker says of one topic now: its id (None when the broker does not tell) and,
    per partition, the earliest and the end offsets."""

    topic_id: str | None
    earliest: Mapping[int, int]
    end: Mapping[int, int]


# Brokers that do not track topic ids send the all-zero id.
_NO_TOPIC_ID = "00000000-0000-0000-0000-000000000000"


def broker_logs(consumer: Any, partitions: Iterable[Any]) -> dict[str, LogState]:
    """What the broker says now of the topics of `partitions` (kafka-python TopicPartitions)."""
    partitions = list(partitions)
    consumer.topics()  # a metadata request: the topic ids below are the broker's of now
    earliest = consumer.beginning_offsets(partitions)
    end = consumer.end_offsets(partitions)
    # kafka-python keeps the topic ids of its latest metadata; it has no public accessor for them.
    cluster = consumer._cluster
    logs = {}
    for topic in {tp.topic for tp in partitions}:
        topic_id = str(cluster.topic_id(topic) or "") or None
        logs[topic] = LogState(
            topic_id=None if topic_id == _NO_TOPIC_ID else topic_id,
            earliest={tp.partition: o for tp, o in earliest.items() if tp.topic == topic},
            end={tp.partition: o for tp, o in end.items() if tp.topic == topic},
        )
    return logs


@dataclass
class LogWatch:
    """Compares the broker's logs with the positions a consumer group stored, and rewinds the
    positions of a topic whose log was replaced. `resets` counts the rewinds since start.

    A group whose partitions are split between processes (`partitions`: this process's share)
    keeps one record per share: each process must see a replaced log for itself and rewind its own
    partitions, which it would not if the other had already recorded the new topic id."""

    group_id: str
    uow_factory: Callable[[], UnitOfWork]
    partitions: Collection[int] | None = None
    resets: int = 0
    recovering: set[str] = field(default_factory=set)

    @property
    def record_key(self) -> str:
        """The consumed_log key of this process's share of the group's partitions."""
        if self.partitions is None:
            return self.group_id
        return f"{self.group_id}@{','.join(str(p) for p in sorted(self.partitions))}"

    def check(self, logs: Mapping[str, LogState]) -> dict[tuple[str, int], int]:
        """Rewind what needs it (in the database) and return where the consumer must seek, by
        (topic, partition)."""
        seeks: dict[tuple[str, int], int] = {}
        with self.uow_factory() as uow:
            stored = positions_of(uow.session, self.group_id)
            for topic, state in logs.items():
                # Only this process's partitions: the broker's state covers only those.
                positions = {p: o for (t, p), o in stored.items() if t == topic and p in state.end}
                record = uow.session.get(ConsumedLog, (self.record_key, topic)) or ConsumedLog(
                    consumer_group=self.record_key, topic=topic, topic_id=state.topic_id
                )
                reason = _replaced(record.topic_id, positions, state)
                if reason is not None:
                    seeks |= self._rewind(record, state, reason)
                else:
                    seeks |= _lost_records(topic, positions, state)
                    self._note_progress(record, positions, state)
                record.topic_id = state.topic_id or record.topic_id
                uow.session.add(record)
            for (topic, partition), offset in seeks.items():
                store_position(uow.session, self.group_id, topic, partition, offset)
            uow.commit()
        return seeks

    def _rewind(
        self, record: ConsumedLog, state: LogState, reason: str
    ) -> dict[tuple[str, int], int]:
        log.error(
            "the broker's log is not the one this consumer read: re-reading it from the start",
            extra={"group": self.group_id, "topic": record.topic, "reason": reason},
        )
        self.resets += 1
        self.recovering.add(record.topic)
        record.resets += 1
        record.recovering_since = utcnow()
        # The end to reach is read at the next check, when the consumer may have a new client:
        # the one that just saw the old log can misreport the new one's end.
        record.recovery_target = None
        return {(record.topic, p): earliest for p, earliest in state.earliest.items()}

    def _note_progress(
        self, record: ConsumedLog, positions: Mapping[int, int], state: LogState
    ) -> None:
        if record.recovering_since is None:
            return
        if record.recovery_target is None:
            record.recovery_target = {str(p): end for p, end in state.end.items()}
        target = record.recovery_target
        if all(positions.get(int(p), 0) >= end for p, end in target.items()):
            log.warning(
                "caught up with the new log after a broker reset",
                extra={"group": self.group_id, "topic": record.topic},
            )
            record.recovering_since = None
            record.recovery_target = None
            self.recovering.discard(record.topic)


def _replaced(recorded_id: str | None, positions: Mapping[int, int], state: LogState) -> str | None:
    """Why the positions do not belong to this log, or None when they do.

    The topic id decides where the broker has one. Only without ids do the offsets decide: a log
    that ends before a position read from it is another log. (Tansu's end offsets can trail the
    records a consumer already fetched for a moment, so they are not trusted where ids exist.)
    """
    if recorded_id and state.topic_id:
        if recorded_id == state.topic_id:
            return None
        return f"topic id changed from {recorded_id} to {state.topic_id}"
    shorter = sorted(p for p, offset in positions.items() if offset > state.end.get(p, 0))
    if shorter:
        return f"partitions {shorter} end before the positions read"
    return None


def _lost_records(
    topic: str, positions: Mapping[int, int], state: LogState
) -> dict[tuple[str, int], int]:
    """Partitions whose earliest record is past the stored position: those records went unread."""
    seeks = {}
    for partition, offset in positions.items():
        earliest = state.earliest.get(partition, 0)
        if offset < earliest:
            log.error(
                "records were removed from the log before this consumer read them",
                extra={"topic": topic, "partition": partition, "lost": earliest - offset},
            )
            seeks[(topic, partition)] = earliest
    return seeks


def recovering_topics(session: Session) -> list[ConsumedLog]:
    """Topics this database's consumer is still re-reading after a broker reset."""
    query = select(ConsumedLog).where(col(ConsumedLog.recovering_since).is_not(None))
    return list(session.exec(query))


def recovery_check(engine: Engine) -> Callable[[], None]:
    """A readiness check: fails while the consumer re-reads a log after a broker reset (a service
    without a consumer has no `consumed_log` table and always passes)."""

    def check() -> None:
        if not sa.inspect(engine).has_table("consumed_log"):
            return
        with Session(engine) as session:
            recovering = recovering_topics(session)
        if recovering:
            topics = ", ".join(f"{r.topic} since {r.recovering_since:%H:%M:%S}" for r in recovering)
            raise RuntimeError(f"re-reading after a broker reset: {topics}")

    return check
