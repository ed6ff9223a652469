"""The Kafka loop of an idempotent consumer: read, hand each event to the applier, then commit the
offset to Kafka after the applier's transaction.

The consumer assigns itself its topics' partitions (all, or the ones configured) and resumes from
the positions the applier keeps in the database. Tansu, the embedded broker, sometimes stalls a
group join for longer than 30 s; positions kept beside the effect make restarts exact without it.
The offsets are also committed to Kafka under the consumer's group id, so lag tools still see
them.

A broker that lost its log (a memory broker restarted, a topic recreated) is noticed by the
`LogWatch`, which sends the consumer back to the start of the new log (see `log_watch`).

A message that keeps failing is sent to the group's dead-letter topic with the error and where it
came from, and the partition moves on. A database outage is not the message's fault: it is retried
until the database answers, without moving on.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from typing import Any

from kafka import KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from kakehashi.shared.applier import EventApplier, Position
from kakehashi.shared.clock import utcnow
from kakehashi.shared.events import EventEnvelope, dead_letter_topic
from kakehashi.shared.log_watch import LogWatch, broker_logs
from kakehashi.shared.metrics import (
    CONSUMER_BROKER_RESETS,
    CONSUMER_DEAD_LETTERED,
    CONSUMER_HANDLE_DURATION,
    CONSUMER_LAG,
    CONSUMER_RETRIES,
    CONSUMER_SKIPPED_UNKNOWN,
)
from kakehashi.shared.observability import reset_correlation_id, set_correlation_id
from kakehashi.shared.tracing import mark_failed, processing

log = logging.getLogger(__name__)

# At most this many records per poll; after a poll that brought fewer (the consumer has caught
# up), it waits LINGER_S before the next.
POLL_RECORDS = 500
LINGER_S = 0.02


def position_of(message: Any) -> Position:
    """Where a kafka-python record was read."""
    return Position(message.topic, message.partition, message.offset)


class EventConsumer:
    """Feeds the events of `topics` to `applier`, under the applier's consumer group."""

    def __init__(
        self,
        *,
        applier: EventApplier,
        topics: list[str],
        consumer: KafkaConsumer,
        dead_letters: KafkaProducer,
        partitions: Collection[int] | None = None,
        max_attempts: int = 3,
        retry_backoff_s: float = 0.2,
        watch: LogWatch | None = None,
        log_check_interval_s: float = 5.0,
        reconnect: Callable[[], KafkaConsumer] | None = None,
        linger_s: float = LINGER_S,
    ) -> None:
        self.applier = applier
        self.linger_s = linger_s
        self.watch = watch
        self.reconnect = reconnect
        self.log_check_interval_s = log_check_interval_s
        self._assigned: list[TopicPartition] = []
        self._next_log_check = 0.0
        self.topics = topics
        self.consumer = consumer
        self.dead_letters = dead_letters
        self.partitions = None if partitions is None else frozenset(partitions)
        self.max_attempts = max_attempts
        self.retry_backoff_s = retry_backoff_s
        self._stop = threading.Event()

    @property
    def group_id(self) -> str:
        return self.applier.group_id

    @property
    def skipped_unknown(self) -> Counter[str]:
        """How many events of each type had no handler (skipped, never recorded as applied)."""
        return self.applier.skipped_unknown

    def run(self, stop: threading.Event | None = None) -> None:
        """Assign, then poll and apply until `stop` is set; the caller closes the Kafka clients."""
        self._stop = stop or self._stop
        self.assign()
        while not self._stop.is_set():
            handled = self.poll_once()
            if 0 < handled < POLL_RECORDS:
                # Let the next events gather: applied together they cost one transaction.
                self._stop.wait(self.linger_s)
            if time.monotonic() >= self._next_log_check:
                self.check_log()
                self.sample_lag()

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
        self._assigned = assigned
        self.check_log()  # before seeking: positions from a lost log are rewound first
        stored = self.applier.stored_positions()
        for partition in assigned:
            next_offset = stored.get((partition.topic, partition.partition))
            if next_offset is not None:
                self.consumer.seek(partition, next_offset)
            else:
                self.consumer.seek_to_beginning(partition)
        log.info("partitions assigned", extra={"partitions": [str(p) for p in assigned]})
        self.sample_lag()
        return assigned

    def check_log(self) -> None:
        """Rewind to the start of any partition log that is not the one the positions belong to."""
        self._next_log_check = time.monotonic() + self.log_check_interval_s
        if self.watch is None or not self._assigned:
            return
        resets = self.watch.resets
        try:
            seeks = self.watch.check(broker_logs(self.consumer, self._assigned))
        except KafkaError:
            log.debug("log check skipped: the broker does not answer", exc_info=True)
            return
        if self.watch.resets > resets:
            CONSUMER_BROKER_RESETS.labels(self.group_id).inc(self.watch.resets - resets)
        if self.watch.resets > resets and self.reconnect is not None:
            # The client's state (metadata, leader epochs, fetch session) belongs to the lost log;
            # seen on Tansu: an old client can go on fetching nothing from the new log. Start
            # afresh, as a restarted process would, from the rewound positions.
            self.consumer.close()
            self.consumer = self.reconnect()
            self.consumer.assign(self._assigned)
            stored = self.applier.stored_positions()
            seeks = {
                (tp.topic, tp.partition): stored.get((tp.topic, tp.partition), 0)
                for tp in self._assigned
            }
        for (topic, partition), offset in seeks.items():
            self.consumer.seek(TopicPartition(topic, partition), offset)

    def sample_lag(self) -> None:
        """Set the lag gauge of each assigned partition: the broker's end offset minus the
        position stored beside the applied events (never below 0: Tansu's end offsets can trail)."""
        if not self._assigned:
            return
        try:
            ends = self.consumer.end_offsets(self._assigned)
        except KafkaError:
            log.debug("lag not sampled: the broker does not answer", exc_info=True)
            return
        stored = self.applier.stored_positions()
        for partition, end in ends.items():
            position = stored.get((partition.topic, partition.partition), 0)
            lag = CONSUMER_LAG.labels(self.group_id, partition.topic, str(partition.partition))
            lag.set(max(end - position, 0))

    def poll_once(self, timeout_ms: int = 200) -> int:
        """Apply one batch, then commit its offsets to Kafka; returns how many were handled."""
        batches = self.consumer.poll(timeout_ms=timeout_ms, max_records=POLL_RECORDS)
        handled = 0
        for partition, messages in batches.items():
            if self._stop.is_set():
                return handled
            if self._apply_together(messages):
                handled += len(messages)
            else:
                for message in messages:
                    if self._stop.is_set():
                        return handled
                    self._process(message)
                    handled += 1
            self._commit(partition, messages[-1].offset + 1)
        return handled

    def _apply_together(self, messages: list[Any]) -> bool:
        """A partition's batch in one transaction (`EventApplier.apply_together`): under load
        one commit per event was most of the lag to the read model. False, having applied
        nothing, when the batch must go one message at a time instead: a single message, an
        unreadable one, or any failure (the one-at-a-time path retries and dead-letters)."""
        if len(messages) < 2:
            return False
        try:
            events = [(EventEnvelope.from_bytes(m.value), position_of(m)) for m in messages]
        except (ValidationError, ValueError, TypeError):
            return False
        by_offset = {m.offset: m for m in messages}
        skipped = self.applier.skipped_unknown.total()
        started = time.perf_counter()
        try:
            self.applier.apply_together(
                events, around=lambda event, at: self._span(by_offset[at.offset], event)
            )
        except Exception:
            log.info("batch not applied together; one message at a time", exc_info=True)
            return False
        if unknown := self.applier.skipped_unknown.total() - skipped:
            CONSUMER_SKIPPED_UNKNOWN.labels(self.group_id).inc(unknown)
        each = (time.perf_counter() - started) / len(messages)
        duration = CONSUMER_HANDLE_DURATION.labels(self.group_id, messages[0].topic)
        for _ in messages:
            duration.observe(each)
        return True

    @contextlib.contextmanager
    def _span(self, message: Any, event: EventEnvelope) -> Iterator[None]:
        """The event's correlation id and consumer span, as one message alone has them."""
        token = set_correlation_id(event.correlation_id)
        try:
            with processing(
                event_type=event.type,
                event_id=str(event.id),
                topic=message.topic,
                partition=message.partition,
                offset=message.offset,
                headers=message.headers,
                envelope_fields=(event.traceparent, event.tracestate),
                correlation_id=event.correlation_id,
            ):
                yield
        finally:
            reset_correlation_id(token)

    def _commit(self, partition: TopicPartition, next_offset: int) -> None:
        try:
            self.consumer.commit({partition: OffsetAndMetadata(next_offset, "", -1)})
        except KafkaError:
            # The database holds the authoritative position; Kafka's copy is for lag tools.
            log.warning("offset commit to Kafka failed", exc_info=True)

    def _process(self, message: Any) -> None:
        started = time.perf_counter()
        try:
            self._handle(message)
        finally:
            duration = time.perf_counter() - started
            CONSUMER_HANDLE_DURATION.labels(self.group_id, message.topic).observe(duration)

    def _handle(self, message: Any) -> None:
        try:
            event = EventEnvelope.from_bytes(message.value)
        except (ValidationError, ValueError, TypeError) as error:
            log.error("unreadable message", extra={"offset": message.offset, "error": str(error)})
            self._dead_letter(message, error)
            return
        # Child of the producer's span: the record's trace headers, else the envelope's.
        with self._span(message, event):
            self._apply_with_retries(message, event)

    def _apply_with_retries(self, message: Any, event: EventEnvelope) -> None:
        attempt = 0
        skipped = self.applier.skipped_unknown[event.type]
        while True:
            attempt += 1
            if attempt > 1:
                CONSUMER_RETRIES.labels(self.group_id, message.topic).inc()
            try:
                self.applier.apply(event, position_of(message))
                if self.applier.skipped_unknown[event.type] > skipped:
                    CONSUMER_SKIPPED_UNKNOWN.labels(self.group_id).inc()
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
            ("dlq_failed_at", utcnow().isoformat().encode()),
        ]
        future = self.dead_letters.send(
            dead_letter_topic(self.group_id), key=message.key, value=message.value, headers=headers
        )
        future.get(timeout=30)  # raises if the broker did not take it: the position stays put
        mark_failed(error)
        self.applier.skip(position_of(message))
        CONSUMER_DEAD_LETTERED.labels(self.group_id, message.topic).inc()
        log.error(
            "message sent to dead-letter topic",
            extra={
                "topic": message.topic,
                "partition": message.partition,
                "offset": message.offset,
                "error": str(error),
            },
        )
