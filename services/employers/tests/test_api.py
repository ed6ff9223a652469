"""The employers API on a real database (no broker: events wait in the outbox)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from kakehashi.employers.adapters.tables import JobOrderTransition
from kakehashi.shared.outbox import OutboxMessage
from services.employers.tests.samples import (
    CENTRE,
    EMPLOYER,
    MANAGER,
    OTHER_EMPLOYER,
    Body,
    runtime_of,
)

pytestmark = pytest.mark.integration


WELDERS = {
    "title": "溶接工 / Welder",
    "sector": "construction",
    "prefecture": "Aichi",
    "headcount": 3,
    "min_japanese_level": "N4",
    "required_skills": [
        {"code": "welding", "min_level": 3, "must_have": True},
        {"code": "scaffolding", "min_level": 1, "must_have": False},
    ],
}


def _outbox(client: TestClient) -> list[OutboxMessage]:
    with Session(runtime_of(client).engine) as session:
        return list(session.exec(select(OutboxMessage)).all())


def test_posting_writes_the_order_its_history_and_event_together(client: TestClient) -> None:
    # On PostgreSQL the three rows go in one statement (not through the session's flush): what
    # is read back must be what the post answered, and a draft has no event.
    posted = client.post("/job-orders", json=WELDERS, headers=EMPLOYER)
    draft = client.post("/job-orders", json={**WELDERS, "status": "draft"}, headers=EMPLOYER)
    assert (posted.status_code, draft.status_code) == (201, 201), draft.text
    for response in (posted, draft):
        read = client.get(f"/job-orders/{response.json()['id']}", headers=EMPLOYER)
        assert read.json() == response.json()
    with Session(runtime_of(client).engine) as session:
        history = session.exec(select(JobOrderTransition)).all()
    assert sorted((h.job_order_id, h.from_status, h.to_status) for h in history) == sorted(
        [(posted.json()["id"], None, "open"), (draft.json()["id"], None, "draft")]
    )
    assert [row.message_key for row in _outbox(client)] == [posted.json()["id"]]


def test_posting_saves_the_order_and_its_opened_event(client: TestClient) -> None:
    response = client.post("/job-orders", json=WELDERS, headers=EMPLOYER)
    assert response.status_code == 201, response.text
    order = response.json()
    assert (order["employer_id"], order["status"]) == ("emp-aichi", "open")
    [row] = _outbox(client)
    event = json.loads(row.payload)
    assert (row.topic, row.message_key) == ("job-order-events", order["id"])
    assert event["type"] == "job_order.opened"
    assert event["data"]["required_skills"] == WELDERS["required_skills"]
    assert event["data"]["headcount"] == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"prefecture": "Atlantis"}, "prefecture"),
        ({"headcount": 0}, "headcount"),
        ({"min_japanese_level": "B2"}, "min_japanese_level"),
        ({"required_skills": [{"code": "welding", "min_level": 0}]}, "min_level"),
        ({"salary": 1}, "salary"),
        (
            {
                "required_skills": [
                    {"code": "welding", "min_level": 1},
                    {"code": "welding", "min_level": 2},
                ]
            },
            "required_skills",
        ),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_nothing_is_saved(
    client: TestClient, change: Body, field: str
) -> None:
    response = client.post("/job-orders", json=WELDERS | change, headers=EMPLOYER)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"][-1] == field
    assert _outbox(client) == []


def test_only_employers_post_and_training_centres_cannot_read(client: TestClient) -> None:
    assert client.post("/job-orders", json=WELDERS).status_code == 401
    assert client.post("/job-orders", json=WELDERS, headers=MANAGER).status_code == 403
    assert client.get("/job-orders", headers=CENTRE).status_code == 403


def test_an_employer_sees_only_its_own_orders(client: TestClient) -> None:
    mine = client.post("/job-orders", json=WELDERS, headers=EMPLOYER).json()
    theirs = client.post("/job-orders", json=WELDERS, headers=OTHER_EMPLOYER).json()
    assert client.get(f"/job-orders/{mine['id']}", headers=EMPLOYER).status_code == 200
    assert client.get(f"/job-orders/{theirs['id']}", headers=EMPLOYER).status_code == 404
    assert [o["id"] for o in client.get("/job-orders", headers=EMPLOYER).json()["items"]] == [
        mine["id"]
    ]
    assert client.get("/job-orders", headers=MANAGER).json()["total"] == 2
