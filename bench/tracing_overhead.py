"""What tracing costs: next to nothing while it is off (the default), and how much when on.

HTTP: the candidates API built with tracing off (its default: TracingMiddleware is not in the
stack at all, so the request path is the one before tracing) and built with tracing on, every
span sampled and handed to an exporter that drops it (the cost of making spans, not of shipping
them), called directly as ASGI apps (no network). Rounds alternate between the apps so machine
load falls on both alike; the best round of each is reported.

Events: the per-event hooks of the relay (`start_publish`/`end_publish`), the consumer
(`processing`) and the trace fields `EventEnvelope.new` reads, off and on, in a tight loop.

    uv run python bench/tracing_overhead.py --requests 4000 --rounds 5
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from fastapi import FastAPI
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult

sys.path.insert(0, str(Path(__file__).resolve().parent))

from metrics_overhead import requests_per_second  # the same ASGI request loop

from kakehashi.candidates.bootstrap import SPEC
from kakehashi.shared import tracing
from kakehashi.shared.events import EventEnvelope
from kakehashi.shared.runtime import Runtime

PATH = "/health/live"
_TRACING = tracing.TracingMiddleware.__name__


class Dropped(SpanExporter):
    """Takes every span and keeps none."""

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


def build_app(data_dir: Path) -> FastAPI:
    os.environ["KAKEHASHI_CANDIDATES_DATA_DIR"] = str(data_dir)
    os.environ["KAKEHASHI_CANDIDATES_ENVIRONMENT"] = "test"
    runtime = Runtime.build(SPEC.settings_factory(), SPEC.migrations)
    runtime.migrate()
    app = SPEC.create_app(runtime)
    traced = any(getattr(m.cls, "__name__", "") == _TRACING for m in app.user_middleware)
    assert traced == tracing.enabled()
    return app


def turn_on(exporter: Dropped) -> None:
    provider = tracing.make_provider("bench", "test")
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.install(provider)


async def http_figures(count: int, rounds: int) -> None:
    exporter = Dropped()
    with tempfile.TemporaryDirectory() as scratch:
        apps = {"off": build_app(Path(scratch))}
        turn_on(exporter)
        try:
            apps["on"] = build_app(Path(scratch))
        finally:
            tracing.uninstall()
        best = dict.fromkeys(apps, 0.0)
        for warm_up in (True, *([False] * rounds)):
            for name, app in apps.items():
                if name == "on":
                    turn_on(exporter)
                try:
                    rate = await requests_per_second(app, 200 if warm_up else count)
                finally:
                    tracing.uninstall()
                if not warm_up:
                    best[name] = max(best[name], rate)

    micros = (1 / best["on"] - 1 / best["off"]) * 1e6
    share = (1 - best["on"] / best["off"]) * 100
    print(
        f"GET {PATH}, {count} requests x {rounds} rounds, best round: "
        f"tracing off {best['off']:.0f} req/s, tracing on {best['on']:.0f} req/s; "
        f"a request's span costs {micros:+.1f} µs ({share:+.1f}% of throughput)"
    )


def micros_per_call(work: Callable[[], object], count: int) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(count):
            work()
        best = min(best, (time.perf_counter() - started) / count)
    return best * 1e6


def event_figures(count: int) -> None:
    plain = EventEnvelope.new(type="candidate.registered", source="b", subject="c", data={"n": 1})
    payload = plain.model_dump_json()
    traced_payload = plain.model_copy(
        update={"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}
    ).model_dump_json()

    def relay() -> None:
        _headers, span = tracing.start_publish("t", "id", "candidate.registered", payload)
        tracing.end_publish(span)

    def relay_traced() -> None:
        _headers, span = tracing.start_publish("t", "id", "candidate.registered", traced_payload)
        tracing.end_publish(span)

    def consumer() -> None:
        with tracing.processing(
            event_type="candidate.registered",
            event_id="id",
            topic="t",
            partition=0,
            offset=1,
            headers=[("ce_type", b"candidate.registered")],
            envelope_fields=(None, None),
            correlation_id=None,
        ):
            pass

    hooks = {
        "relay, envelope without trace": relay,
        "relay, envelope with trace": relay_traced,
        "consumer": consumer,
        "EventEnvelope.new's trace fields": tracing.current_trace_fields,
    }
    off = {name: micros_per_call(hook, count) for name, hook in hooks.items()}
    turn_on(Dropped())
    try:
        on = {name: micros_per_call(hook, count) for name, hook in hooks.items()}
    finally:
        tracing.uninstall()
    for name in hooks:
        print(f"{name}: off {off[name]:.2f} µs, on {on[name]:.2f} µs per event")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--events", type=int, default=20000)
    arguments = parser.parse_args()
    asyncio.run(http_figures(arguments.requests, arguments.rounds))
    event_figures(arguments.events)
