"""End to end: erasing a candidate in the candidates service takes them out of matching, and the
event that says so carries nothing about the person."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from conftest import auth, wait_until
from kakehashi.devtools.supervisor import Supervisor
from kakehashi.shared.events import CANDIDATE_EVENTS
from tests.e2e.conftest import open_welder_order, read_independently, register_welder

pytestmark = pytest.mark.e2e

MANAGER = auth("program_manager", "pm-office")
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
    cid = register_welder(system, centre, **PERSONAL)
    order_id = open_welder_order(system, headcount=1)
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
