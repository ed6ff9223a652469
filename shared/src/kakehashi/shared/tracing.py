"""Traces across processes (OpenTelemetry, W3C Trace Context): one trace follows a request from
the API through the outbox row, the Kafka record and the consumer that applies it.

The context travels in three places, with the same two W3C fields each time:

- the HTTP request's `traceparent`/`tracestate` headers, read by `TracingMiddleware`;
- the event envelope's `traceparent`/`tracestate` attributes (the CloudEvents Distributed
  Tracing extension), stamped by `EventEnvelope.new` from the span current when the event is
  made, so the outbox row (whose payload is the envelope) keeps it until the relay runs;
- the Kafka record's `traceparent`/`tracestate` headers, set by the relay from its
  "publish <topic>" span; a consumer reads the header first and the envelope as a fallback
  (a record republished by a tool that sets no header still joins its trace).

Tracing is off unless an OTLP endpoint is configured (`otlp_endpoint` of the service's settings,
or `KAKEHASHI_OTLP_ENDPOINT`, or OpenTelemetry's own `OTEL_EXPORTER_OTLP_ENDPOINT`). Off, no SDK
is loaded, an API gets no tracing middleware, and each hook below returns after a check of a
module variable (the relay also looks for a context in the row's JSON, to copy it into the
headers): no span, no context, no field in the envelope. Spans are exported in batches over OTLP/HTTP (protobuf) from a
background thread; an unreachable collector costs dropped spans, never a failed request.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from kakehashi.shared.metrics import route_template

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

    from kakehashi.shared.settings import ServiceSettings

log = logging.getLogger(__name__)

TRACEPARENT = "traceparent"
TRACESTATE = "tracestate"
ENDPOINT_ENV = "KAKEHASHI_OTLP_ENDPOINT"
OTEL_ENDPOINT_ENV = "OTEL_EXPORTER_OTLP_ENDPOINT"
OTEL_TRACES_ENDPOINT_ENV = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
OTEL_DISABLED_ENV = "OTEL_SDK_DISABLED"
TRACES_PATH = "/v1/traces"
CORRELATION_ATTRIBUTE = "kakehashi.correlation_id"

_PROPAGATOR = TraceContextTextMapPropagator()


@dataclass
class _Installed:
    """The provider spans go to in this process, and the tracer made from it (None: off)."""

    provider: TracerProvider | None = None
    tracer: Tracer | None = None


_installed = _Installed()


# --- Turning it on ----------------------------------------------------------------------------
def traces_endpoint(settings: ServiceSettings, environ: Mapping[str, str] = os.environ) -> str:
    """Where spans are sent (OTLP/HTTP), or "" when tracing is off.

    The service's own setting wins, then `KAKEHASHI_OTLP_ENDPOINT` (one for every process), then
    OpenTelemetry's standard variables. A base URL gets `/v1/traces` appended, as OpenTelemetry
    does for `OTEL_EXPORTER_OTLP_ENDPOINT`; `OTEL_SDK_DISABLED=true` turns everything off."""
    if environ.get(OTEL_DISABLED_ENV, "").strip().lower() == "true":
        return ""
    signal_url = environ.get(OTEL_TRACES_ENDPOINT_ENV, "").strip()
    base = settings.otlp_endpoint or environ.get(ENDPOINT_ENV, "").strip()
    if not base and signal_url:
        return signal_url  # the standard variable for one signal is the full URL already
    base = base or environ.get(OTEL_ENDPOINT_ENV, "").strip()
    if not base:
        return ""
    base = base.rstrip("/")
    return base if base.endswith(TRACES_PATH) else base + TRACES_PATH


def configure_tracing(settings: ServiceSettings, process: str) -> bool:
    """Export this process's spans when an endpoint is configured; returns whether it does.

    `process` is the service name the spans carry (`candidates-api`, `matching-consumer`): one
    trace then shows each hop under the process that made it."""
    endpoint = traces_endpoint(settings)
    if not endpoint:
        return False
    # Imported only when tracing is on: a process that does not trace never loads the SDK.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = make_provider(process, settings.environment, settings.trace_sample_ratio)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    install(provider)
    log.info("tracing on", extra={"otlp_endpoint": endpoint, "service_name": process})
    return True


def make_provider(process: str, environment: str, sample_ratio: float = 1.0) -> TracerProvider:
    """A provider naming `process` as the service, sampling root traces at `sample_ratio` and
    following the caller's decision otherwise (so a trace is never cut in the middle)."""
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

    resource = Resource.create(
        {
            "service.name": process,
            "service.namespace": "kakehashi",
            "deployment.environment.name": environment,
        }
    )
    return TracerProvider(resource=resource, sampler=ParentBased(TraceIdRatioBased(sample_ratio)))


def install(provider: TracerProvider) -> None:
    """Send this process's spans to `provider` (tests install one with an in-memory exporter).

    The provider is kept here rather than set as OpenTelemetry's global one, which can be set only
    once a process: tests turn tracing on and off again."""
    _installed.provider = provider
    _installed.tracer = provider.get_tracer("kakehashi")


def uninstall() -> None:
    """Turn tracing off, flushing and closing the installed provider."""
    provider = _installed.provider
    _installed.provider = None
    _installed.tracer = None
    if provider is not None:
        provider.shutdown()


def enabled() -> bool:
    return _installed.tracer is not None


def tracer() -> Tracer | None:
    """The tracer spans are made with, None while tracing is off."""
    return _installed.tracer


# --- The W3C fields ---------------------------------------------------------------------------
def current_trace_fields() -> tuple[str | None, str | None]:
    """The current span's `traceparent` and `tracestate` (None, None without a span): what an
    event made now carries in its envelope."""
    if not trace.get_current_span().get_span_context().is_valid:
        return None, None
    return _fields_of(None)


def _fields_of(context: Context | None) -> tuple[str | None, str | None]:
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier, context=context)
    return carrier.get(TRACEPARENT), carrier.get(TRACESTATE) or None


def context_from(traceparent: str | None, tracestate: str | None = None) -> Context | None:
    """The remote parent those fields name, or None when they are absent or malformed."""
    if not traceparent:
        return None
    carrier = {TRACEPARENT: traceparent}
    if tracestate:
        carrier[TRACESTATE] = tracestate
    context = _PROPAGATOR.extract(carrier)
    return context if trace.get_current_span(context).get_span_context().is_valid else None


def kafka_trace_headers(traceparent: str | None, tracestate: str | None) -> list[tuple[str, bytes]]:
    """The Kafka record headers for those fields (none for a field that is absent)."""
    headers = []
    if traceparent:
        headers.append((TRACEPARENT, traceparent.encode()))
    if tracestate:
        headers.append((TRACESTATE, tracestate.encode()))
    return headers


def fields_of_headers(
    headers: Sequence[tuple[str, bytes | None]] | None,
) -> tuple[str | None, str | None]:
    """`traceparent` and `tracestate` from a Kafka record's headers (None where absent)."""
    found: dict[str, str] = {}
    for name, value in headers or ():
        if name in (TRACEPARENT, TRACESTATE) and value is not None:
            found[name] = value.decode("ascii", errors="replace")
    return found.get(TRACEPARENT), found.get(TRACESTATE)


def fields_of_payload(payload: str) -> tuple[str | None, str | None]:
    """`traceparent` and `tracestate` of an outbox row's envelope, without parsing an envelope
    that has none (the common case while tracing is off)."""
    if f'"{TRACEPARENT}"' not in payload:
        return None, None
    try:
        envelope = json.loads(payload)
    except ValueError:
        return None, None
    traceparent, tracestate = envelope.get(TRACEPARENT), envelope.get(TRACESTATE)
    return (
        traceparent if isinstance(traceparent, str) else None,
        tracestate if isinstance(tracestate, str) else None,
    )


# --- The relay: one "publish <topic>" span per record -----------------------------------------
def start_publish(
    topic: str, event_id: str, event_type: str, payload: str
) -> tuple[list[tuple[str, bytes]], Span | None]:
    """The trace headers for an outbox row's record and, when tracing, its producer span (a child
    of the context in the envelope); `end_publish` closes it once the broker answered.

    A relay that does not trace still copies the envelope's fields into the headers, so the trace
    goes on from the API's span to the consumer's."""
    traceparent, tracestate = fields_of_payload(payload)
    tracer = _installed.tracer
    if tracer is None:
        return kafka_trace_headers(traceparent, tracestate), None
    span = tracer.start_span(
        f"publish {topic}",
        context=context_from(traceparent, tracestate),
        kind=SpanKind.PRODUCER,
        attributes={
            "messaging.system": "kafka",
            "messaging.operation.type": "send",
            "messaging.destination.name": topic,
            "messaging.message.id": event_id,
            "cloudevents.event_type": event_type,
        },
    )
    return kafka_trace_headers(*_fields_of(trace.set_span_in_context(span))), span


def end_publish(span: Span | None, error: BaseException | None = None) -> None:
    if span is None:
        return
    if error is not None:
        span.record_exception(error)
        span.set_status(Status(StatusCode.ERROR, type(error).__name__))
    span.end()


# --- The consumer: one "process <event type>" span per event ----------------------------------
def processing(
    *,
    event_type: str,
    event_id: str,
    topic: str,
    partition: int,
    offset: int,
    headers: Sequence[tuple[str, bytes | None]] | None,
    envelope_fields: tuple[str | None, str | None],
    correlation_id: str | None,
) -> contextlib.AbstractContextManager[object]:
    """The span an event is applied in, current while it runs, child of the producer's context
    (the record's headers first, the envelope's fields as a fallback). Off: a null context."""
    tracer = _installed.tracer
    if tracer is None:
        return contextlib.nullcontext()
    parent = context_from(*fields_of_headers(headers)) or context_from(*envelope_fields)
    attributes: dict[str, str | int] = {
        "messaging.system": "kafka",
        "messaging.operation.type": "process",
        "messaging.destination.name": topic,
        "messaging.destination.partition.id": str(partition),
        "messaging.kafka.offset": offset,
        "messaging.message.id": event_id,
        "cloudevents.event_type": event_type,
    }
    if correlation_id:
        attributes[CORRELATION_ATTRIBUTE] = correlation_id
    return tracer.start_as_current_span(
        f"process {event_type}", context=parent, kind=SpanKind.CONSUMER, attributes=attributes
    )


def mark_failed(error: BaseException) -> None:
    """Record on the current span that its work failed (an event sent to the dead letters)."""
    span = trace.get_current_span()
    if span.is_recording():
        span.record_exception(error)
        span.set_status(Status(StatusCode.ERROR, type(error).__name__))


def note_correlation_id(correlation_id: str) -> None:
    """Put the request's correlation id on its span: the key that joins a trace to the logs."""
    span = trace.get_current_span()
    if span.is_recording():
        span.set_attribute(CORRELATION_ATTRIBUTE, correlation_id)


def current_ids() -> tuple[str, str] | None:
    """The current span's trace id and span id in hex (what logs carry), or None."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")


# --- HTTP -------------------------------------------------------------------------------------
class TracingMiddleware:
    """A server span per HTTP request, named by method and route template
    (`POST /candidates`), child of the caller's `traceparent` if it sent one. Pure ASGI; while
    tracing is off it only passes the request on."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        tracer = _installed.tracer
        if tracer is None or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        carrier = {
            name: value.decode("latin-1")
            for raw, value in scope.get("headers", ())
            if (name := raw.decode("latin-1").lower()) in (TRACEPARENT, TRACESTATE)
        }
        root_path = scope.get("root_path", "")
        method = scope["method"]
        status = 500  # what the server answers when the app raised before starting a response
        with tracer.start_as_current_span(
            method,
            context=_PROPAGATOR.extract(carrier),
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method, "url.scheme": scope.get("scheme", "http")},
        ) as span:

            async def send_and_note(message: Any) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                await send(message)

            try:
                await self.app(scope, receive, send_and_note)
            finally:
                _close_http_span(span, method, route_template(scope, root_path), status)


def _close_http_span(span: Span, method: str, route: str, status: int) -> None:
    span.update_name(f"{method} {route}")
    span.set_attribute("http.route", route)
    span.set_attribute("http.response.status_code", status)
    if status >= 500:
        span.set_status(Status(StatusCode.ERROR))
