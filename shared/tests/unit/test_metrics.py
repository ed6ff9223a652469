"""Metrics: route templates as labels (never raw paths), an API's /metrics, the figures read at
scrape time, and a worker's metrics port."""

from __future__ import annotations

import logging
import socket
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.staticfiles import StaticFiles
from fastapi.testclient import TestClient

from kakehashi.shared.metrics import (
    UNMATCHED,
    MetricsMiddleware,
    OutboxFigures,
    exposition,
    metric_names,
    names_in,
    sample_value,
    serve_metrics,
    watch_outbox,
    watch_readiness,
)
from kakehashi.shared.runtime import Runtime
from kakehashi.shared.settings import ServiceSettings
from kakehashi.shared.web import create_service_app

REQUESTS = "kakehashi_http_requests_total"
DURATION_COUNT = "kakehashi_http_request_duration_seconds_count"


def requests(route: str, method: str = "GET", status: str = "200") -> float:
    return sample_value(REQUESTS, {"route": route, "method": method, "status": status})


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """A bare app behind the metrics middleware: a templated route, a failing one, static files."""
    app = FastAPI()

    @app.get("/metrics-test/widgets/{widget_id}")
    def widget(widget_id: str) -> dict[str, str]:
        if widget_id == "missing":
            raise HTTPException(404, "no such widget")
        return {"id": widget_id}

    @app.get("/metrics-test/broken")
    def broken() -> None:
        raise RuntimeError("boom")

    (tmp_path / "kit.css").write_text("body {}")
    app.mount("/metrics-test/static", StaticFiles(directory=tmp_path))
    app.add_middleware(MetricsMiddleware)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_requests_are_labelled_by_route_template_method_and_status(client: TestClient) -> None:
    route = "/metrics-test/widgets/{widget_id}"
    before_ok, before_missing = requests(route), requests(route, status="404")
    before_timed = sample_value(DURATION_COUNT, {"route": route, "method": "GET", "status": "200"})
    for widget in ("a1", "b2", "c3"):
        assert client.get(f"/metrics-test/widgets/{widget}").status_code == 200
    assert client.get("/metrics-test/widgets/missing").status_code == 404
    assert requests(route) == before_ok + 3
    assert requests(route, status="404") == before_missing + 1
    timed = sample_value(DURATION_COUNT, {"route": route, "method": "GET", "status": "200"})
    assert timed == before_timed + 3
    text = exposition().decode()
    assert 'route="/metrics-test/widgets/{widget_id}"' in text
    assert "/metrics-test/widgets/a1" not in text  # never the raw path


def test_unmatched_paths_odd_methods_static_files_and_crashes_stay_bounded(
    client: TestClient,
) -> None:
    unmatched = requests(UNMATCHED, status="404")
    for n in range(5):
        assert client.get(f"/metrics-test/no-such-page/{n}").status_code == 404
    assert requests(UNMATCHED, status="404") == unmatched + 5
    assert "no-such-page" not in exposition().decode()

    odd = requests(UNMATCHED, method="OTHER", status="404")
    client.request("BREW", "/metrics-test/coffee")
    assert requests(UNMATCHED, method="OTHER", status="404") == odd + 1

    static = requests("/metrics-test/static/{path}")
    assert client.get("/metrics-test/static/kit.css").status_code == 200
    assert requests("/metrics-test/static/{path}") == static + 1

    crashed = requests("/metrics-test/broken", status="500")
    assert client.get("/metrics-test/broken").status_code == 500
    assert requests("/metrics-test/broken", status="500") == crashed + 1


def test_a_service_app_serves_its_request_counts_on_metrics_without_a_token(
    tmp_path: Path,
) -> None:
    settings = ServiceSettings(
        service_name="metrics-test",
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        kafka_bootstrap_servers="127.0.0.1:9",
        environment="test",
    )
    runtime = Runtime.build(settings, tmp_path)
    router = APIRouter()

    @router.get("/metrics-test/orders/{order_id}")
    def order(order_id: str) -> dict[str, str]:
        return {"id": order_id}

    app = create_service_app(runtime, "metrics test", [router])
    try:
        client = TestClient(app)
        for n in range(4):
            client.get(f"/metrics-test/orders/o-{n}")
        client.get("/health/live")
        answer = client.get("/metrics")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/plain")
        lines = answer.text.splitlines()
        counted = [
            line
            for line in lines
            if line.startswith(REQUESTS) and 'route="/metrics-test/orders/{order_id}"' in line
        ]
        assert counted
        assert float(counted[0].rsplit(" ", 1)[1]) >= 4
        assert any('route="/health/live"' in line for line in lines if line.startswith(REQUESTS))
        # Readiness read when scraped: the database answers, no broker listens on port 9.
        ok = 'kakehashi_readiness_check_ok{check="database",service="metrics-test"} 1.0'
        assert ok in lines
        assert 'kakehashi_readiness_check_ok{check="broker",service="metrics-test"} 0.0' in lines
        # Not an API operation: the OpenAPI document (and the fuzz test built on it) skips it.
        assert "/metrics" not in client.get("/openapi.json").json()["paths"]
    finally:
        runtime.engine.dispose()


def test_outbox_figures_are_read_when_scraped_and_a_failing_read_is_skipped() -> None:
    oldest = datetime.now(UTC) - timedelta(seconds=90)
    watch_outbox("metrics-test-a", lambda: OutboxFigures(pending=7, oldest_created_at=oldest))
    watch_outbox("metrics-test-b", lambda: OutboxFigures(pending=0, oldest_created_at=None))

    def unreachable() -> OutboxFigures:
        raise OSError("database is down")

    watch_outbox("metrics-test-c", unreachable)
    pending = "kakehashi_outbox_pending_events"
    age = "kakehashi_outbox_oldest_pending_age_seconds"
    assert sample_value(pending, {"service": "metrics-test-a"}) == 7
    assert 90 <= sample_value(age, {"service": "metrics-test-a"}) < 120
    assert sample_value(age, {"service": "metrics-test-b"}) == 0
    assert "metrics-test-c" not in exposition().decode()


def test_readiness_is_one_per_passing_check_and_zero_per_failing_one() -> None:
    def fails() -> None:
        raise RuntimeError("no broker")

    watch_readiness("metrics-test-ready", {"database": lambda: None, "broker": fails})
    name = "kakehashi_readiness_check_ok"
    assert sample_value(name, {"service": "metrics-test-ready", "check": "database"}) == 1
    assert sample_value(name, {"service": "metrics-test-ready", "check": "broker"}) == 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_a_worker_serves_metrics_on_its_port_and_a_taken_port_is_not_fatal() -> None:
    assert serve_metrics("127.0.0.1", None)() is None  # no port: nothing served, nothing to stop
    port = _free_port()
    stop = serve_metrics("127.0.0.1", port)
    # Attached to the module's logger itself: other tests may have configured propagation.
    records = _Records()
    logger = logging.getLogger("kakehashi.shared.metrics")
    logger.addHandler(records)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as answer:
            text = answer.read().decode()
        assert "kakehashi_consumer_lag_events" in text
        serve_metrics("127.0.0.1", port)()  # taken: logged, and nothing to stop
        assert records.messages == ["cannot serve metrics"]
    finally:
        logger.removeHandler(records)
        stop()


def test_names_in_expressions_and_the_names_exported() -> None:
    expression = (
        "histogram_quantile(0.95, sum by (le) (rate(kakehashi_http_request_duration_seconds_bucket"
        '[5m]))) / kakehashi_http_requests_total{status=~"5.."}'
    )
    assert names_in([expression]) == {
        "kakehashi_http_request_duration_seconds_bucket",
        "kakehashi_http_requests_total",
    }
    assert "kakehashi_outbox_oldest_pending_age_seconds" in metric_names()
