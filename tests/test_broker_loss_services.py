"""Issue #16's broker-loss case through the real services: matching's consumer is stopped,
candidates registers people until its outbox marks every row sent, the memory broker is killed
(-9) and replaced by an empty one; candidates' relay reports the loss, and `kakehashi-candidates
republish` brings matching to exactly the producer's count, nothing applied twice."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select
from typer.testing import CliRunner

from conftest import Broker, wait_until
from kakehashi.candidates.bootstrap import SPEC as CANDIDATES
from kakehashi.candidates.entrypoints.cli import app as candidates_cli
from kakehashi.matching.adapters.tables import CandidateView
from kakehashi.matching.bootstrap import SPEC as MATCHING
from kakehashi.shared.applier import InboxEntry
from kakehashi.shared.consumer import EventConsumer
from kakehashi.shared.outbox import OutboxRelay, pending_count
from kakehashi.shared.runtime import Runtime
from services.candidates.tests.samples import CENTRE, MANAGER, SHARING, runtime_of

pytestmark = pytest.mark.integration


def _person(n: int) -> dict[str, object]:
    return {
        "full_name": f"Nguyen Van Thu {chr(65 + n)}",
        "date_of_birth": f"2000-05-{n + 1:02d}",
        "sex": "male",
        "province": "Tây Ninh",
        "phone": f"+84 912 345 {n:03d}",
        "passport_number": f"C12345{n:02d}",
        "sector": "construction",
        "skills": [{"code": "welding", "level": 3, "tests_passed": ["ssw1_construction"]}],
        "available_from": "2027-02-01",
        "consents": [SHARING],
    }


@pytest.fixture
def relay(candidates: TestClient) -> Iterator[OutboxRelay]:
    outbox_relay = CANDIDATES.relay(runtime_of(candidates))
    assert outbox_relay.acked is not None
    outbox_relay.acked.check_interval_s = 0.0
    yield outbox_relay
    outbox_relay.producer.close(timeout=10)
    outbox_relay.acked.close()


def _register(candidates: TestClient, people: range) -> None:
    for n in people:
        created = candidates.post("/candidates", json=_person(n), headers=CENTRE)
        assert created.status_code == 201, created.text


def _publish_all(relay: OutboxRelay) -> None:
    sessions = relay.session_factory
    wait_until(lambda: relay.publish_pending() >= 0 and pending_count(sessions) == 0)


def _consumer(matching: Runtime) -> EventConsumer:
    runner = MATCHING.consumer(matching)
    runner.log_check_interval_s = 0.2
    runner.assign()
    return runner


def _step(runner: EventConsumer) -> None:
    runner.poll_once(timeout_ms=100)
    runner.check_log()


def _close(runner: EventConsumer) -> None:
    runner.consumer.close()
    runner.dead_letters.close(timeout=10)


def _matched(matching: Runtime) -> int:
    with Session(matching.engine) as session:
        return int(session.exec(select(func.count()).select_from(CandidateView)).one())


def test_republish_after_a_broker_loss_brings_matching_to_the_producers_count(
    candidates: TestClient,
    matching: Runtime,
    relay: OutboxRelay,
    broker: Broker,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    consumer = _consumer(matching)
    _register(candidates, range(4))
    _publish_all(relay)
    wait_until(lambda: _matched(matching) == 4, step=lambda: _step(consumer))
    _close(consumer)  # matching's consumer stops

    _register(candidates, range(4, 12))
    _publish_all(relay)  # every row is marked sent: the broker acknowledged it
    assert relay.acked is not None
    assert relay.acked.check() is False

    broker.replace()  # kill -9 of the memory broker, a new empty one on the same port
    with caplog.at_level(logging.ERROR):
        wait_until(relay.acked.check, timeout_s=30)
    assert "the broker lost events it had acknowledged" in caplog.text

    database = runtime_of(candidates).settings.resolved_database_url
    monkeypatch.setenv("KAKEHASHI_CANDIDATES_DATABASE_URL", database)
    monkeypatch.setenv("KAKEHASHI_CANDIDATES_ENVIRONMENT", "development")
    monkeypatch.setenv("KAKEHASHI_CANDIDATES_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrap)
    republished = CliRunner().invoke(candidates_cli, ["republish"])
    assert republished.exit_code == 0, republished.output
    assert "12 event(s) republished to candidate-events" in republished.stdout

    produced = candidates.get("/candidates", headers=MANAGER).json()["total"]
    assert produced == 12
    restarted = _consumer(matching)
    try:
        wait_until(
            lambda: _matched(matching) == produced, timeout_s=60, step=lambda: _step(restarted)
        )
        for _ in range(10):  # anything left to read would show as a surplus below
            _step(restarted)
    finally:
        _close(restarted)
    assert _matched(matching) == produced
    with Session(matching.engine) as session:
        applied = session.exec(
            select(InboxEntry.event_type, func.count())
            .where(InboxEntry.consumer_group == MATCHING.name)
            .group_by(InboxEntry.event_type)
        ).all()
    assert dict(applied) == {"candidate.registered": produced}
