"""Matching's decisions move the candidate pipeline: applied as the consumer would, and over the
broker."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from conftest import Broker, match_decision, outbox_events, wait_until
from kakehashi.candidates.adapters.tables import CandidateMatch
from kakehashi.candidates.bootstrap import SPEC
from kakehashi.shared.applier import EventApplier
from kakehashi.shared.events import MATCH_EVENTS
from kakehashi.shared.kafka import make_producer
from services.candidates.tests.samples import CENTRE, SHARING, Body, runtime_of

pytestmark = pytest.mark.integration

ELIGIBLE = {
    "full_name": "Nguyen Van An",
    "date_of_birth": "2000-05-01",
    "province": "Tây Ninh",
    "sector": "construction",
    "skills": [{"code": "welding", "level": 3, "tests_passed": ["ssw1_construction"]}],
    "japanese_tests": [{"test": "jlpt", "level": "N4", "date": "2025-12-07"}],
    "available_from": "2027-02-01",
    "consents": [SHARING],
}
ORDER_A = "7d1f6b0a-3c2e-4f8a-8b61-5e4d2c1b0a99"
ORDER_B = "2a9c4e6f-1b3d-4c5e-8f70-9a1b2c3d4e5f"


def _ready_candidate(client: TestClient, body: Body = ELIGIBLE) -> str:
    response = client.post("/candidates", json=body, headers=CENTRE)
    assert response.status_code == 201, response.text
    cid = str(response.json()["id"])
    moved = client.post(f"/candidates/{cid}/transitions", json={"to": "ready"}, headers=CENTRE)
    assert moved.status_code == 200, moved.text
    return cid


def _status(client: TestClient, cid: str) -> str:
    return str(client.get(f"/candidates/{cid}", headers=CENTRE).json()["status"])


def _history(client: TestClient, cid: str) -> list[tuple[str | None, str, str]]:
    moves = client.get(f"/candidates/{cid}/transitions", headers=CENTRE).json()
    return [(m["from_status"], m["to_status"], m["actor"]) for m in moves]


def _changes(client: TestClient, cid: str) -> list[Body]:
    return [
        e["data"]
        for e in outbox_events(client)
        if e["type"] == "candidate.status_changed" and e["subject"] == cid
    ]


def _pair(client: TestClient, order_id: str, cid: str) -> CandidateMatch | None:
    with Session(runtime_of(client).engine) as session:
        return session.get(CandidateMatch, f"{order_id}:{cid}")


def test_an_undone_selection_takes_the_candidate_back_to_interviewed(
    client: TestClient, consumer: EventApplier
) -> None:
    cid = _ready_candidate(client)
    consumer.apply(match_decision(ORDER_A, cid, "proposed", 1))
    consumer.apply(match_decision(ORDER_A, cid, "interviewed", 2, previous_status="proposed"))
    consumer.apply(match_decision(ORDER_A, cid, "selected", 3, previous_status="interviewed"))
    assert _status(client, cid) == "selected"
    consumer.apply(
        match_decision(ORDER_A, cid, "interviewed", 4, previous_status="selected", action="undo")
    )
    assert _status(client, cid) == "interviewed"
    assert _history(client, cid)[-1] == ("selected", "interviewed", "matching")


def test_decisions_move_the_candidate_as_a_manual_move_would(
    client: TestClient, consumer: EventApplier
) -> None:
    cid = _ready_candidate(client)
    consumer.apply(match_decision(ORDER_A, cid, "shortlisted", 1))
    assert _status(client, cid) == "shortlisted"
    consumer.apply(match_decision(ORDER_A, cid, "proposed", 2, decided_by="pm@pm-office"))
    consumer.apply(
        match_decision(
            ORDER_A,
            cid,
            "interviewed",
            3,
            decided_by="hr@emp-aichi",
            decided_by_role="employer",
            decided_by_organisation_id="emp-aichi",
        )
    )
    consumer.apply(
        match_decision(
            ORDER_A,
            cid,
            "selected",
            4,
            decided_by="pm@pm-office",
            decided_by_role="program_manager",  # the event's role wins over who usually selects
        )
    )
    assert _status(client, cid) == "selected"
    assert _history(client, cid)[2:] == [
        ("ready", "shortlisted", "matching"),
        ("shortlisted", "interviewed", "hr@emp-aichi"),
        ("interviewed", "selected", "pm@pm-office"),
    ]
    assert [(c["previous_status"], c["status"], c["version"]) for c in _changes(client, cid)] == [
        ("registered", "ready", 2),
        ("ready", "shortlisted", 3),
        ("shortlisted", "interviewed", 4),
        ("interviewed", "selected", 5),
    ]
    assert _changes(client, cid)[-1]["cause"] == "match_decision"
    export = client.get(f"/candidates/{cid}/export", headers=CENTRE).json()
    moves = [a for a in export["audit"] if a["action"] == "move"]
    assert [(a["subject"], a["role"]) for a in moves][-2:] == [
        ("hr@emp-aichi", "employer"),
        ("pm@pm-office", "program_manager"),
    ]


def test_late_and_repeated_decisions_apply_once(client: TestClient, consumer: EventApplier) -> None:
    cid = _ready_candidate(client)
    interviewed = match_decision(ORDER_A, cid, "interviewed", 3)
    assert consumer.apply(interviewed)  # a decision skipped a stage: both moves are made
    assert not consumer.apply(interviewed)  # redelivered: the inbox makes it a no-op
    assert consumer.apply(match_decision(ORDER_A, cid, "interviewed", 3))  # new id, same version
    assert consumer.apply(match_decision(ORDER_A, cid, "shortlisted", 1))  # older: ignored
    assert consumer.apply(match_decision(ORDER_A, cid, "rejected", 2))  # older: ignored
    assert _status(client, cid) == "interviewed"
    assert [h[1] for h in _history(client, cid)] == [
        "registered",
        "ready",
        "shortlisted",
        "interviewed",
    ]
    pair = _pair(client, ORDER_A, cid)
    assert pair is not None
    assert (pair.status, pair.version) == ("interviewed", 3)


def test_a_rejection_keeps_a_candidate_another_order_still_holds(
    client: TestClient, consumer: EventApplier
) -> None:
    cid = _ready_candidate(client)
    consumer.apply(match_decision(ORDER_A, cid, "shortlisted", 1))
    consumer.apply(match_decision(ORDER_B, cid, "proposed", 2))
    consumer.apply(match_decision(ORDER_A, cid, "rejected", 2, previous_status="shortlisted"))
    assert _status(client, cid) == "shortlisted"
    pair = _pair(client, ORDER_A, cid)
    assert pair is not None
    assert pair.note == "still held at shortlisted by another order"
    consumer.apply(match_decision(ORDER_B, cid, "withdrawn", 3, previous_status="proposed"))
    assert _status(client, cid) == "ready"
    # Shortlisted again later on A (a withdrawn pair may come back): forward again.
    consumer.apply(match_decision(ORDER_A, cid, "shortlisted", 3))
    assert _status(client, cid) == "shortlisted"


def test_another_orders_rejection_never_undoes_a_selection(
    client: TestClient, consumer: EventApplier
) -> None:
    cid = _ready_candidate(client)
    consumer.apply(match_decision(ORDER_A, cid, "selected", 4))
    consumer.apply(match_decision(ORDER_B, cid, "shortlisted", 1))
    assert _status(client, cid) == "selected"
    consumer.apply(match_decision(ORDER_B, cid, "rejected", 2))
    assert _status(client, cid) == "selected"
    # The selecting order letting the candidate go does send them back.
    consumer.apply(match_decision(ORDER_A, cid, "withdrawn", 5, previous_status="selected"))
    assert _status(client, cid) == "ready"


def _refusals(client: TestClient) -> list[Body]:
    return [e["data"] for e in outbox_events(client) if e["type"] == "candidate.match_refused"]


def test_a_decision_during_training_moves_the_candidate_and_keeps_their_training(
    client: TestClient, consumer: EventApplier
) -> None:
    created = client.post("/candidates", json=ELIGIBLE, headers=CENTRE).json()
    cid = created["id"]
    moved = client.post(
        f"/candidates/{cid}/transitions", json={"to": "in_training"}, headers=CENTRE
    )
    assert moved.status_code == 200, moved.text
    assert consumer.apply(match_decision(ORDER_A, cid, "shortlisted", 1))
    found = client.get(f"/candidates/{cid}", headers=CENTRE).json()
    assert (found["status"], found["training_status"]) == ("shortlisted", "in_training")
    assert _changes(client, cid)[-1]["training_status"] == "in_training"
    consumer.apply(match_decision(ORDER_A, cid, "rejected", 2, previous_status="shortlisted"))
    assert _status(client, cid) == "in_training"
    assert _refusals(client) == []


def test_a_status_matching_may_add_later_is_noted_not_dead_lettered(
    client: TestClient, consumer: EventApplier
) -> None:
    cid = _ready_candidate(client)
    assert consumer.apply(match_decision(ORDER_A, cid, "on_hold", 2))
    pair = _pair(client, ORDER_A, cid)
    assert pair is not None
    assert pair.note == "unknown match status 'on_hold'"


def test_a_selection_while_another_order_selected_the_candidate_is_refused(
    client: TestClient, consumer: EventApplier
) -> None:
    cid = _ready_candidate(client)
    consumer.apply(match_decision(ORDER_A, cid, "selected", 1))
    assert consumer.apply(match_decision(ORDER_B, cid, "selected", 1))
    assert _status(client, cid) == "selected"
    refusal = _refusals(client)[-1]
    assert refusal == {
        "match_id": f"{ORDER_B}:{cid}",
        "job_order_id": ORDER_B,
        "candidate_id": cid,
        "match_version": 1,
        "status": "selected",
        "reason_code": "selected_elsewhere",
        "message": "the candidate is selected for another order",
    }
    pair = _pair(client, ORDER_B, cid)
    assert pair is not None
    assert pair.refusal == "selected_elsewhere"


def test_a_decision_on_an_erased_or_unknown_candidate_is_refused(
    client: TestClient, consumer: EventApplier
) -> None:
    cid = _ready_candidate(client)
    assert client.post(f"/candidates/{cid}/erase", headers=CENTRE).status_code == 200
    assert consumer.apply(match_decision(ORDER_A, cid, "selected", 1))
    assert _status(client, cid) == "withdrawn"
    assert consumer.apply(match_decision(ORDER_A, "no-such-candidate", "selected", 1))
    assert [(r["candidate_id"], r["reason_code"]) for r in _refusals(client)] == [
        (cid, "erased"),
        ("no-such-candidate", "unknown_candidate"),
    ]
    with Session(runtime_of(client).engine) as session:
        pairs = session.exec(select(CandidateMatch)).all()
    assert [p.candidate_id for p in pairs] == [cid]
    # Letting go of a refused pair is no refusal.
    assert consumer.apply(match_decision(ORDER_A, cid, "withdrawn", 2))
    assert len(_refusals(client)) == 2


def test_decisions_arriving_through_the_broker_move_the_candidate(
    broker: Broker, service_client: Callable[..., TestClient]
) -> None:
    client = service_client(SPEC, kafka_bootstrap_servers=broker.bootstrap)
    cid = _ready_candidate(client)
    producer = make_producer(broker.servers)
    try:
        for status, version in (("shortlisted", 1), ("proposed", 2)):
            event = match_decision(ORDER_A, cid, status, version)
            producer.send(MATCH_EVENTS, key=event.subject.encode(), value=event.to_bytes())
        producer.flush(timeout=10)
    finally:
        producer.close(timeout=10)
    consumer = SPEC.consumer(runtime_of(client))
    try:
        consumer.assign()
        wait_until(
            lambda: getattr(_pair(client, ORDER_A, cid), "version", 0) == 2,
            step=consumer.poll_once,
        )
    finally:
        consumer.consumer.close()
        consumer.dead_letters.close(timeout=10)
    assert _status(client, cid) == "shortlisted"
    assert _changes(client, cid)[-1]["status"] == "shortlisted"
