"""The relay's side of a broker reset: noticing that the broker lost records it had acknowledged.

The relay marks an outbox row sent once the broker acknowledged it; a memory broker killed and
restarted (or a topic deleted and recreated) then holds none of those records, and no consumer
that had not read them yet ever will. The consumers notice the new log and re-read it
(`log_watch`); what they cannot get back is what was lost. This watch remembers, per partition,
the highest offset the broker acknowledged and the topic's id, and compares them with the broker
every few seconds: a topic id that changed, or (where the broker gives no ids) a log that ends
before an acknowledged offset, is logged at ERROR with the advice to `republish`, and counted.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kafka import KafkaConsumer
from kafka.errors import KafkaError
from kafka.structs import TopicPartition

from kakehashi.shared.log_watch import broker_logs

log = logging.getLogger(__name__)


@dataclass
class AcknowledgedLog:
    """What the broker acknowledged to this relay, checked against what it holds now.

    `losses` counts the losses found since start (for a metric); `lost` lists the last one's
    (topic, partition, acknowledged end, end now)."""

    bootstrap_servers: list[str]
    check_interval_s: float = 5.0
    make_consumer: Callable[[list[str]], Any] | None = None
    losses: int = 0
    lost: list[tuple[str, int, int, int]] = field(default_factory=list)
    _acked: dict[tuple[str, int], int] = field(default_factory=dict)
    _topic_ids: dict[str, str] = field(default_factory=dict)
    _next_check: float = 0.0
    _consumer: Any = None

    def note(self, metadata: Any) -> None:
        """Record one acknowledgement (kafka-python's RecordMetadata of a sent record)."""
        key = (metadata.topic, metadata.partition)
        if metadata.offset >= 0 and metadata.offset + 1 > self._acked.get(key, 0):
            self._acked[key] = metadata.offset + 1

    def maybe_check(self) -> None:
        """`check` when its interval has passed; a broker that does not answer is skipped."""
        if time.monotonic() < self._next_check or not self._acked:
            return
        self._next_check = time.monotonic() + self.check_interval_s
        try:
            self.check()
        except KafkaError:
            log.debug("acknowledged-log check skipped: the broker does not answer", exc_info=True)
            self._close()

    def check(self) -> bool:
        """Compare with the broker now; True (after logging at ERROR) when it lost records."""
        partitions = [TopicPartition(t, p) for t, p in self._acked]
        logs = broker_logs(self._client(), partitions)
        lost: list[tuple[str, int, int, int]] = []
        for topic, state in logs.items():
            known = self._topic_ids.get(topic)
            acked = {p: end for (t, p), end in self._acked.items() if t == topic}
            if known and state.topic_id:
                if known != state.topic_id:
                    lost += [(topic, p, end, state.end.get(p, 0)) for p, end in acked.items()]
            elif state.topic_id is None:
                # Only a broker without topic ids is judged by its end offsets: Tansu's can trail
                # the records it acknowledged for a moment (see log_watch._replaced).
                lost += [
                    (topic, p, end, state.end.get(p, 0))
                    for p, end in acked.items()
                    if state.end.get(p, 0) < end
                ]
            if state.topic_id:
                self._topic_ids[topic] = state.topic_id
        if not lost:
            return False
        self.losses += 1
        self.lost = lost
        log.error(
            "the broker lost events it had acknowledged: run `republish` so consumers get them",
            extra={"lost": [f"{t}/{p}: acknowledged to {a}, ends at {e}" for t, p, a, e in lost]},
        )
        # The new log is the reference from now on: report this loss once.
        for topic, partition, _acked, end in lost:
            self._acked[(topic, partition)] = end
        self._close()  # a client of the lost log may misreport the new one
        return True

    def close(self) -> None:
        self._close()

    def _client(self) -> Any:
        if self._consumer is None:
            make = self.make_consumer or _plain_consumer
            self._consumer = make(self.bootstrap_servers)
        return self._consumer

    def _close(self) -> None:
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None


def _plain_consumer(bootstrap_servers: list[str]) -> KafkaConsumer:
    return KafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        group_id=None,
        enable_auto_commit=False,
        client_id="kakehashi-relay-watch",
        # A broker that does not answer fails a request in seconds, not kafka-python's 5 minutes.
        session_timeout_ms=6000,
        heartbeat_interval_ms=2000,
        request_timeout_ms=8000,
        bootstrap_timeout_ms=5000,
    )
