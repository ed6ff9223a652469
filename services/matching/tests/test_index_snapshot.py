"""The candidate index kept on disk: read back at start-up instead of rebuilt, caught up with the
read model's changes since, and never trusted when it does not fit (rebuilt, with a log line)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from conftest import auth
from kakehashi.matching.adapters import index_snapshot
from kakehashi.matching.adapters.tables import ChangeSequence
from kakehashi.matching.bootstrap import SPEC
from kakehashi.shared.events import EventEnvelope
from services.matching.tests.market_events import (
    applier,
    candidate_event,
    order_event,
    runtime_of_client,
    status_event,
)

pytestmark = pytest.mark.integration

MANAGER = auth("program_manager", "pm-office")
INDEX_LOG = "kakehashi.matching.service_layer.candidate_index"
Build = Callable[..., TestClient]
LISTS = [
    "/job-orders/order-1/matches?limit=50",
    "/job-orders/order-2/matches?limit=50",
    "/job-orders/order-3/matches?limit=50",
    "/job-orders/order-1/matches?limit=50&province=Thai%20Binh",
    "/job-orders/order-3/matches?limit=50&training_centre_id=tc-2",
]


def market() -> list[EventEnvelope]:
    """Three orders and forty candidates in two sectors, with levels, dates and places varied
    (several of them tied on score, so the tie order is exercised too)."""
    events = [
        order_event("order-1"),
        order_event(
            "order-2",
            min_japanese_level="N3",
            track="ssw1",
            expected_departure_date="2027-06-01",
            required_skills=[
                {"code": "welding", "min_level": 2, "must_have": True},
                {"code": "machining", "min_level": 3, "must_have": False},
            ],
        ),
        order_event(
            "order-3",
            sector="nursing_care",
            prefecture="Osaka",
            required_skills=[{"code": "bathing_assistance", "min_level": 2, "must_have": True}],
        ),
    ]
    levels = ["N5", "N4", "N3", "N2", "N1"]
    for i in range(40):
        care = i % 4 == 0
        skills = (
            [{"code": "bathing_assistance", "level": 1 + i % 5}]
            if care
            else [{"code": "welding", "level": 1 + i % 5}, {"code": "metal_press", "level": 2}]
        )
        events.append(
            candidate_event(
                f"cand-{(i * 37) % 101:03d}",
                level=levels[i % 5],
                sector="nursing_care" if care else "construction",
                skills=skills,
                province=["Tây Ninh", "Thái Bình", "Nghệ An"][i % 3],
                training_centre_id=f"tc-{i % 3}",
                date_of_birth=None if i % 11 == 0 else f"{1990 + i % 15}-0{1 + i % 9}-15",
                available_from=f"2027-0{1 + i % 9}-01",
                eligible_tracks=["titp", "ssw1"] if i % 2 else ["titp"],
                desired_prefectures=["Osaka"] if i % 5 == 0 else [],
                experience_years=(i % 7) / 2,
            )
        )
    return events


def lists(client: TestClient) -> list[Any]:
    bodies = [client.get(url, headers=MANAGER).json() for url in LISTS]
    assert all(b["matches"] or b["needs_data"] for b in bodies[:3])  # the lists are not empty
    return bodies


def started_lists(build: Build, snapshot: Path | None) -> list[Any]:
    """A new API process's lists (its index from `snapshot` if it fits, else from the rows)."""
    settings = {"index_snapshot": False} if snapshot is None else {"index_snapshot_path": snapshot}
    with build(SPEC, **settings) as client:
        return lists(client)


def index_messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == INDEX_LOG]


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    return tmp_path / "index" / "candidate-index.npz"


@pytest.fixture
def first(service_client: Build, snapshot: Path) -> TestClient:
    """The first process: fills the read model, starts (building the index from the rows) and
    stops (keeping the index on disk)."""
    client = service_client(SPEC, index_snapshot_path=snapshot)
    consumer = applier(client)
    for event in market():
        consumer.apply(event)
    with client:
        pass
    assert snapshot.exists()
    return client


def test_an_index_read_back_from_its_snapshot_gives_the_same_lists_as_a_fresh_build(
    first: TestClient, service_client: Build, snapshot: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=INDEX_LOG)
    restored = started_lists(service_client, snapshot)
    assert "candidate index read from its snapshot" in index_messages(caplog)
    assert restored == started_lists(service_client, None)


def test_a_snapshot_older_than_the_read_model_is_caught_up(
    first: TestClient, service_client: Build, snapshot: Path, caplog: pytest.LogCaptureFixture
) -> None:
    before = started_lists(service_client, None)
    assert "cand-010" in {m["candidate_id"] for body in before for m in body["matches"]}
    consumer = applier(first)
    for event in (
        candidate_event("cand-new", level="N1", skills=[{"code": "welding", "level": 5}]),
        candidate_event("cand-037", version=2, level="N1", sector="nursing_care"),  # moved
        status_event("candidate.status_changed", "candidate_id", "cand-074", 2, "placed"),
        EventEnvelope.new(
            type="candidate.erased",
            source="test",
            subject="cand-010",
            data={"candidate_id": "cand-010"},
        ),
    ):
        consumer.apply(event)
    caplog.set_level(logging.INFO, logger=INDEX_LOG)
    restored = started_lists(service_client, snapshot)
    assert "candidate index read from its snapshot" in index_messages(caplog)
    (caught_up,) = [r for r in caplog.records if r.getMessage().endswith("from its snapshot")]
    assert caught_up.__dict__["changes_since"] == 4
    fresh = started_lists(service_client, None)
    assert restored == fresh
    assert restored != before  # the changes show: the snapshot alone would have been stale
    shown = {m["candidate_id"] for body in restored for m in body["matches"]}
    assert "cand-new" in shown
    assert "cand-010" not in shown  # erased


def test_a_corrupted_snapshot_is_ignored_and_the_index_rebuilt(
    first: TestClient, service_client: Build, snapshot: Path, caplog: pytest.LogCaptureFixture
) -> None:
    expected = started_lists(service_client, None)
    snapshot.write_bytes(snapshot.read_bytes()[:1000])  # cut short, as by a full disk
    caplog.set_level(logging.INFO, logger=INDEX_LOG)
    assert started_lists(service_client, snapshot) == expected
    assert any(m.startswith("candidate index snapshot ignored") for m in index_messages(caplog))
    source = database_of(first)
    assert index_snapshot.read(snapshot, source) is not None  # written again, whole


def test_a_snapshot_of_another_format_database_or_sequence_is_ignored(
    first: TestClient,
    service_client: Build,
    snapshot: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected = started_lists(service_client, None)
    source = database_of(first)
    counter = read_counter(first)
    caplog.set_level(logging.INFO, logger=INDEX_LOG)
    with monkeypatch.context() as patched:
        patched.setattr(index_snapshot, "FORMAT", index_snapshot.FORMAT + 1)
        index_snapshot.write(snapshot, source, counter, {})
    index_snapshot.write(snapshot.with_name("other.npz"), "sqlite:///elsewhere.db", counter, {})
    cases = {
        "format": snapshot,
        "another database": snapshot.with_name("other.npz"),
    }
    for reason, path in cases.items():
        caplog.clear()
        assert started_lists(service_client, path) == expected, reason
        assert any("snapshot ignored" in m for m in index_messages(caplog)), reason
    # Ahead of the read model (another database's counter), or missing candidates once caught
    # up (empty, at the read model's own sequence): both rebuilt.
    for seen, hint in ((counter + 1000, "has seen change"), (counter, "once caught up")):
        index_snapshot.write(snapshot, source, seen, {})
        caplog.clear()
        assert started_lists(service_client, snapshot) == expected
        assert any(hint in m for m in index_messages(caplog)), hint


def database_of(client: TestClient) -> str:
    url = runtime_of_client(client).settings.resolved_database_url
    return make_url(url).render_as_string(hide_password=True)


def read_counter(client: TestClient) -> int:
    with runtime_of_client(client).uow() as uow:
        counter = uow.session.get(ChangeSequence, "candidates")
        assert counter is not None
        return int(counter.value)


def test_a_snapshot_that_cannot_be_written_does_not_stop_the_api(
    first: TestClient, service_client: Build, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    expected = started_lists(service_client, None)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    caplog.set_level(logging.INFO, logger=INDEX_LOG)
    assert started_lists(service_client, blocker / "index.npz") == expected
    assert any(m.startswith("candidate index snapshot not written") for m in index_messages(caplog))
