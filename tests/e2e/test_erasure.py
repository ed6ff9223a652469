"""End to end: erasing a candidate in the candidates service takes them out of matching, and the
event that says so carries nothing about the person."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import httpx
import pytest

from conftest import auth, wait_until
from kakehashi.devtools.supervisor import Supervisor
from kakehashi.shared.events import CANDIDATE_EVENTS
from tests.e2e.conftest import read_independently

pytestmark = pytest.mark.e2e

MANAGER = auth("program_manager", "pm-office")
TODAY = date.today()
PERSONAL = {
    "full_name": "Phan Thị Xuân",
    "date_of_birth": "1998-03-14",
    "phone": "+84 987 654 321",
    "email": "xuan.phan@example.vn",
    "passport_number": "C7654321",
}


def _matched_ids(system: Supervisor, order_id: str) -> set[str]:
    response = httpx.get(
        f"{system.url('matching')}/job-orders/{order_id}/matches?limit=500", headers=MANAGER
    )
    if response.status_code == 404:  # the order's event has not arrived yet
        return set()
    assert response.status_code == 200, response.text
    return {m["candidate_id"] for m in response.json()["matches"]}


def test_an_erased_candidate_leaves_matching_and_the_topic_names_no_one(
    system: Supervisor,
) -> None:
    centre = auth("training_centre", f"tc-{uuid.uuid4().hex[:6]}")
    body = PERSONAL | {
        "province": "Tây Ninh",
        "sector": "construction",
        "japanese_level": "N4",
        "available_from": (TODAY + timedelta(days=30)).isoformat(),
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
    cid = created.json()["id"]
    order = httpx.post(
        f"{system.url('employers')}/job-orders",
        json={
            "title": "溶接工 / Welder",
            "sector": "construction",
            "prefecture": "Aichi",
            "headcount": 1,
            "min_japanese_level": "N4",
            "required_skills": [{"code": "welding", "min_level": 3, "must_have": True}],
            "track": "ssw1",
            "expected_departure_date": (TODAY + timedelta(days=150)).isoformat(),
        },
        headers=auth("employer", f"emp-{uuid.uuid4().hex[:6]}"),
    )
    assert order.status_code == 201, order.text
    order_id = order.json()["id"]
    wait_until(lambda: cid in _matched_ids(system, order_id), timeout_s=60)

    erased = httpx.post(f"{system.url('candidates')}/candidates/{cid}/erase", headers=centre)
    assert erased.status_code == 200, erased.text
    wait_until(lambda: cid not in _matched_ids(system, order_id), timeout_s=60)

    [record] = wait_until(
        lambda: [
            r
            for r in read_independently(system.bootstrap, CANDIDATE_EVENTS)
            if r["key"] == cid and r["headers"].get("ce_type") == "candidate.erased"
        ],
        timeout_s=60,
    )
    event = json.loads(record["payload"])
    assert event["data"] == {"candidate_id": cid, "version": erased.json()["version"]}
    for value in PERSONAL.values():
        assert value not in record["payload"], value
