"""Issue #16's traces through the real services, in one process: a registration posted with a
caller's `traceparent` is one trace from candidates' API span, through the outbox row and the
relay's publish span on a real broker, to matching's processing span that puts the candidate in
its match list. Spans are kept by the SDK's in-memory exporter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlmodel import Session, select

from conftest import Broker, outbox_events, read_topic, wait_until
from kakehashi.candidates.bootstrap import SPEC as CANDIDATES
from kakehashi.matching.adapters.tables import CandidateView
from kakehashi.matching.bootstrap import SPEC as MATCHING
from kakehashi.shared import tracing
from kakehashi.shared.events import CANDIDATE_EVENTS
from kakehashi.shared.outbox import OutboxRelay, pending_count
from kakehashi.shared.runtime import Runtime
from services.candidates.tests.samples import CENTRE, SHARING, runtime_of

pytestmark = pytest.mark.integration

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
CALLER_SPAN = "b7ad6b7169203331"
TRACEPARENT = f"00-{TRACE_ID}-{CALLER_SPAN}-01"

WELDER = {
    "full_name": "Trần Thị Mai",
    "date_of_birth": "2001-03-14",
    "sex": "female",
    "province": "Tây Ninh",
    "phone": "+84 912 345 678",
    "passport_number": "C7654321",
    "sector": "construction",
    "skills": [{"code": "welding", "level": 3, "tests_passed": ["ssw1_construction"]}],
    "available_from": "2027-02-01",
    "consents": [SHARING],
}


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = tracing.make_provider("kakehashi-test", "test")
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.install(provider)
    yield exporter
    tracing.uninstall()


@pytest.fixture
def relay(candidates: TestClient) -> Iterator[OutboxRelay]:
    outbox_relay = CANDIDATES.relay(runtime_of(candidates))
    yield outbox_relay
    outbox_relay.producer.close(timeout=10)
    if outbox_relay.acked is not None:
        outbox_relay.acked.close()


def _span_id(span: ReadableSpan) -> str:
    assert span.context is not None
    return format(span.context.span_id, "016x")


def _trace_id(span: ReadableSpan) -> str:
    assert span.context is not None
    return format(span.context.trace_id, "032x")


def _parent(span: ReadableSpan) -> str | None:
    return None if span.parent is None else format(span.parent.span_id, "016x")


def _named(exporter: InMemorySpanExporter, name: str) -> ReadableSpan:
    found = [span for span in exporter.get_finished_spans() if span.name == name]
    assert len(found) == 1, [span.name for span in exporter.get_finished_spans()]
    return found[0]


def _in_match_list(matching: Runtime, candidate_id: str) -> bool:
    with Session(matching.engine) as session:
        return (
            session.exec(
                select(CandidateView).where(CandidateView.candidate_id == candidate_id)
            ).first()
            is not None
        )


def test_a_registration_is_one_trace_from_the_api_to_the_match_list(
    spans: InMemorySpanExporter,
    candidates: TestClient,
    matching: Runtime,
    relay: OutboxRelay,
    broker: Broker,
) -> None:
    consumer = MATCHING.consumer(matching)
    consumer.assign()
    try:
        created = candidates.post(
            "/candidates", json=WELDER, headers=CENTRE | {"traceparent": TRACEPARENT}
        )
        assert created.status_code == 201, created.text
        candidate_id = created.json()["id"]

        # The API's span, a child of the caller's.
        request = _named(spans, "POST /candidates")
        assert request.kind is SpanKind.SERVER
        assert _trace_id(request) == TRACE_ID
        assert _parent(request) == CALLER_SPAN

        # The outbox row's envelope names the API's span.
        [registered] = [e for e in outbox_events(candidates) if e["subject"] == candidate_id]
        assert registered["traceparent"] == f"00-{TRACE_ID}-{_span_id(request)}-01"

        wait_until(
            lambda: relay.publish_pending() >= 0 and pending_count(relay.session_factory) == 0
        )
        publish = _named(spans, "publish candidate-events")
        assert publish.kind is SpanKind.PRODUCER
        assert _trace_id(publish) == TRACE_ID
        assert _parent(publish) == _span_id(request)

        wait_until(
            lambda: _in_match_list(matching, candidate_id),
            step=lambda: consumer.poll_once(timeout_ms=100),
        )
        [record] = read_topic(broker.servers, CANDIDATE_EVENTS, expected=1)
        assert dict(record.headers)["traceparent"].decode() == (
            f"00-{TRACE_ID}-{_span_id(publish)}-01"
        )
        process = _named(spans, "process candidate.registered")
        assert process.kind is SpanKind.CONSUMER
        assert _trace_id(process) == TRACE_ID
        # Its parent is the relay's span, which only the Kafka record's headers name.
        assert _parent(process) == _span_id(publish)
        assert process.attributes is not None
        assert process.attributes["messaging.message.id"] == registered["id"]
        assert process.attributes["kakehashi.correlation_id"] == registered["correlation_id"]
    finally:
        consumer.consumer.close()
        consumer.dead_letters.close(timeout=10)


def test_with_tracing_off_the_same_flow_carries_no_trace_fields(
    candidates: TestClient, relay: OutboxRelay, broker: Broker
) -> None:
    assert not tracing.enabled()
    created = candidates.post(
        "/candidates", json=WELDER, headers=CENTRE | {"traceparent": TRACEPARENT}
    )
    assert created.status_code == 201, created.text
    [payload] = outbox_events(candidates)
    assert "traceparent" not in payload  # the envelope as it was before tracing
    wait_until(lambda: relay.publish_pending() >= 0 and pending_count(relay.session_factory) == 0)
    [record] = read_topic(broker.servers, CANDIDATE_EVENTS, expected=1)
    assert [name for name, _value in record.headers] == ["ce_type", "ce_id"]
