"""Traces: the W3C fields into the envelope and back, into Kafka headers and back, the spans of an
HTTP request, a publish and a processed event, and nothing at all while tracing is off."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from kakehashi.shared import tracing
from kakehashi.shared.events import EventEnvelope
from kakehashi.shared.observability import JsonFormatter, ReadableFormatter
from kakehashi.shared.runtime import Runtime
from kakehashi.shared.settings import ServiceSettings
from kakehashi.shared.web import create_service_app

# An upstream caller's context: trace 4bf9…4736, span 00f0…02b7, sampled.
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{CALLER_SPAN}-01"
TRACESTATE = "kakehashi=t61rcWkgMzE"


def _hex_trace(span: ReadableSpan) -> str:
    assert span.context is not None
    return format(span.context.trace_id, "032x")


def _hex_span(span: ReadableSpan) -> str:
    assert span.context is not None
    return format(span.context.span_id, "016x")


def _parent_span(span: ReadableSpan) -> str | None:
    return None if span.parent is None else format(span.parent.span_id, "016x")


def _event(**fields: Any) -> EventEnvelope:
    return EventEnvelope.new(
        type="candidate.registered", source="test", subject="c-1", data={"n": 1}
    ).model_copy(update=fields)


# --- The envelope -----------------------------------------------------------------------------
def test_an_event_made_inside_a_span_carries_its_context_through_bytes(
    spans: InMemorySpanExporter,
) -> None:
    parent = tracing.context_from(TRACEPARENT, TRACESTATE)
    tracer = tracing.tracer()
    assert tracer is not None
    with tracer.start_as_current_span("register", context=parent) as span:
        event = EventEnvelope.new(
            type="candidate.registered", source="test", subject="c-1", data={}
        )
    own_span = format(span.get_span_context().span_id, "016x")
    assert event.traceparent == f"00-{TRACE_ID}-{own_span}-01"
    assert event.tracestate == TRACESTATE
    again = EventEnvelope.from_bytes(event.to_bytes())
    assert again == event
    assert json.loads(event.to_bytes())["traceparent"] == event.traceparent


def test_without_a_span_an_envelope_has_no_trace_fields_at_all() -> None:
    event = _event()
    assert event.traceparent is None
    assert event.tracestate is None
    # Byte-compatible with the envelope before tracing: consumers with `extra="forbid"` read it.
    assert "traceparent" not in json.loads(event.to_bytes())
    assert "tracestate" not in event.model_dump_json()


def test_a_malformed_traceparent_never_refuses_the_event_and_starts_no_parent() -> None:
    event = EventEnvelope.from_bytes(_event(traceparent="not-a-trace").to_bytes())
    assert event.traceparent == "not-a-trace"
    assert tracing.context_from(event.traceparent) is None


# --- Kafka headers ----------------------------------------------------------------------------
def test_header_fields_round_trip_and_other_headers_are_ignored() -> None:
    headers = [
        ("ce_type", b"candidate.registered"),
        *tracing.kafka_trace_headers(TRACEPARENT, TRACESTATE),
    ]
    assert tracing.fields_of_headers(headers) == (TRACEPARENT, TRACESTATE)
    assert tracing.fields_of_headers(None) == (None, None)
    assert tracing.kafka_trace_headers(None, None) == []
    assert tracing.kafka_trace_headers(TRACEPARENT, None) == [("traceparent", TRACEPARENT.encode())]


def test_a_tracing_relay_publishes_in_a_producer_span_child_of_the_envelope(
    spans: InMemorySpanExporter,
) -> None:
    event = _event(traceparent=TRACEPARENT, tracestate=TRACESTATE)
    headers, span = tracing.start_publish(
        "candidate-events", str(event.id), event.type, event.model_dump_json()
    )
    tracing.end_publish(span)
    [published] = spans.get_finished_spans()
    assert published.name == "publish candidate-events"
    assert published.kind is SpanKind.PRODUCER
    assert _hex_trace(published) == TRACE_ID
    assert _parent_span(published) == CALLER_SPAN
    assert published.attributes is not None
    assert published.attributes["messaging.message.id"] == str(event.id)
    # The record carries the producer span as the consumer's parent, and the caller's state.
    assert tracing.fields_of_headers(headers) == (
        f"00-{TRACE_ID}-{_hex_span(published)}-01",
        TRACESTATE,
    )


def test_a_failed_publish_marks_its_span_as_an_error(spans: InMemorySpanExporter) -> None:
    event = _event(traceparent=TRACEPARENT)
    _headers, span = tracing.start_publish(
        "t", str(event.id), event.type, event.to_bytes().decode()
    )
    tracing.end_publish(span, TimeoutError("no acknowledgement"))
    [published] = spans.get_finished_spans()
    assert published.status.status_code is StatusCode.ERROR


def test_a_relay_that_does_not_trace_still_copies_the_envelope_fields_into_headers() -> None:
    assert not tracing.enabled()
    event = _event(traceparent=TRACEPARENT, tracestate=TRACESTATE)
    headers, span = tracing.start_publish("t", str(event.id), event.type, event.model_dump_json())
    assert span is None
    assert tracing.fields_of_headers(headers) == (TRACEPARENT, TRACESTATE)
    untraced = _event()
    assert tracing.start_publish("t", "x", "a.b", untraced.model_dump_json()) == ([], None)


# --- The consumer -----------------------------------------------------------------------------
def _process(
    headers: list[tuple[str, bytes | None]] | None, envelope: tuple[str | None, str | None]
) -> None:
    with tracing.processing(
        event_type="candidate.registered",
        event_id="e-1",
        topic="candidate-events",
        partition=2,
        offset=41,
        headers=headers,
        envelope_fields=envelope,
        correlation_id="req-7",
    ):
        inner = EventEnvelope.new(type="candidate.match_refused", source="t", subject="s", data={})
        assert inner.traceparent is not None  # events a handler emits continue the trace


def test_processing_is_a_child_of_the_header_context_first(spans: InMemorySpanExporter) -> None:
    producer = "1111111111111111"
    header = f"00-{TRACE_ID}-{producer}-01"
    _process([("traceparent", header.encode())], (TRACEPARENT, None))
    [processed] = spans.get_finished_spans()
    assert processed.name == "process candidate.registered"
    assert processed.kind is SpanKind.CONSUMER
    assert _hex_trace(processed) == TRACE_ID
    assert _parent_span(processed) == producer
    assert processed.attributes is not None
    assert processed.attributes["kakehashi.correlation_id"] == "req-7"
    assert processed.attributes["messaging.kafka.offset"] == 41


def test_processing_falls_back_to_the_envelope_context(spans: InMemorySpanExporter) -> None:
    _process([("ce_type", b"candidate.registered")], (TRACEPARENT, TRACESTATE))
    [processed] = spans.get_finished_spans()
    assert _parent_span(processed) == CALLER_SPAN


def test_processing_without_any_context_starts_a_new_trace(spans: InMemorySpanExporter) -> None:
    _process(None, (None, None))
    [processed] = spans.get_finished_spans()
    assert processed.parent is None
    assert _hex_trace(processed) != TRACE_ID


def test_processing_while_tracing_is_off_makes_no_span_and_no_context() -> None:
    with tracing.processing(
        event_type="a.b",
        event_id="e",
        topic="t",
        partition=0,
        offset=0,
        headers=[("traceparent", TRACEPARENT.encode())],
        envelope_fields=(TRACEPARENT, None),
        correlation_id=None,
    ):
        assert tracing.current_ids() is None
        assert _event().traceparent is None


# --- HTTP -------------------------------------------------------------------------------------
@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    settings = ServiceSettings(
        service_name="tracing-test",
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        kafka_bootstrap_servers="127.0.0.1:9",
        environment="test",
    )
    router = APIRouter()

    @router.post("/tracing-test/orders/{order_id}")
    def order(order_id: str) -> dict[str, str | None]:
        event = EventEnvelope.new(type="job_order.opened", source="t", subject=order_id, data={})
        return {"traceparent": event.traceparent}

    @router.get("/tracing-test/broken")
    def broken() -> None:
        raise RuntimeError("boom")

    app = create_service_app(Runtime.build(settings, tmp_path), "tracing test", [router])
    return TestClient(app, raise_server_exceptions=False)


def test_a_request_is_a_server_span_named_by_its_route_child_of_the_callers_traceparent(
    spans: InMemorySpanExporter, client: TestClient
) -> None:
    answer = client.post(
        "/tracing-test/orders/o-1",
        headers={"traceparent": TRACEPARENT, "X-Correlation-ID": "req-9"},
    )
    assert answer.status_code == 200
    [request] = spans.get_finished_spans()
    assert request.name == "POST /tracing-test/orders/{order_id}"
    assert request.kind is SpanKind.SERVER
    assert _parent_span(request) == CALLER_SPAN
    assert request.attributes is not None
    assert request.attributes["http.response.status_code"] == 200
    assert request.attributes["http.route"] == "/tracing-test/orders/{order_id}"
    assert request.attributes["kakehashi.correlation_id"] == "req-9"
    # The event the route made is stamped with the request's span.
    assert answer.json()["traceparent"] == f"00-{TRACE_ID}-{_hex_span(request)}-01"


def test_a_request_without_traceparent_starts_a_trace_and_a_crash_is_an_error(
    spans: InMemorySpanExporter, client: TestClient
) -> None:
    assert client.get("/tracing-test/broken").status_code == 500
    [request] = spans.get_finished_spans()
    assert request.parent is None
    assert request.name == "GET /tracing-test/broken"
    assert request.status.status_code is StatusCode.ERROR


def test_a_request_while_tracing_is_off_stamps_no_trace(client: TestClient) -> None:
    answer = client.post("/tracing-test/orders/o-2", headers={"traceparent": TRACEPARENT})
    assert answer.json() == {"traceparent": None}


# --- Logs and settings ------------------------------------------------------------------------
def test_a_log_line_inside_a_span_names_its_trace(spans: InMemorySpanExporter) -> None:
    formatter = JsonFormatter("test")
    record = logging.makeLogRecord({"msg": "applied", "levelname": "INFO"})
    assert "trace_id" not in json.loads(formatter.format(record))
    parent = tracing.context_from(TRACEPARENT)
    tracer = tracing.tracer()
    assert tracer is not None
    with tracer.start_as_current_span("work", context=parent):
        line = json.loads(formatter.format(record))
    assert line["trace_id"] == TRACE_ID
    assert len(line["span_id"]) == 16
    with tracer.start_as_current_span("work", context=parent):
        readable = ReadableFormatter().format(record)
    assert readable.endswith(f"applied trace={TRACE_ID}")
    assert "trace=" not in ReadableFormatter().format(record)


@pytest.mark.parametrize(
    ("setting", "environ", "expected"),
    [
        ("", {}, ""),
        ("http://jaeger:4318", {}, "http://jaeger:4318/v1/traces"),
        ("http://jaeger:4318/v1/traces", {}, "http://jaeger:4318/v1/traces"),
        ("", {"KAKEHASHI_OTLP_ENDPOINT": "http://c:4318/"}, "http://c:4318/v1/traces"),
        ("", {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://o:4318"}, "http://o:4318/v1/traces"),
        ("", {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://o:4318/t"}, "http://o:4318/t"),
        (
            "http://mine:4318",
            {"KAKEHASHI_OTLP_ENDPOINT": "http://c:4318"},
            "http://mine:4318/v1/traces",
        ),
        ("http://mine:4318", {"OTEL_SDK_DISABLED": "true"}, ""),
    ],
)
def test_the_endpoint_comes_from_settings_then_the_environment(
    setting: str, environ: dict[str, str], expected: str
) -> None:
    settings = ServiceSettings(otlp_endpoint=setting)
    assert tracing.traces_endpoint(settings, environ) == expected


def test_an_endpoint_that_is_not_a_url_is_refused() -> None:
    with pytest.raises(ValueError, match="otlp_endpoint"):
        ServiceSettings(otlp_endpoint="jaeger:4318")


def test_configure_without_an_endpoint_leaves_tracing_off(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KAKEHASHI_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    assert tracing.configure_tracing(ServiceSettings(), "test-api") is False
    assert not tracing.enabled()


def test_configure_with_an_endpoint_turns_tracing_on_under_the_process_name(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = ServiceSettings(otlp_endpoint="http://127.0.0.1:9")
    try:
        with caplog.at_level(logging.INFO, logger="kakehashi.shared.tracing"):
            assert tracing.configure_tracing(settings, "candidates-api") is True
        assert "tracing on" in caplog.text
        provider = tracing._installed.provider
        assert provider is not None  # the SDK provider, with the process as its service
        assert provider.resource.attributes["service.name"] == "candidates-api"
    finally:
        tracing.uninstall()
    assert not tracing.enabled()
