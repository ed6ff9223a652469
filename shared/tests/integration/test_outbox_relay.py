"""The relay against a real broker and a real database."""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from typing import Any

import pytest
from kafka.errors import KafkaError
from sqlmodel import select

from conftest import Broker, read_topic
from kakehashi.shared.db import SessionFactory
from kakehashi.shared.events import CANDIDATE_EVENTS, EventEnvelope
from kakehashi.shared.kafka import make_producer
from kakehashi.shared.outbox import OutboxMessage, OutboxRelay, pending_count
from kakehashi.shared.unit_of_work import UnitOfWork

pytestmark = pytest.mark.integration


def _write_events(uow: UnitOfWork, keys: list[str], per_key: int) -> None:
    for sequence in range(per_key):
        for key in keys:
            with uow:
                event = EventEnvelope.new(
                    type="candidate.registered",
                    source="test",
                    subject=key,
                    data={"sequence": sequence},
                )
                uow.emit(CANDIDATE_EVENTS, event)
                uow.commit()


def _sequences_by_key(records: list[Any]) -> dict[str, list[int]]:
    by_key: dict[str, list[int]] = defaultdict(list)
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        by_key[record.key.decode()].append(json.loads(record.value)["data"]["sequence"])
    return by_key


def test_relay_publishes_every_row_in_order_per_key_and_marks_it_sent(
    broker: Broker, sessions: SessionFactory
) -> None:
    keys = [f"candidate-{n}" for n in range(5)]
    _write_events(UnitOfWork(sessions), keys, per_key=6)
    producer = make_producer(broker.servers)
    try:
        assert OutboxRelay(sessions, producer).publish_pending() == 30
    finally:
        producer.close(timeout=10)
    assert pending_count(sessions) == 0
    records = read_topic(broker.servers, CANDIDATE_EVENTS, expected=30)
    assert len(records) == 30
    assert _sequences_by_key(records) == {key: list(range(6)) for key in keys}
    assert {dict(r.headers)["ce_type"] for r in records} == {b"candidate.registered"}


def test_rows_wait_while_the_broker_is_down_and_all_arrive_after(
    broker: Broker, sessions: SessionFactory
) -> None:
    uow = UnitOfWork(sessions)
    producer = make_producer(
        broker.servers, max_block_ms=1000, request_timeout_ms=1000, delivery_timeout_ms=2000
    )
    relay = OutboxRelay(sessions, producer, ack_timeout_s=3)
    try:
        _write_events(uow, ["warm-up"], per_key=1)
        assert relay.publish_pending() == 1
        broker.pause()
        # The service keeps accepting writes while the broker is away.
        _write_events(uow, ["a", "b"], per_key=4)
        with pytest.raises(KafkaError):
            relay.publish_pending()
        assert pending_count(sessions) == 8
        with sessions() as session:
            failed = session.exec(select(OutboxMessage).where(OutboxMessage.attempts > 0)).all()
            assert failed
            assert all(row.last_error for row in failed)
        broker.resume()
        stop = threading.Event()
        runner = threading.Thread(target=relay.run, args=(stop,), kwargs={"poll_interval_s": 0.05})
        runner.start()
        try:
            records = read_topic(broker.servers, CANDIDATE_EVENTS, expected=9, timeout_s=60)
        finally:
            stop.set()
            runner.join(timeout=30)
    finally:
        producer.close(timeout=10)
    assert pending_count(sessions) == 0
    # Nothing is lost; a row whose ack was lost may appear twice, which consumers dedupe.
    ids = {json.loads(r.value)["id"] for r in records}
    assert len(ids) == 9
    by_key = _sequences_by_key(records)
    for key in ("a", "b"):
        assert sorted(set(by_key[key])) == [0, 1, 2, 3]


def test_two_relays_on_postgres_publish_each_row_once_in_order(
    postgres_only: None, broker: Broker, sessions: SessionFactory
) -> None:
    keys = [f"order-{n}" for n in range(20)]
    _write_events(UnitOfWork(sessions), keys, per_key=10)
    producers = [make_producer(broker.servers) for _ in range(2)]
    relays = [OutboxRelay(sessions, p, batch_size=7) for p in producers]
    errors: list[BaseException] = []

    def drain(relay: OutboxRelay) -> None:
        try:
            while pending_count(sessions):
                relay.publish_pending()
        except BaseException as error:  # surfaced by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=drain, args=(r,)) for r in relays]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for producer in producers:
        producer.close(timeout=10)
    assert not errors
    records = read_topic(broker.servers, CANDIDATE_EVENTS, expected=200)
    assert len(records) == 200  # exactly once: SKIP LOCKED kept the relays apart
    assert _sequences_by_key(records) == {key: list(range(10)) for key in keys}
