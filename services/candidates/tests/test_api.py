"""The candidates API on a real database (no broker: events wait in the outbox)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from kakehashi.shared.outbox import OutboxMessage
from services.candidates.tests.samples import (
    CENTRE,
    EMPLOYER,
    MANAGER,
    OTHER_CENTRE,
    SHARING,
    Body,
    runtime_of,
)

pytestmark = pytest.mark.integration


AN = {
    "full_name": "Nguyễn Văn An",
    "province": "Tây Ninh",
    "sector": "construction",
    "japanese_level": "N4",
    "skills": [{"code": "welding", "level": 3}, {"code": "scaffolding", "level": 2}],
    "consents": [SHARING],
}


def _outbox(client: TestClient) -> list[OutboxMessage]:
    with Session(runtime_of(client).engine) as session:
        return list(session.exec(select(OutboxMessage)).all())


def test_registering_saves_the_candidate_and_its_event_in_one_transaction(
    client: TestClient,
) -> None:
    response = client.post("/candidates", json=AN, headers=CENTRE | {"X-Correlation-ID": "req-1"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["training_centre_id"] == "tc-tay-ninh"
    assert body["full_name"] == "Nguyễn Văn An"
    [row] = _outbox(client)
    event = json.loads(row.payload)
    assert (row.topic, row.message_key, row.sent_at) == ("candidate-events", body["id"], None)
    assert event["type"] == "candidate.registered"
    assert event["correlation_id"] == "req-1"
    assert event["data"]["skills"] == [
        {"code": "welding", "level": 3, "tests_passed": []},
        {"code": "scaffolding", "level": 2, "tests_passed": []},
    ]
    assert response.headers["X-Correlation-ID"] == "req-1"


def test_the_snapshot_names_each_skills_tests_passed_sorted(client: TestClient) -> None:
    """Matching reads the tests passed per skill (the tracks' skills-test rules): each skill is
    exactly {code, level, tests_passed}, the tests a sorted list of codes."""
    tests = ["ssw2_construction", "ssw1_construction"]
    body = AN | {"skills": [{"code": "welding", "level": 3, "tests_passed": tests}]}
    response = client.post("/candidates", json=body, headers=CENTRE)
    assert response.status_code == 201, response.text
    [row] = _outbox(client)
    assert json.loads(row.payload)["data"]["skills"] == [
        {"code": "welding", "level": 3, "tests_passed": ["ssw1_construction", "ssw2_construction"]}
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sector": "mining"}, "sector"),
        ({"japanese_level": "N6"}, "japanese_level"),
        ({"full_name": ""}, "full_name"),
        ({"skills": [{"code": "welding", "level": 6}]}, "level"),
        ({"skills": [{"code": "Welding!", "level": 2}]}, "code"),
        ({"nickname": "An"}, "nickname"),
        ({"skills": [{"code": "welding", "level": 2}, {"code": "welding", "level": 3}]}, "skills"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_nothing_is_saved(
    client: TestClient, change: Body, field: str
) -> None:
    response = client.post("/candidates", json=AN | change, headers=CENTRE)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"][-1] == field
    assert error["msg"]
    assert _outbox(client) == []


def test_without_a_token_it_is_401_and_employers_are_403(client: TestClient) -> None:
    assert client.post("/candidates", json=AN).status_code == 401
    assert client.get("/candidates").status_code == 401
    assert client.post("/candidates", json=AN, headers=EMPLOYER).status_code == 403
    assert client.get("/candidates", headers=EMPLOYER).status_code == 403
    assert client.post("/candidates", json=AN, headers=MANAGER).status_code == 403


def test_a_centre_sees_only_its_own_candidates(client: TestClient) -> None:
    mine = client.post("/candidates", json=AN, headers=CENTRE).json()
    theirs = client.post(
        "/candidates", json=AN | {"full_name": "Trần Thị Bình"}, headers=OTHER_CENTRE
    ).json()
    assert client.get(f"/candidates/{mine['id']}", headers=CENTRE).status_code == 200
    assert client.get(f"/candidates/{theirs['id']}", headers=CENTRE).status_code == 404
    page = client.get("/candidates", headers=CENTRE).json()
    assert [c["id"] for c in page["items"]] == [mine["id"]]
    assert page["total"] == 1


def test_program_managers_see_every_centre(client: TestClient) -> None:
    for headers in (CENTRE, OTHER_CENTRE):
        client.post("/candidates", json=AN, headers=headers)
    page = client.get("/candidates?limit=1", headers=MANAGER).json()
    assert page["total"] == 2
    assert len(page["items"]) == 1


def test_health_endpoints(client: TestClient) -> None:
    assert client.get("/health/live").json() == {"status": "ok", "checks": {}}
    ready = client.get("/health/ready")
    assert ready.status_code == 503  # the test broker address is deliberately unreachable
    assert ready.json()["checks"]["database"] == "ok"
    assert ready.json()["checks"]["broker"].startswith("unavailable")
