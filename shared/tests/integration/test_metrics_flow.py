"""A relay's and a consumer's metrics move with the events they carry (real broker, real database),
read the way Prometheus reads them: from the worker's metrics port."""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Callable, Iterator

import pytest
from kafka import KafkaProducer

from conftest import Broker, wait_until
from kakehashi.shared.applier import EventApplier
from kakehashi.shared.consumer import EventConsumer
from kakehashi.shared.db import SessionFactory
from kakehashi.shared.events import CANDIDATE_EVENTS, EventEnvelope, dead_letter_topic
from kakehashi.shared.kafka import ensure_topics, make_consumer, make_producer
from kakehashi.shared.log_watch import LogWatch, recovery_check
from kakehashi.shared.metrics import serve_metrics, watch_outbox, watch_readiness
from kakehashi.shared.outbox import OutboxRelay, outbox_figures
from kakehashi.shared.unit_of_work import UnitOfWork

pytestmark = pytest.mark.integration

GROUP = "metrics-flow"
SERVICE = "metrics-flow"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


Scrape = Callable[[], dict[str, float]]


@pytest.fixture
def scrape() -> Iterator[Scrape]:
    """Serve this process's metrics on a free port, as a worker does; calling the fixture
    scrapes it (sample line -> value)."""
    port = _free_port()
    stop = serve_metrics("127.0.0.1", port)

    def read() -> dict[str, float]:
        url = f"http://127.0.0.1:{port}/metrics"
        with urllib.request.urlopen(url, timeout=30) as answer:
            text = answer.read().decode()
        samples = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                samples[name] = float(value)
        return samples

    yield read
    stop()


def _emit(uow: UnitOfWork, count: int, type: str = "candidate.registered") -> None:
    for n in range(count):
        with uow:
            event = EventEnvelope.new(type=type, source="test", subject=f"c-{n}", data={"n": n})
            uow.emit(CANDIDATE_EVENTS, event)
            uow.commit()


def test_the_relays_outbox_and_publish_metrics_move(
    broker: Broker, sessions: SessionFactory, scrape: Scrape
) -> None:
    labels = f'{{service="{SERVICE}"}}'
    watch_outbox(SERVICE, lambda: outbox_figures(sessions))
    _emit(UnitOfWork(sessions), 6)
    before = scrape()
    assert before[f"kakehashi_outbox_pending_events{labels}"] == 6
    assert before[f"kakehashi_outbox_oldest_pending_age_seconds{labels}"] >= 0
    published_before = before.get(f"kakehashi_relay_published_events_total{labels}", 0.0)
    batches_before = before.get(f"kakehashi_relay_batch_duration_seconds_count{labels}", 0.0)

    producer = make_producer(broker.servers)
    try:
        assert OutboxRelay(sessions, producer, service=SERVICE).publish_pending() == 6
    finally:
        producer.close(timeout=10)

    after = scrape()
    assert after[f"kakehashi_outbox_pending_events{labels}"] == 0
    assert after[f"kakehashi_outbox_oldest_pending_age_seconds{labels}"] == 0
    assert after[f"kakehashi_relay_published_events_total{labels}"] == published_before + 6
    assert after[f"kakehashi_relay_batch_duration_seconds_count{labels}"] > batches_before
    assert after.get(f"kakehashi_relay_publish_errors_total{labels}", 0.0) == 0


def _explode(event: EventEnvelope, uow: UnitOfWork) -> None:
    raise ValueError(f"cannot apply {event.type}")


def _ignore(event: EventEnvelope, uow: UnitOfWork) -> None:
    pass


@pytest.fixture
def consumer(broker: Broker, sessions: SessionFactory) -> Iterator[EventConsumer]:
    ensure_topics(broker.servers, [CANDIDATE_EVENTS, dead_letter_topic(GROUP)])
    handlers = {"candidate.registered": _ignore, "candidate.broken": _explode}
    runner = EventConsumer(
        applier=EventApplier(GROUP, handlers, lambda: UnitOfWork(sessions)),
        topics=[CANDIDATE_EVENTS],
        consumer=make_consumer(broker.servers, GROUP),
        dead_letters=make_producer(broker.servers),
        max_attempts=2,
        retry_backoff_s=0.01,
    )
    runner.assign()
    yield runner
    runner.consumer.close()
    runner.dead_letters.close(timeout=10)


def _event(type: str, subject: str) -> EventEnvelope:
    return EventEnvelope.new(type=type, source="test", subject=subject, data={})


def _lag(samples: dict[str, float]) -> float:
    prefix = f'kakehashi_consumer_lag_events{{group="{GROUP}",'
    return sum(value for name, value in samples.items() if name.startswith(prefix))


def _counter(samples: dict[str, float], name: str, **labels: str) -> float:
    rendered = ",".join(f'{k}="{v}"' for k, v in sorted({"group": GROUP, **labels}.items()))
    return samples.get(f"{name}{{{rendered}}}", 0.0)


def test_the_consumers_lag_handling_retries_dead_letters_and_unknown_types_move(
    broker: Broker, consumer: EventConsumer, scrape: Scrape
) -> None:
    topic = {"topic": CANDIDATE_EVENTS}
    before = scrape()
    handled_before = _counter(before, "kakehashi_consumer_handle_duration_seconds_count", **topic)
    events = [
        *(_event("candidate.registered", f"c-{n}") for n in range(5)),
        _event("candidate.broken", "x"),  # fails every attempt: one retry, then dead-lettered
        _event("candidate.unheard_of", "y"),  # no handler: skipped
    ]
    producer = KafkaProducer(bootstrap_servers=broker.servers)
    try:
        for event in events:
            # One record per batch: Tansu misreports end offsets after a multi-record batch.
            producer.send(CANDIDATE_EVENTS, key=event.subject.encode(), value=event.to_bytes()).get(
                timeout=10
            )
    finally:
        producer.close(timeout=10)

    # Nothing applied yet: the lag is every event on the topic.
    consumer.sample_lag()
    assert _lag(scrape()) == 7

    handled = 0

    def step() -> None:
        nonlocal handled
        handled += consumer.poll_once()

    wait_until(lambda: handled >= 7, step=step)
    consumer.sample_lag()
    after = scrape()
    assert _lag(after) == 0
    assert _counter(after, "kakehashi_consumer_handle_duration_seconds_count", **topic) == (
        handled_before + 7
    )
    retries = "kakehashi_consumer_retries_total"
    assert _counter(after, retries, **topic) == _counter(before, retries, **topic) + 1
    dead = "kakehashi_consumer_dead_lettered_events_total"
    assert _counter(after, dead, **topic) == _counter(before, dead, **topic) + 1
    unknown_name = "kakehashi_consumer_skipped_unknown_events_total"
    assert _counter(after, unknown_name) == _counter(before, unknown_name) + 1


def test_a_broker_reset_is_counted_and_readiness_reports_it(
    broker: Broker, sessions: SessionFactory, scrape: Scrape
) -> None:
    """The log watch's resets, exposed: the memory broker killed and replaced under a consumer."""
    group = "metrics-reset"

    def uow() -> UnitOfWork:
        return UnitOfWork(sessions)

    runner = EventConsumer(
        applier=EventApplier(group, {"candidate.registered": _ignore}, uow),
        topics=[CANDIDATE_EVENTS],
        consumer=make_consumer(broker.servers, group),
        dead_letters=make_producer(broker.servers),
        watch=LogWatch(group, uow),
        reconnect=lambda: make_consumer(broker.servers, group),
    )
    resets = f'kakehashi_consumer_broker_resets_total{{group="{group}"}}'
    ready = f'kakehashi_readiness_check_ok{{check="consumer",service="{group}"}}'
    watch_readiness(group, {"consumer": recovery_check(sessions.kw["bind"])})
    try:
        runner.assign()
        _publish_one_by_one(broker, [_event("candidate.registered", f"r-{n}") for n in range(3)])
        wait_until(lambda: runner.applier.stored_positions() != {}, step=runner.poll_once)
        wait_until(
            lambda: sum(runner.applier.stored_positions().values()) == 3, step=runner.poll_once
        )
        assert scrape().get(resets, 0.0) == 0
        assert scrape()[ready] == 1

        broker.replace()
        wait_until(lambda: scrape().get(resets, 0.0) == 1, timeout_s=30, step=runner.check_log)
        assert scrape()[ready] == 0  # re-reading the new log: not ready until caught up
    finally:
        runner.consumer.close()
        runner.dead_letters.close(timeout=10)


def _publish_one_by_one(broker: Broker, events: list[EventEnvelope]) -> None:
    producer = KafkaProducer(bootstrap_servers=broker.servers)
    try:
        for event in events:
            key = event.subject.encode()
            producer.send(CANDIDATE_EVENTS, key=key, value=event.to_bytes()).get(timeout=10)
    finally:
        producer.close(timeout=10)
