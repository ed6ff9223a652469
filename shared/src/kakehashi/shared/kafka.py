"""Factories for kafka-python clients, so that tests and the composition root can swap them."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

log = logging.getLogger(__name__)


def make_producer(bootstrap_servers: list[str], **overrides: Any) -> KafkaProducer:
    """A producer that waits for all in-sync replicas and never reorders a key's records."""
    options: dict[str, Any] = {
        "bootstrap_servers": bootstrap_servers,
        "acks": "all",
        # Delivery is at-least-once; consumers dedupe by event id. The idempotent producer is
        # off because its sequence numbers wedge after a broker stall on Tansu.
        "enable_idempotence": False,
        "retries": 5,
        # One request in flight keeps order per partition even when a send is retried.
        "max_in_flight_requests_per_connection": 1,
        "linger_ms": 5,
        "max_block_ms": 5000,
        "request_timeout_ms": 10000,
        "client_id": "kakehashi",
    }
    options.update(overrides)
    return KafkaProducer(**options)


def make_consumer(bootstrap_servers: list[str], group_id: str, **overrides: Any) -> KafkaConsumer:
    """A consumer with manual commits under `group_id`; offsets are committed after the database.

    Short session and heartbeat intervals keep a group join quick (about 3 s on Tansu) for
    callers that subscribe rather than assign.
    """
    options: dict[str, Any] = {
        "bootstrap_servers": bootstrap_servers,
        "group_id": group_id,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        # The broker answers a fetch as soon as data arrives or after this wait: it bounds the
        # delay between a commit upstream and the effect here.
        "fetch_max_wait_ms": 50,
        "session_timeout_ms": 6000,
        "heartbeat_interval_ms": 2000,
        "client_id": group_id,
    }
    options.update(overrides)
    return KafkaConsumer(**options)


def ensure_topics(bootstrap_servers: list[str], topics: Iterable[str], partitions: int = 3) -> None:
    """Create the topics that do not exist yet; existing ones are left as they are."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="kakehashi-admin")
    try:
        existing = set(admin.list_topics())
        missing = [t for t in dict.fromkeys(topics) if t not in existing]
        if not missing:
            return
        # Another process may create them between our listing and our request.
        with contextlib.suppress(TopicAlreadyExistsError):
            admin.create_topics(
                [NewTopic(name=t, num_partitions=partitions, replication_factor=1) for t in missing]
            )
        log.info("created topics", extra={"topics": missing})
    finally:
        admin.close()
