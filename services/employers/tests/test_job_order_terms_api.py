"""Posting, changing and listing job orders with the fields of a real 求人票 (real database)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from conftest import outbox_events
from services.employers.tests.samples import EMPLOYER, MANAGER, OTHER_EMPLOYER, Body, Headers

pytestmark = pytest.mark.integration


WELDERS = {
    "title": "溶接工 / Welder",
    "sector": "construction",
    "prefecture": "Aichi",
    "headcount": 3,
    "min_japanese_level": "N4",
    "required_skills": [{"code": "welding", "min_level": 3, "must_have": True}],
}
FULL = WELDERS | {
    "track": "ssw1",
    "job_category": "welding",
    "experience_years_min": 2,
    "education": "upper_secondary",
    "monthly_base_pay_yen": 230_000,
    "hours_per_week": 40,
    "overtime_hours_per_month": 20,
    "days_off_per_year": 105,
    "housing": {"provided": True, "monthly_cost_yen": 25_000},
    "contract_months": 36,
    "interview": {"date": "2027-02-10", "format": "online"},
    "expected_departure_date": "2027-06-01",
    "application_deadline": "2027-01-31",
}
PREFERENCES = {
    "preferred_sex": "male",
    "age_min": 20,
    "age_max": 30,
    "preferred_marital_status": "single",
}


def _post(client: TestClient, body: Body, headers: Headers = EMPLOYER) -> Body:
    response = client.post("/job-orders", json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: Body = response.json()
    return created


def test_a_full_order_round_trips_and_its_event_carries_the_agreed_fields(
    client: TestClient,
) -> None:
    order = _post(client, FULL)
    fetched = client.get(f"/job-orders/{order['id']}", headers=EMPLOYER).json()
    assert fetched == order
    for name, value in FULL.items():
        assert order[name] == value, name
    assert order["warnings"] == []
    [event] = outbox_events(client)
    data = event["data"]
    assert event["type"] == "job_order.opened"
    assert (data["track"], data["job_category"], data["experience_years_min"]) == (
        "ssw1",
        "welding",
        2,
    )
    assert (data["expected_departure_date"], data["application_deadline"]) == (
        "2027-06-01",
        "2027-01-31",
    )
    assert (data["monthly_base_pay_yen"], data["version"], data["status"]) == (230_000, 1, "open")


def test_the_original_fields_alone_make_an_ssw1_order_asking_for_the_floor(
    client: TestClient,
) -> None:
    body = {k: v for k, v in WELDERS.items() if k != "min_japanese_level"}
    order = _post(client, body)
    assert (order["track"], order["min_japanese_level"], order["status"]) == ("ssw1", "N4", "open")
    assert order["housing"] is None
    assert order["interview"] is None


@pytest.mark.parametrize(
    ("change", "accepted"),
    [
        ({"track": "ssw1", "min_japanese_level": "N5"}, False),
        ({"track": "ssw1", "min_japanese_level": "none"}, False),
        ({"track": "ssw2", "min_japanese_level": "none"}, True),
        ({"track": "ssw2", "sector": "food_service", "min_japanese_level": "N4"}, False),
        ({"track": "ssw2", "sector": "fisheries", "min_japanese_level": "N3"}, True),
        ({"track": "titp", "sector": "nursing_care", "min_japanese_level": "N5"}, False),
        ({"track": "titp", "min_japanese_level": "none"}, True),
        (
            {"track": "esd", "min_japanese_level": "none", "expected_departure_date": "2027-06-01"},
            False,
        ),
    ],
)
def test_the_track_floor_is_a_422_on_min_japanese_level(
    client: TestClient, change: Body, accepted: bool
) -> None:
    response = client.post("/job-orders", json=WELDERS | change, headers=EMPLOYER)
    if accepted:
        assert response.status_code == 201, response.text
        return
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"][-1] == "min_japanese_level"
    assert outbox_events(client) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"track": "ssw3"}, "track"),
        ({"education": "phd"}, "education"),
        ({"job_category": "Welding!"}, "job_category"),
        ({"hours_per_week": 60}, "hours_per_week"),
        ({"overtime_hours_per_month": 100}, "overtime_hours_per_month"),
        ({"monthly_base_pay_yen": 0}, "monthly_base_pay_yen"),
        ({"interview": {"date": "2027-02-10", "format": "phone"}}, "format"),
        ({"housing": {"provided": False, "monthly_cost_yen": 10_000}}, "monthly_cost_yen"),
        ({"housing": {"provided": True, "rent": 1}}, "rent"),
        ({"application_deadline": "2027-07-01", "interview": None}, "expected_departure_date"),
        ({"application_deadline": "2027-03-01"}, "date"),  # the interview is before it
        ({"age_min": 16}, "age_min"),
        ({"age_min": 40, "age_max": 25}, "age_max"),
        ({"preferred_sex": "any"}, "preferred_sex"),
        ({"status": "filled"}, "status"),
    ],
)
def test_bad_terms_are_a_422_naming_the_field(client: TestClient, change: Body, field: str) -> None:
    response = client.post("/job-orders", json=FULL | change, headers=EMPLOYER)
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"][-1] == field
    assert outbox_events(client) == []


def test_preferences_are_stored_to_warn_but_never_sent(client: TestClient) -> None:
    order = _post(client, FULL | PREFERENCES | {"monthly_base_pay_yen": 170_000})
    codes = [w["code"] for w in order["warnings"]]
    assert codes == [
        "sex_preference",
        "age_preference",
        "marital_status_preference",
        "below_minimum_wage",
    ]
    assert all(w["message"] for w in order["warnings"])
    seen_by_manager = client.get(f"/job-orders/{order['id']}", headers=MANAGER).json()
    assert seen_by_manager["warnings"] == order["warnings"]
    assert seen_by_manager["preferred_sex"] == "male"
    # Edits and status changes publish snapshots too: none may carry a preference.
    client.patch(f"/job-orders/{order['id']}", json={"headcount": 4}, headers=EMPLOYER)
    client.post(
        f"/job-orders/{order['id']}/transitions", json={"to": "interviewing"}, headers=EMPLOYER
    )
    events = outbox_events(client)
    assert [e["type"] for e in events] == [
        "job_order.opened",
        "job_order.updated",
        "job_order.updated",
    ]
    for event in events:
        # The warnings travel as codes, so the program manager in matching is warned too...
        assert event["data"]["warnings"] == codes
        # ...but nothing else of a preference: not its field, not its value.
        raw = json.dumps(event | {"data": event["data"] | {"warnings": []}})
        for name in ("sex", "age_min", "age_max", "marital", "male", "single"):
            assert name not in raw


def test_patch_changes_an_open_order_with_the_same_rules_and_publishes_a_snapshot(
    client: TestClient,
) -> None:
    order = _post(client, FULL)
    url = f"/job-orders/{order['id']}"
    response = client.patch(url, json={"headcount": 5, "housing": None}, headers=EMPLOYER)
    assert response.status_code == 200, response.text
    changed = response.json()
    assert (changed["headcount"], changed["housing"], changed["version"]) == (5, None, 2)
    assert changed["title"] == FULL["title"]  # untouched fields stay
    refused = client.patch(url, json={"min_japanese_level": "N5"}, headers=EMPLOYER)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"][-1] == "min_japanese_level"
    nulled = client.patch(url, json={"title": None}, headers=EMPLOYER)
    assert nulled.status_code == 422
    assert nulled.json()["detail"][0]["loc"][-1] == "title"
    unknown = client.patch(url, json={"salary": 1}, headers=EMPLOYER)
    assert unknown.status_code == 422
    [opened, updated] = outbox_events(client)
    assert updated["type"] == "job_order.updated"
    assert updated["data"] == opened["data"] | {"headcount": 5, "version": 2}


def test_patch_of_a_draft_publishes_nothing_and_managers_cannot_patch(client: TestClient) -> None:
    draft = _post(client, FULL | {"status": "draft"})
    assert draft["status"] == "draft"
    url = f"/job-orders/{draft['id']}"
    assert client.patch(url, json={"headcount": 7}, headers=EMPLOYER).json()["version"] == 2
    assert client.patch(url, json={"headcount": 7}, headers=MANAGER).status_code == 403
    assert client.patch(url, json={"headcount": 7}, headers=OTHER_EMPLOYER).status_code == 404
    assert outbox_events(client) == []


def test_listing_filters_and_pages(client: TestClient) -> None:
    aichi = _post(client, FULL)
    osaka = _post(
        client,
        FULL | {"prefecture": "Osaka", "application_deadline": "2027-03-31", "interview": None},
    )
    titp = _post(client, WELDERS | {"track": "titp", "sector": "agriculture", "status": "draft"})
    _post(client, FULL, headers=OTHER_EMPLOYER)

    def ids(query: str, headers: Headers = EMPLOYER) -> set[str]:
        response = client.get(f"/job-orders?{query}", headers=headers)
        assert response.status_code == 200, response.text
        return {o["id"] for o in response.json()["items"]}

    assert ids("track=titp") == {titp["id"]}
    assert ids("sector=construction") == {aichi["id"], osaka["id"]}
    assert ids("prefecture=Osaka") == {osaka["id"]}
    assert ids("status=draft") == {titp["id"]}
    assert ids("deadline_before=2027-02-28") == {aichi["id"]}
    assert ids("deadline_after=2027-02-01") == {osaka["id"]}
    assert ids("deadline_after=2027-01-01&deadline_before=2027-12-31") == {aichi["id"], osaka["id"]}
    assert len(ids("sector=construction", headers=MANAGER)) == 3
    page = client.get("/job-orders?limit=2&offset=2", headers=EMPLOYER).json()
    assert (page["total"], len(page["items"]), page["offset"]) == (3, 1, 2)
    for bad in ("track=ssw9", "status=sleeping", "prefecture=Atlantis", "deadline_before=soon"):
        assert client.get(f"/job-orders?{bad}", headers=EMPLOYER).status_code == 422, bad
