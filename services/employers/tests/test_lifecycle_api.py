"""Job order transitions, their history, events and who may do what (real database)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from conftest import auth, outbox_events
from services.employers.tests.samples import (
    CENTRE,
    EMPLOYER,
    MANAGER,
    OTHER_EMPLOYER,
    Body,
    Headers,
)

pytestmark = pytest.mark.integration

ADMIN = auth("admin", "kakehashi")

WELDERS = {
    "title": "溶接工 / Welder",
    "sector": "construction",
    "prefecture": "Aichi",
    "headcount": 3,
    "min_japanese_level": "N4",
    "required_skills": [{"code": "welding", "min_level": 3, "must_have": True}],
    "application_deadline": "2027-01-31",
    "expected_departure_date": "2027-06-01",
}


def _post(client: TestClient, **changes: object) -> Body:
    response = client.post("/job-orders", json=WELDERS | changes, headers=EMPLOYER)
    assert response.status_code == 201, response.text
    created: Body = response.json()
    return created


def _move(
    client: TestClient, order: Body, to: str, headers: Headers = EMPLOYER, **body: object
) -> Response:
    response: Response = client.post(
        f"/job-orders/{order['id']}/transitions", json={"to": to} | body, headers=headers
    )
    return response


def test_a_draft_goes_all_the_way_with_history_and_the_agreedoutbox_events(
    client: TestClient,
) -> None:
    order = _post(client, status="draft")
    assert outbox_events(client) == []  # a draft is private
    for to, headers in [
        ("open", EMPLOYER),
        ("interviewing", EMPLOYER),
        ("filled", MANAGER),
        ("closed", ADMIN),
    ]:
        response = _move(client, order, to, headers, reason=f"now {to}")
        assert response.status_code == 200, response.text
        assert response.json()["status"] == to
    assert response.json()["version"] == 5
    events = outbox_events(client)
    assert [e["type"] for e in events] == [
        "job_order.opened",
        "job_order.updated",
        "job_order.filled",
        "job_order.closed",
    ]
    assert [e["data"]["version"] for e in events] == [2, 3, 4, 5]
    assert all(e["subject"] == order["id"] for e in events)
    assert events[0]["data"]["status"] == "open"
    assert events[0]["data"]["track"] == "ssw1"
    assert events[1]["data"]["status"] == "interviewing"
    assert events[2]["data"] == {"job_order_id": order["id"], "version": 4, "status": "filled"}
    assert events[3]["data"] == {"job_order_id": order["id"], "version": 5, "status": "closed"}

    history = client.get(f"/job-orders/{order['id']}/transitions", headers=MANAGER).json()
    assert [(h["from_status"], h["to_status"]) for h in history] == [
        (None, "draft"),
        ("draft", "open"),
        ("open", "interviewing"),
        ("interviewing", "filled"),
        ("filled", "closed"),
    ]
    assert [h["by_role"] for h in history] == [
        "employer",
        "employer",
        "employer",
        "program_manager",
        "admin",
    ]
    assert history[1]["reason"] == "now open"
    assert history[3]["by_subject"] == "user@pm-office"
    assert all(h["at"].endswith("Z") or "+00:00" in h["at"] for h in history)


@pytest.mark.parametrize(
    ("path", "to"),
    [
        ([], "filled"),  # open → filled skips interviewing
        ([], "draft"),
        ([], "open"),
        (["interviewing"], "open"),
        (["interviewing", "filled"], "cancelled"),
        (["cancelled"], "open"),
        (["interviewing", "filled", "closed"], "cancelled"),
    ],
)
def test_refused_transitions_are_a_409_and_change_nothing(
    client: TestClient, path: list[str], to: str
) -> None:
    order = _post(client)
    for step in path:
        assert _move(client, order, step, reason="because").status_code == 200
    before = client.get(f"/job-orders/{order['id']}", headers=EMPLOYER).json()
    events = len(outbox_events(client))
    response = _move(client, order, to, reason="because")
    assert response.status_code == 409, response.text
    assert response.json()["status"] == before["status"]
    assert client.get(f"/job-orders/{order['id']}", headers=EMPLOYER).json() == before
    assert len(outbox_events(client)) == events


def test_cancelling_needs_a_reason_and_an_unknown_status_is_a_422(client: TestClient) -> None:
    order = _post(client)
    for body, field in [
        ({"to": "cancelled"}, "reason"),
        ({"to": "sleeping"}, "to"),
        ({"to": "open", "why": "x"}, "why"),
    ]:
        response = client.post(
            f"/job-orders/{order['id']}/transitions", json=body, headers=EMPLOYER
        )
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["loc"][-1] == field
    cancelled = _move(client, order, "cancelled", reason="budget withdrawn")
    assert cancelled.status_code == 200
    assert outbox_events(client)[-1]["type"] == "job_order.cancelled"


def test_a_cancelled_draft_tells_nobody(client: TestClient) -> None:
    order = _post(client, status="draft")
    assert _move(client, order, "cancelled", reason="posted by mistake").status_code == 200
    assert outbox_events(client) == []


def test_filled_closed_and_cancelled_orders_cannot_be_patched(client: TestClient) -> None:
    order = _post(client)
    _move(client, order, "interviewing")
    assert (
        client.patch(
            f"/job-orders/{order['id']}", json={"headcount": 1}, headers=EMPLOYER
        ).status_code
        == 200
    )
    _move(client, order, "filled")
    response = client.patch(f"/job-orders/{order['id']}", json={"headcount": 2}, headers=EMPLOYER)
    assert response.status_code == 409
    assert response.json()["status"] == "filled"


def test_another_employers_order_is_not_found_on_every_endpoint(client: TestClient) -> None:
    order = _post(client)
    url = f"/job-orders/{order['id']}"
    assert client.get(url, headers=OTHER_EMPLOYER).status_code == 404
    assert client.patch(url, json={"headcount": 1}, headers=OTHER_EMPLOYER).status_code == 404
    assert (
        client.post(f"{url}/transitions", json={"to": "interviewing"}, headers=OTHER_EMPLOYER)
    ).status_code == 404
    assert client.get(f"{url}/transitions", headers=OTHER_EMPLOYER).status_code == 404
    assert client.get("/job-orders", headers=OTHER_EMPLOYER).json()["total"] == 0
    missing = "/job-orders/00000000-0000-0000-0000-000000000000"
    assert client.get(missing, headers=MANAGER).status_code == 404
    assert (
        client.post(f"{missing}/transitions", json={"to": "open"}, headers=MANAGER).status_code
        == 404
    )
    assert client.get(f"{url}", headers=EMPLOYER).json()["version"] == 1  # untouched


def test_training_centres_are_forbidden_everywhere(client: TestClient) -> None:
    order = _post(client)
    url = f"/job-orders/{order['id']}"
    assert client.post("/job-orders", json=WELDERS, headers=CENTRE).status_code == 403
    assert client.get("/job-orders", headers=CENTRE).status_code == 403
    assert client.get(url, headers=CENTRE).status_code == 403
    assert client.patch(url, json={"headcount": 1}, headers=CENTRE).status_code == 403
    assert (
        client.post(f"{url}/transitions", json={"to": "interviewing"}, headers=CENTRE).status_code
        == 403
    )
    assert client.get(f"{url}/transitions", headers=CENTRE).status_code == 403
    assert client.post(f"{url}/transitions", json={"to": "interviewing"}).status_code == 401
