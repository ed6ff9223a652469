"""Prometheus metrics of every Kakehashi process: what they are, how an API serves them and how a
relay or consumer exposes them on a small HTTP port of its own.

Every metric lives in the process's one registry (prometheus_client's default), defined here once
so the names an operator's dashboard and alert rules use are in one place (docs/operations.md,
"What to watch"). Labels are bounded: route templates (`/candidates/{candidate_id}`), never raw
paths; consumer groups, topics and partitions, never event ids.

Figures that cost a query (outbox rows waiting, readiness) are read when Prometheus scrapes, not
on a timer: an unscraped process pays nothing for them.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import prometheus_client
from prometheus_client import Counter, Gauge, Histogram, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

REGISTRY = prometheus_client.REGISTRY
CONTENT_TYPE = prometheus_client.CONTENT_TYPE_LATEST

# Latency buckets from 5 ms to 10 s: a page or an event handled, a match list over 100k rows.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

# --- HTTP (every API) -------------------------------------------------------------------------
HTTP_REQUESTS = Counter(
    "kakehashi_http_requests",
    "HTTP requests answered, by route template, method and status code.",
    ["route", "method", "status"],
)
HTTP_DURATION = Histogram(
    "kakehashi_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by route template, method, status.",
    ["route", "method", "status"],
    buckets=LATENCY_BUCKETS,
)

# --- Outbox relay -----------------------------------------------------------------------------
RELAY_PUBLISHED = Counter(
    "kakehashi_relay_published_events",
    "Outbox rows the broker acknowledged (and the relay marked sent).",
    ["service"],
)
RELAY_ERRORS = Counter(
    "kakehashi_relay_publish_errors",
    "Outbox rows the broker did not take (they stay pending and are retried).",
    ["service"],
)
RELAY_BATCH_DURATION = Histogram(
    "kakehashi_relay_batch_duration_seconds",
    "Time to publish one pass's batch of pending rows (the lanes it claimed) and mark them sent.",
    ["service"],
    buckets=LATENCY_BUCKETS,
)

RELAY_BROKER_LOSSES = Counter(
    "kakehashi_relay_broker_losses",
    "Times the relay found the broker without records it had acknowledged (republish them).",
    ["service"],
)

# --- Consumer ---------------------------------------------------------------------------------
CONSUMER_LAG = Gauge(
    "kakehashi_consumer_lag_events",
    "Events on the broker not yet applied: the partition's end offset minus the stored position.",
    ["group", "topic", "partition"],
)
CONSUMER_HANDLE_DURATION = Histogram(
    "kakehashi_consumer_handle_duration_seconds",
    "Time to handle one consumed event, retries and dead-lettering included.",
    ["group", "topic"],
    buckets=LATENCY_BUCKETS,
)
CONSUMER_RETRIES = Counter(
    "kakehashi_consumer_retries",
    "Attempts to apply an event again after its handler or the database failed.",
    ["group", "topic"],
)
CONSUMER_DEAD_LETTERED = Counter(
    "kakehashi_consumer_dead_lettered_events",
    "Events sent to the group's dead-letter topic (unreadable, or failing every attempt).",
    ["group", "topic"],
)
CONSUMER_SKIPPED_UNKNOWN = Counter(
    "kakehashi_consumer_skipped_unknown_events",
    "Events of a type the group has no handler for (skipped, never recorded as applied).",
    ["group"],
)
CONSUMER_BROKER_RESETS = Counter(
    "kakehashi_consumer_broker_resets",
    "Times the group found the broker's log replaced and re-read it from its start.",
    ["group"],
)


# --- API: the middleware and the /metrics answer ----------------------------------------------
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "<unmatched>"  # any path no route answers (a 404): one label, not one per path


def route_template(scope: Mapping[str, Any], root_path: str = "") -> str:
    """The template of the route that answered (`/job-orders/{job_order_id}/matches`), or
    UNMATCHED: never the raw path, so a label's values stay as few as the routes.

    FastAPI's router names the route in `scope["route"]`, except for a mount (static files),
    which only extends `root_path` (from `root_path`, the value the request came in with): one
    label for the whole folder."""
    route = scope.get("route")
    template = getattr(route, "path_format", None)
    if isinstance(template, str) and template:
        return template
    mounted = str(scope.get("root_path", ""))
    if mounted != root_path and mounted.startswith(root_path):
        return mounted[len(root_path) :] + "/{path}"
    return UNMATCHED


class MetricsMiddleware:
    """Counts and times every HTTP request by route template, method and status (pure ASGI: it
    adds no task or copy of the body, so it costs microseconds a request)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        root_path = scope.get("root_path", "")
        status = 500  # what the server answers when the app raised before starting a response

        async def send_and_note(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            method = scope["method"] if scope["method"] in _METHODS else "OTHER"
            labels = (route_template(scope, root_path), method, str(status))
            HTTP_REQUESTS.labels(*labels).inc()
            HTTP_DURATION.labels(*labels).observe(time.perf_counter() - started)


def exposition() -> bytes:
    """The registry in Prometheus' text format (what GET /metrics answers).

    An API run as several worker processes (PROMETHEUS_MULTIPROC_DIR set by its CLI) answers
    with every worker's counters and histograms summed, whichever worker takes the scrape, plus
    this worker's scrape-time figures (readiness is the same from each)."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        return prometheus_client.generate_latest(REGISTRY)
    registry = prometheus_client.CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=folder)  # type: ignore[no-untyped-call]
    registry.register(_OUTBOX)
    registry.register(_READINESS)
    return prometheus_client.generate_latest(registry)


# --- Figures read at scrape time --------------------------------------------------------------
@dataclass
class _ScrapeTimeSources:
    """Per service, the callables read when Prometheus scrapes (a collector registered once per
    process, however many apps or relays a test builds)."""

    sources: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def put(self, service: str, source: Any) -> None:
        with self.lock:
            self.sources[service] = source

    def items(self) -> list[tuple[str, Any]]:
        with self.lock:
            return list(self.sources.items())


@dataclass(frozen=True)
class OutboxFigures:
    """What a relay's outbox holds now: rows waiting and when the oldest was written."""

    pending: int
    oldest_created_at: datetime | None


class _OutboxCollector(Collector):
    def __init__(self) -> None:
        self.outboxes = _ScrapeTimeSources()

    def collect(self) -> Iterator[Metric]:
        pending = GaugeMetricFamily(
            "kakehashi_outbox_pending_events",
            "Outbox rows not yet acknowledged by the broker (read when scraped).",
            labels=["service"],
        )
        age = GaugeMetricFamily(
            "kakehashi_outbox_oldest_pending_age_seconds",
            "Age of the oldest outbox row not yet acknowledged; 0 when none waits.",
            labels=["service"],
        )
        now = datetime.now(UTC)
        for service, read in self.outboxes.items():
            try:
                figures: OutboxFigures = read()
            except Exception:
                log.warning("cannot read the outbox for metrics", exc_info=True)
                continue
            pending.add_metric([service], figures.pending)
            oldest = figures.oldest_created_at
            age.add_metric([service], 0.0 if oldest is None else (now - oldest).total_seconds())
        yield pending
        yield age


class _ReadinessCollector(Collector):
    def __init__(self) -> None:
        self.checks = _ScrapeTimeSources()

    def collect(self) -> Iterator[Metric]:
        ready = GaugeMetricFamily(
            "kakehashi_readiness_check_ok",
            "1 while a readiness check passes, 0 while it fails (what /health/ready reports).",
            labels=["service", "check"],
        )
        for service, checks in self.checks.items():
            for name, check in checks.items():
                try:
                    check()
                    ok = 1.0
                except Exception:
                    ok = 0.0
                ready.add_metric([service, name], ok)
        yield ready


_OUTBOX = _OutboxCollector()
_READINESS = _ReadinessCollector()
REGISTRY.register(_OUTBOX)
REGISTRY.register(_READINESS)


def watch_outbox(service: str, read: Callable[[], OutboxFigures]) -> None:
    """Report `service`'s outbox figures (read by `read`) whenever the process is scraped."""
    _OUTBOX.outboxes.put(service, read)


def watch_readiness(service: str, checks: Mapping[str, Callable[[], None]]) -> None:
    """Report each readiness check of `service` as 1 or 0 whenever the process is scraped."""
    _READINESS.checks.put(service, dict(checks))


# --- Relays and consumers: a metrics port of their own ----------------------------------------
def serve_metrics(host: str, port: int | None) -> Callable[[], None]:
    """Serve /metrics on `host:port` in a daemon thread (nothing when `port` is None); returns
    what stops it. A port already taken is logged, not fatal: the worker's job comes first."""
    if port is None:
        return lambda: None
    try:
        server, thread = prometheus_client.start_http_server(port, addr=host, registry=REGISTRY)
    except OSError as error:
        log.error("cannot serve metrics", extra={"host": host, "port": port, "error": str(error)})
        return lambda: None
    log.info("serving metrics", extra={"url": f"http://{host}:{port}/metrics"})

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return stop


def metric_names(registry: prometheus_client.CollectorRegistry = REGISTRY) -> set[str]:
    """Every sample name the registry exports now (`…_total`, `…_bucket`, … included)."""
    return {sample.name for family in registry.collect() for sample in family.samples}


def sample_value(
    name: str, labels: Mapping[str, str] | None = None, registry: Any = REGISTRY
) -> float:
    """A sample's current value (0 when it has not been written yet): for tests and benches."""
    value = registry.get_sample_value(name, dict(labels or {}))
    return 0.0 if value is None else float(value)


def names_in(expressions: Iterable[str]) -> set[str]:
    """The metric names (`kakehashi_…`) PromQL expressions refer to."""
    return {name for expression in expressions for name in _METRIC_NAME.findall(expression)}


_METRIC_NAME = re.compile(r"\bkakehashi_[a-z0-9_]+")
