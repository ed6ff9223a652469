"""The whole system as separate processes, on a broker and databases of its own."""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import POSTGRES_ENV, TEST_ISSUER, auth, free_port
from kakehashi.devtools.scratch_database import scratch_databases
from kakehashi.devtools.supervisor import (
    PROCESSES,
    SERVICES,
    TOKEN_VERIFIERS,
    Ports,
    Process,
    Supervisor,
)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# identity outside development refuses its published development secret.
KEY_ENCRYPTION_SECRET = "e2e-identity-key-encryption-0123456789abcdef"
JWKS_REFRESH_COOLDOWN_S = 1  # identity_system's verifiers: a rotation is seen a second later


@contextlib.contextmanager
def running_system(
    tmp_path_factory: pytest.TempPathFactory,
    service_env: dict[str, str],
    processes: tuple[Process, ...] = PROCESSES,
    topic_partitions: int = 3,
) -> Iterator[Supervisor]:
    """The whole system on free ports, each token verifier with `service_env` (names without
    the `KAKEHASHI_<SERVICE>_` prefix) and identity in the same ENVIRONMENT; its logs are kept
    under test-artifacts. `processes` and `topic_partitions` as in `Supervisor`."""
    env: dict[str, str] = {}
    for service in TOKEN_VERIFIERS:
        prefix = f"KAKEHASHI_{service.upper()}_"
        env |= {prefix + name: value for name, value in service_env.items()}
    environment = service_env.get("ENVIRONMENT", "development")
    env["KAKEHASHI_IDENTITY_ENVIRONMENT"] = environment
    if environment != "development":  # identity refuses its published development secret
        env["KAKEHASHI_IDENTITY_KEY_ENCRYPTION_SECRET"] = KEY_ENCRYPTION_SECRET
    env["KAKEHASHI_IDENTITY_ARGON2_MEMORY_KIB"] = "8192"  # tests sign in a lot; 2 cores shared
    with contextlib.ExitStack() as databases:  # on PostgreSQL, dropped after the processes stop
        if server_url := os.environ.get(POSTGRES_ENV):
            urls = databases.enter_context(scratch_databases(server_url, "kakehashi_e2e", SERVICES))
            env |= {f"KAKEHASHI_{s.upper()}_DATABASE_URL": url for s, url in urls.items()}
        ports = Ports(
            broker=free_port(),
            apis={s: free_port() for s in SERVICES},
            mail=free_port(),
            metrics={p.name: free_port() for p in processes if p.subcommand != "api"},
        )
        log_dir = tmp_path_factory.mktemp("logs")
        supervisor = Supervisor(
            tmp_path_factory.mktemp("data"),
            ports=ports,
            env=env,
            log_dir=log_dir,
            processes=processes,
            topic_partitions=topic_partitions,
        )
        try:
            supervisor.start()
            yield supervisor
            assert supervisor.dead_child() is None, f"a process died: {supervisor.dead_child()}"
        finally:
            supervisor.stop()
            ARTIFACTS.mkdir(exist_ok=True)
            for log in log_dir.iterdir():
                (ARTIFACTS / f"e2e-{log.name}").write_bytes(log.read_bytes())


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory, test_jwks_file: Path) -> Iterator[Supervisor]:
    """The system in the test environment: it trusts the test issuer's key only."""
    service_env = {
        "ENVIRONMENT": "test",
        "AUTH_ISSUER": TEST_ISSUER,
        "AUTH_JWKS_FILE": str(test_jwks_file),
    }
    with running_system(tmp_path_factory, service_env) as supervisor:
        yield supervisor


@pytest.fixture(scope="module")
def identity_system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Supervisor]:
    """The system in the test environment, its token verifiers trusting identity alone and
    finding its keys by discovery at its issuer URL, as under `kakehashi dev` (without the
    development key). A token with an unknown kid may refetch the keys every second, not every
    30 s, so a rotation is seen a second later."""
    service_env = {
        "ENVIRONMENT": "test",
        "AUTH_JWKS_REFRESH_COOLDOWN_S": str(JWKS_REFRESH_COOLDOWN_S),
    }
    with running_system(tmp_path_factory, service_env) as supervisor:
        yield supervisor


def read_independently(bootstrap: str, topic: str, timeout_s: float = 30.0) -> list[dict[str, Any]]:
    """Every record of `topic`, read by a client independent of the services' kafka-python:
    librdkafka through confluent-kafka. Each record: key, payload (text), headers (text)."""
    from confluent_kafka import Consumer, TopicPartition

    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": "e2e-inspector", "enable.auto.commit": False}
    )
    try:
        partitions = consumer.list_topics(topic, timeout=timeout_s).topics[topic].partitions
        consumer.assign([TopicPartition(topic, p, 0) for p in partitions])
        ends = {
            p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=timeout_s)[1]
            for p in partitions
        }
        remaining = sum(ends.values())
        records: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout_s
        quiet_polls = 0
        # Read at least up to the high watermarks, then until the topic has been quiet a moment
        # (a watermark read while records are still landing can be short by the newest ones).
        while time.monotonic() < deadline and (remaining > 0 or quiet_polls < 3):
            message = consumer.poll(0.2)
            if message is None:
                quiet_polls += 1
                continue
            quiet_polls = 0
            if message.error():
                raise RuntimeError(str(message.error()))
            remaining -= 1
            headers = message.headers() or []
            pairs = headers.items() if isinstance(headers, dict) else headers
            records.append(
                {
                    "key": (message.key() or b"").decode(),
                    "payload": (message.value() or b"").decode(errors="replace"),
                    "headers": {k: _text(v) for k, v in pairs},
                }
            )
        if remaining > 0:
            raise TimeoutError(f"read {len(records)} records of {topic}, {remaining} still missing")
        return records
    finally:
        consumer.close()


def produce_independently(bootstrap: str, topic: str, key: str, value: bytes) -> None:
    """Publish raw bytes with librdkafka, as an outside producer would."""
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": bootstrap})
    producer.produce(topic, key=key.encode(), value=value)
    assert producer.flush(30) == 0, "the broker did not take the message"


def register_welder(system: Supervisor, centre: dict[str, str], **person: str) -> str:
    """A construction welder (N4, SSW i test passed, available in a month) who consents to their
    profile going to employers in Japan; returns the candidate id."""
    body = person | {
        "province": "Tây Ninh",
        "sector": "construction",
        "japanese_level": "N4",
        "available_from": (date.today() + timedelta(days=30)).isoformat(),
        "skills": [{"code": "welding", "level": 4, "tests_passed": ["ssw1_construction"]}],
        "consents": [
            {
                "purpose": "matching_in_japan",
                "scope": "share_with_employers_in_japan",
                "notice_version": "2026-01",
                "language": "vi",
            }
        ],
    }
    created = httpx.post(f"{system.url('candidates')}/candidates", json=body, headers=centre)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def open_welder_order(system: Supervisor, headcount: int) -> str:
    """An SSW i welding order in Aichi (N4, welding 3 a must), by a new employer; returns its id."""
    return post_welder_order(system, headcount, auth("employer", f"emp-{uuid.uuid4().hex[:6]}"))


def post_welder_order(system: Supervisor, headcount: int, employer: dict[str, str]) -> str:
    """The welding order of `open_welder_order`, posted by `employer` (its auth headers)."""
    order = httpx.post(
        f"{system.url('employers')}/job-orders",
        json={
            "title": "溶接工 / Welder",
            "sector": "construction",
            "prefecture": "Aichi",
            "headcount": headcount,
            "min_japanese_level": "N4",
            "required_skills": [{"code": "welding", "min_level": 3, "must_have": True}],
            "track": "ssw1",
            "expected_departure_date": (date.today() + timedelta(days=150)).isoformat(),
        },
        headers=employer,
    )
    assert order.status_code == 201, order.text
    return str(order.json()["id"])


def _text(raw: str | bytes | None) -> str:
    """A header value as text (confluent-kafka types it loosely; it is bytes in practice)."""
    if raw is None:
        return ""
    return raw if isinstance(raw, str) else raw.decode()


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium, headless, driven by Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield browser
        finally:
            browser.close()
