"""What one registration writes, on SQLite (an INSERT per table) and on PostgreSQL (one
statement carrying the relay's wake-up): the same rows either way, the relay woken either way."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session, col

from kakehashi.candidates.adapters.tables import (
    AuditEntry,
    Candidate,
    CandidateConsent,
    CandidateTransition,
)
from kakehashi.candidates.service_layer import handlers
from kakehashi.shared.outbox import OutboxMessage
from kakehashi.shared.relay_wakeup import wakeup_for
from services.candidates.tests.samples import CENTRE, SHARING, runtime_of

pytestmark = pytest.mark.integration

PERSON = {
    "full_name": "Trần Thị Lan",
    "date_of_birth": "2001-05-04",
    "passport_number": "C7654321",
    "province": "Nghệ An",
    "sector": "food_service",
    "japanese_level": "N4",
    "skills": [{"code": "cooking", "level": 3}],
}


def _rows_of(client: TestClient, candidate_id: str) -> dict[str, int]:
    tables = {
        "candidate": (Candidate, Candidate.id),
        "history": (CandidateTransition, CandidateTransition.candidate_id),
        "consent": (CandidateConsent, CandidateConsent.candidate_id),
        "outbox": (OutboxMessage, OutboxMessage.message_key),
        "audit": (AuditEntry, AuditEntry.candidate_id),
    }
    with Session(runtime_of(client).engine) as session:
        return {
            name: session.execute(
                select(func.count()).select_from(model).where(col(key) == candidate_id)
            ).scalar_one()
            for name, (model, key) in tables.items()
        }


def test_a_published_registration_writes_every_row_and_wakes_the_relay(
    client: TestClient,
) -> None:
    wakeup = wakeup_for(runtime_of(client).engine)
    wakeup.open()
    try:
        created = client.post("/candidates", json=PERSON | {"consents": [SHARING]}, headers=CENTRE)
        assert created.status_code == 201, created.text
        assert wakeup.wait(timeout_s=5) is True, "the relay was not woken"
    finally:
        wakeup.close()
    counts = _rows_of(client, created.json()["id"])
    assert counts == {"candidate": 1, "history": 1, "consent": 1, "outbox": 1, "audit": 1}


def test_an_unpublished_registration_writes_no_event_and_rings_nobody(client: TestClient) -> None:
    wakeup = wakeup_for(runtime_of(client).engine)
    wakeup.open()
    try:
        created = client.post("/candidates", json=PERSON, headers=CENTRE)
        assert created.status_code == 201, created.text
        assert wakeup.wait(timeout_s=0.5) is False
    finally:
        wakeup.close()
    counts = _rows_of(client, created.json()["id"])
    assert counts == {"candidate": 1, "history": 1, "consent": 0, "outbox": 0, "audit": 1}


def test_the_same_person_twice_is_refused_and_writes_nothing_more(client: TestClient) -> None:
    first = client.post("/candidates", json=PERSON | {"consents": [SHARING]}, headers=CENTRE)
    assert first.status_code == 201, first.text
    again = client.post("/candidates", json=PERSON, headers=CENTRE)
    assert again.status_code == 409
    with Session(runtime_of(client).engine) as session:
        assert session.execute(select(func.count()).select_from(Candidate)).scalar_one() == 1


def test_a_registration_that_loses_the_race_to_the_same_passport_is_a_409(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = client.post("/candidates", json=PERSON, headers=CENTRE)
    assert first.status_code == 201, first.text
    # As if a concurrent registration committed between the duplicate check and the INSERT.
    monkeypatch.setattr(handlers, "check_duplicate", lambda *_args: None)
    again = client.post("/candidates", json=PERSON | {"full_name": "Tran Thi Lan"}, headers=CENTRE)
    assert again.status_code == 409, again.text
    assert again.json() == {
        "detail": "this person is already registered at another training centre"
    }
