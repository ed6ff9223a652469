"""Issue #16's traces as an operator sees them: candidates-api, candidates-relay and
matching-consumer run as three processes exporting OTLP/HTTP to a collector (a small server in
this test decoding OpenTelemetry's protobuf), and one registration is one trace across the three.
"""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from sqlalchemy import create_engine, text

from conftest import TEST_ISSUER, Broker, free_port, wait_until
from kakehashi.shared.net import wait_for_port
from services.candidates.tests.samples import CENTRE, SHARING

pytestmark = pytest.mark.e2e

TRACE_ID = "5b8efff798038103d269b633813fc60c"
CALLER_SPAN = "eee19b7ec3c1b174"
TRACEPARENT = f"00-{TRACE_ID}-{CALLER_SPAN}-01"


@dataclass(frozen=True)
class ReceivedSpan:
    service: str
    name: str
    trace_id: str
    span_id: str
    parent_span_id: str


class Collector:
    """An OTLP/HTTP trace receiver on a free port: the spans every export request carried."""

    def __init__(self) -> None:
        self.spans: list[ReceivedSpan] = []
        self.requests = 0
        self.lock = threading.Lock()
        collector = self

        class Receiver(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                ok = self.path == "/v1/traces" and self.headers.get("Content-Type") == (
                    "application/x-protobuf"
                )
                if ok:
                    collector.receive(ExportTraceServiceRequest.FromString(body))
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200 if ok else 404)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Receiver)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def receive(self, request: ExportTraceServiceRequest) -> None:
        for resource_spans in request.resource_spans:
            service = next(
                attribute.value.string_value
                for attribute in resource_spans.resource.attributes
                if attribute.key == "service.name"
            )
            with self.lock:
                self.requests += 1
                self.spans += [
                    ReceivedSpan(
                        service,
                        span.name,
                        span.trace_id.hex(),
                        span.span_id.hex(),
                        span.parent_span_id.hex(),
                    )
                    for scope_spans in resource_spans.scope_spans
                    for span in scope_spans.spans
                ]

    def named(self, name: str) -> list[ReceivedSpan]:
        with self.lock:
            return [span for span in self.spans if span.name == name]


@pytest.fixture
def collector() -> Iterator[Collector]:
    running = Collector()
    running.thread.start()
    yield running
    running.server.shutdown()
    running.server.server_close()


@dataclass
class Processes:
    candidates_url: str
    matching_database: str
    children: dict[str, subprocess.Popen[bytes]]
    logs: Path

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")


@pytest.fixture
def processes(
    tmp_path: Path,
    broker: Broker,
    collector: Collector,
    test_jwks_file: Path,
    database_url: str,
) -> Iterator[Processes]:
    """candidates' API and relay (on the test database: PostgreSQL when configured) and
    matching's consumer (SQLite), each its own process, all tracing."""
    api_port = free_port()
    env = dict(os.environ)
    env |= {
        "KAKEHASHI_OTLP_ENDPOINT": collector.url,
        "OTEL_BSP_SCHEDULE_DELAY": "100",  # export within a tenth of a second, not five
    }
    for service in ("candidates", "matching"):
        prefix = f"KAKEHASHI_{service.upper()}_"
        env |= {
            prefix + "ENVIRONMENT": "test",
            prefix + "DATABASE_URL": f"sqlite:///{tmp_path / service}.db",
            prefix + "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
            prefix + "AUTH_ISSUER": TEST_ISSUER,
            prefix + "AUTH_JWKS_FILE": str(test_jwks_file),
        }
    env["KAKEHASHI_CANDIDATES_DATABASE_URL"] = database_url
    env["KAKEHASHI_CANDIDATES_API_PORT"] = str(api_port)
    commands = {
        "candidates-api": ("candidates", "api"),
        "candidates-relay": ("candidates", "relay"),
        "matching-consumer": ("matching", "consume"),
    }
    logs = tmp_path / "logs"
    logs.mkdir()
    children = {}
    try:
        for name, (service, subcommand) in commands.items():
            command = [sys.executable, "-m", f"kakehashi.{service}.entrypoints.cli", subcommand]
            with (logs / f"{name}.log").open("wb") as log:
                children[name] = subprocess.Popen(command, env=env, stdout=log, stderr=log)
        wait_for_port("127.0.0.1", api_port, timeout_s=120)
        yield Processes(
            f"http://127.0.0.1:{api_port}",
            f"sqlite:///{tmp_path / 'matching'}.db",
            children,
            logs,
        )
    finally:
        for child in children.values():
            child.send_signal(signal.SIGTERM)
        for child in children.values():
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def _in_match_list(database_url: str, candidate_id: str) -> bool:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            query = text("SELECT count(*) FROM candidate_view WHERE candidate_id = :id")
            return bool(connection.execute(query, {"id": candidate_id}).scalar_one())
    except Exception:  # the consumer has not made its tables yet
        return False
    finally:
        engine.dispose()


def test_one_registration_is_one_trace_across_three_processes(
    processes: Processes, collector: Collector
) -> None:
    welder = {
        "full_name": "Lê Văn Hùng",
        "date_of_birth": "1999-08-21",
        "sex": "male",
        "province": "Tây Ninh",
        "phone": "+84 913 222 333",
        "passport_number": "C2233445",
        "sector": "construction",
        "skills": [{"code": "welding", "level": 3, "tests_passed": ["ssw1_construction"]}],
        "available_from": "2027-02-01",
        "consents": [SHARING],
    }
    created = httpx.post(
        f"{processes.candidates_url}/candidates",
        json=welder,
        headers=CENTRE | {"traceparent": TRACEPARENT},
        timeout=30,
    )
    assert created.status_code == 201, created.text
    candidate_id = created.json()["id"]
    try:
        wait_until(lambda: _in_match_list(processes.matching_database, candidate_id), 90)
        # Each process exports its spans in its own batches: wait for all three.
        wait_until(lambda: collector.named("process candidate.registered"), 30)
        wait_until(lambda: collector.named("POST /candidates"), 30)
        wait_until(
            lambda: any(
                s.trace_id == TRACE_ID for s in collector.named("publish candidate-events")
            ),
            30,
        )
    except AssertionError:
        for name in processes.children:
            print(f"--- {name}\n{processes.log(name)[-4000:]}")
        raise

    [request] = collector.named("POST /candidates")
    [publish] = [s for s in collector.named("publish candidate-events") if s.trace_id == TRACE_ID]
    [process] = collector.named("process candidate.registered")
    assert (request.service, publish.service, process.service) == (
        "candidates-api",
        "candidates-relay",
        "matching-consumer",
    )
    assert {request.trace_id, publish.trace_id, process.trace_id} == {TRACE_ID}
    assert request.parent_span_id == CALLER_SPAN
    assert publish.parent_span_id == request.span_id
    assert process.parent_span_id == publish.span_id
    assert all(child.poll() is None for child in processes.children.values())
