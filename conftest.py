"""Fixtures every test folder can use: a real broker, a fresh database per test, free ports."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import random
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
import uvicorn
from kafka import KafkaConsumer, TopicPartition

import tests.oidc_issuer
from kakehashi.devtools.broker import start_tansu
from kakehashi.devtools.scratch_database import scratch_database
from kakehashi.shared.applier import EventApplier
from kakehashi.shared.auth import Language, Principal, Role
from kakehashi.shared.events import ALL_TOPICS
from kakehashi.shared.kafka import ensure_topics
from kakehashi.shared.runtime import Runtime, ServiceSpec
from kakehashi.shared.signing import SigningKey, issue_token, jwks

POSTGRES_ENV = "KAKEHASHI_TEST_POSTGRES_URL"


_HANDED_OUT: set[int] = set()


def _ephemeral_ports() -> tuple[int, int]:
    """The kernel's range for the local ports of outgoing connections."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def free_port() -> int:
    """A port nothing listens on, for a server a test starts. It lies below the ephemeral range
    (a port found there can be taken by any outgoing connection, to the database or the broker,
    before the server binds it) and is never handed out twice in one run."""
    low, _high = _ephemeral_ports()
    chooser = random.Random()
    for _ in range(2000):
        port = chooser.randrange(20000, max(low, 20001))
        if port in _HANDED_OUT:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port
    raise RuntimeError("no free port below the ephemeral range")


@contextmanager
def served(app: Any, port: int) -> Iterator[str]:
    """`app` served by uvicorn on 127.0.0.1:`port` in a thread of this process (for a browser, or
    for another process to call), until the block ends; yields its base URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@dataclass
class Broker:
    """A Tansu broker of one test's own, with Kakehashi's topics created."""

    process: subprocess.Popen[bytes]
    port: int

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def servers(self) -> list[str]:
        return [self.bootstrap]

    def pause(self) -> None:
        """Freeze the broker (an outage that keeps its memory)."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def replace(self) -> None:
        """Kill the broker (-9: a memory broker loses its log) and start a new, empty one on the
        same port, with Kakehashi's topics created again."""
        self.process.kill()
        self.process.wait()
        self.process = start_tansu("127.0.0.1", self.port)
        ensure_topics(self.servers, ALL_TOPICS)


@pytest.fixture
def broker() -> Iterator[Broker]:
    port = free_port()
    running = Broker(start_tansu("127.0.0.1", port), port)
    try:
        ensure_topics(running.servers, ALL_TOPICS)
        yield running
    finally:
        running.resume()
        # The broker the test ends with: replace() may have started another one.
        process = running.process
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, empty database: PostgreSQL when KAKEHASHI_TEST_POSTGRES_URL is set, else SQLite."""
    server_url = os.environ.get(POSTGRES_ENV)
    if not server_url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    with scratch_database(server_url, "kakehashi_test") as url:
        yield url.render_as_string(hide_password=False)


@pytest.fixture
def postgres_only() -> None:
    if not os.environ.get(POSTGRES_ENV):
        pytest.skip(f"needs PostgreSQL: set {POSTGRES_ENV} (CI does)")


def wait_until(
    condition: Callable[[], Any], timeout_s: float = 30.0, step: Callable[[], Any] | None = None
) -> Any:
    """Call `step` (if any) then `condition` until it is truthy; fail after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        if step is not None:
            step()
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s}s")
        time.sleep(0.05)


def read_topic(servers: list[str], topic: str, expected: int, timeout_s: float = 20.0) -> list[Any]:
    """Every record of `topic` from the beginning, once at least `expected` have arrived."""
    consumer = KafkaConsumer(bootstrap_servers=servers, enable_auto_commit=False)
    try:
        partitions = [
            TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        records: list[Any] = []
        deadline = time.monotonic() + timeout_s
        while len(records) < expected and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=200).values():
                records.extend(batch)
        # A short extra poll catches duplicates beyond the expected count.
        for batch in consumer.poll(timeout_ms=300).values():
            records.extend(batch)
        return records
    finally:
        consumer.close()


# Tests sign their tokens with a key pair of their own, made once per session (in a module of
# its own: pytest may import this file twice, and both copies must sign with the same key);
# services under test trust it through a JWKS file (`auth_jwks_file`), as they trust an issuer.
TEST_ISSUER, TEST_KEY = tests.oidc_issuer.TEST_ISSUER, tests.oidc_issuer.TEST_KEY


# Test modules build their headers when imported, at collection: a token must outlive the whole
# run (the suite takes longer than an access token's 15 minutes). Expiry has its own tests.
TEST_TOKEN_TTL = timedelta(hours=12)


def token_for(role: str, organisation_id: str, *, language: Language | None = None) -> str:
    """An access token from the test issuer for a caller of `role` in `organisation_id`."""
    principal = Principal(
        subject=f"user@{organisation_id}",
        role=Role(role),
        organisation_id=organisation_id,
        language=language,
    )
    return issue_token(TEST_KEY, principal, issuer=TEST_ISSUER, ttl=TEST_TOKEN_TTL)


def sign_as_test_issuer(principal: Principal) -> str:
    """A token for any principal from the test issuer (for code that takes a signer)."""
    return issue_token(TEST_KEY, principal, issuer=TEST_ISSUER)


def auth(role: str, organisation_id: str) -> dict[str, str]:
    """An Authorization header for a caller of `role` in `organisation_id`."""
    return {"Authorization": f"Bearer {token_for(role, organisation_id)}"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segments(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"


def refused_tokens(role: str, organisation_id: str) -> dict[str, str]:
    """Tokens for `role` in `organisation_id` that every service must answer with 401, by why."""
    principal = Principal(
        subject=f"user@{organisation_id}", role=Role(role), organisation_id=organisation_id
    )
    now = datetime.now(UTC)
    good = token_for(role, organisation_id)
    claims: dict[str, Any] = jwt.decode(good, options={"verify_signature": False})
    header, _payload, signature = good.split(".")

    def signed(changed: dict[str, Any]) -> str:
        return jwt.encode(
            changed,
            TEST_KEY.private_key,
            algorithm=TEST_KEY.algorithm,
            headers={"kid": TEST_KEY.kid},
        )

    # Algorithm confusion: an HS256 MAC keyed with the published public key, named by its kid.
    confused = _segments({"alg": "HS256", "typ": "JWT", "kid": TEST_KEY.kid}, claims)
    mac = hmac.new(TEST_KEY.public_pem(), confused.encode(), hashlib.sha256).digest()
    return {
        "expired": issue_token(
            TEST_KEY, principal, issuer=TEST_ISSUER, now=now - timedelta(hours=1)
        ),
        "not yet valid": issue_token(
            TEST_KEY, principal, issuer=TEST_ISSUER, now=now + timedelta(minutes=10)
        ),
        "wrong issuer": issue_token(TEST_KEY, principal, issuer="https://elsewhere.invalid"),
        "wrong audience": issue_token(TEST_KEY, principal, issuer=TEST_ISSUER, audience="other"),
        "unknown key": issue_token(
            SigningKey.generate(f"unknown-{uuid.uuid4().hex[:8]}"), principal, issuer=TEST_ISSUER
        ),
        "alg none": _segments({"alg": "none", "typ": "JWT", "kid": TEST_KEY.kid}, claims) + ".",
        "HS256 keyed with the public key": f"{confused}.{_b64(mac)}",
        "tampered claims": f"{header}.{_b64(json.dumps(claims | {'role': 'admin'}).encode())}.{signature}",
        "missing role": signed({k: v for k, v in claims.items() if k != "role"}),
        "missing organisation": signed({k: v for k, v in claims.items() if k != "org"}),
        "not a Kakehashi role": signed(claims | {"role": "superuser"}),
        "not a JWT": "not-a-jwt",
    }


@pytest.fixture(scope="session")
def test_jwks_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A JWKS file publishing the test key: what services under test trust."""
    path = tmp_path_factory.mktemp("jwks") / "jwks.json"
    path.write_text(json.dumps(jwks(TEST_KEY)), encoding="utf-8")
    return path


def issuer_settings(jwks_file: Path) -> dict[str, Any]:
    """The settings that make a service trust the test issuer (and nothing else)."""
    return {"auth_issuer": TEST_ISSUER, "auth_jwks_file": jwks_file}


@pytest.fixture
def service_client(database_url: str, test_jwks_file: Path) -> Iterator[Callable[..., Any]]:
    """Build a TestClient for a service spec on a fresh, migrated database."""
    from fastapi.testclient import TestClient

    runtimes: list[Any] = []

    def build(spec: Any, **settings: Any) -> TestClient:
        values = {
            "database_url": database_url,
            "environment": "test",
            "kafka_bootstrap_servers": "127.0.0.1:9",
            **issuer_settings(test_jwks_file),
        } | settings
        runtime = Runtime.build(spec.settings_factory(**values), spec.migrations)
        runtime.migrate()
        runtimes.append(runtime)
        return TestClient(spec.create_app(runtime))

    yield build
    for runtime in runtimes:
        runtime.engine.dispose()


def outbox_events(client: Any) -> list[dict[str, Any]]:
    """The events a service's TestClient has written to its outbox, oldest first, as dicts."""
    import json

    from sqlmodel import Session, select

    from kakehashi.shared.outbox import OutboxMessage

    with Session(client.app.state.runtime.engine) as session:
        rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()  # type: ignore[arg-type]
        return [json.loads(row.payload) for row in rows]


def event_applier(client: Any, spec: ServiceSpec) -> EventApplier:
    """A service's own event applier (its consumer without Kafka): tests hand it events."""
    runtime: Runtime = client.app.state.runtime
    return spec.applier(runtime)


def match_decision(
    order_id: str, candidate_id: str, status: str, version: int, **extra: str
) -> Any:
    """A `match.status_changed` event, as matching publishes it."""
    from kakehashi.shared.events import EventEnvelope

    match_id = f"{order_id}:{candidate_id}"
    data: dict[str, Any] = {
        "match_id": match_id,
        "job_order_id": order_id,
        "candidate_id": candidate_id,
        "status": status,
        "previous_status": None,
        "version": version,
    } | extra
    return EventEnvelope.new(
        type="match.status_changed", source="test", subject=match_id, data=data
    )
