"""The embedded broker's storage setting, and a broker that cannot start saying why."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka import KafkaProducer

from conftest import POSTGRES_ENV, free_port, read_topic
from kakehashi.devtools.broker import (
    BINARY_SETTING,
    MEMORY_STORAGE,
    STORAGE_SETTING,
    BrokerStartError,
    broker_storage,
    start_tansu,
    tansu_binary,
)
from kakehashi.devtools.scratch_database import scratch_database
from kakehashi.shared.kafka import ensure_topics


def test_memory_is_the_storage_unless_the_setting_names_another() -> None:
    assert broker_storage({}) == MEMORY_STORAGE
    assert broker_storage({STORAGE_SETTING: " "}) == MEMORY_STORAGE
    durable = "postgres://tansu:pw@db.internal:5432/tansu"
    assert broker_storage({STORAGE_SETTING: durable}) == durable


@pytest.mark.parametrize(
    "storage", ["mysql://tansu:secret-pw@db/tansu", "s3://tansu/", "postgres", "/var/tansu"]
)
def test_a_storage_the_broker_cannot_use_is_refused_without_echoing_it(storage: str) -> None:
    with pytest.raises(ValueError, match=STORAGE_SETTING) as refused:
        broker_storage({STORAGE_SETTING: storage})
    assert "secret-pw" not in str(refused.value)


def test_the_binary_setting_must_name_a_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=BINARY_SETTING):
        tansu_binary({BINARY_SETTING: str(tmp_path / "missing")})
    built = tmp_path / "tansu"
    built.write_bytes(b"")
    assert tansu_binary({BINARY_SETTING: str(built)}) == built


def test_the_bundled_build_asked_for_postgres_storage_fails_at_once_saying_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(BINARY_SETTING, raising=False)  # the bundled, memory-only build
    began = time.monotonic()
    with pytest.raises(BrokerStartError) as failed:
        start_tansu(
            "127.0.0.1", free_port(), storage="postgres://tansu:secret-pw@127.0.0.1:1/tansu"
        )
    message = str(failed.value)
    assert "exited" in message
    assert "cannot use postgres:// storage" in message
    assert BINARY_SETTING in message
    assert "secret-pw" not in message
    assert time.monotonic() - began < 10


def test_a_memory_broker_starts_as_before() -> None:
    port = free_port()
    broker = start_tansu("127.0.0.1", port)
    try:
        ensure_topics([f"127.0.0.1:{port}"], ["broker-test"], 1)
    finally:
        broker.terminate()
        broker.wait(timeout=10)


@pytest.fixture
def tansu_database() -> Iterator[str]:
    """A fresh PostgreSQL database for Tansu's log, as a postgres:// URL."""
    server_url = os.environ.get(POSTGRES_ENV)
    if not server_url or not os.environ.get(BINARY_SETTING):
        pytest.skip(f"needs {POSTGRES_ENV} and {BINARY_SETTING} (a Tansu with postgres storage)")
    with scratch_database(server_url, "kakehashi_tansu") as url:
        yield url.set(drivername="postgres").render_as_string(hide_password=False)


def test_a_broker_on_postgres_storage_keeps_its_log_through_a_kill(tansu_database: str) -> None:
    port = free_port()
    servers = [f"127.0.0.1:{port}"]
    broker = start_tansu("127.0.0.1", port, storage=tansu_database)
    try:
        ensure_topics(servers, ["durable"], 1)
        producer = KafkaProducer(bootstrap_servers=servers, acks="all")
        producer.send("durable", key=b"k", value=b"kept").get(timeout=30)
        producer.close(timeout=10)
        broker.kill()  # -9: a memory broker would come back empty
        broker.wait()
        broker = start_tansu("127.0.0.1", port, storage=tansu_database)
        records = read_topic(servers, "durable", expected=1)
        assert [r.value for r in records] == [b"kept"]
    finally:
        if broker.poll() is None:
            broker.terminate()
            try:
                broker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                broker.kill()
                broker.wait()
