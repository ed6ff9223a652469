"""End to end: a match decision and the candidate's pipeline agree, through the broker.

An accepted move: a candidate still in training is interviewed and selected; the candidates
service follows (keeping the training stage), employers counts the selection, matching shows the
pipeline status. A refused move: matching's copy of the candidate is stale (its consumer is
paused while the training centre records a contract elsewhere), a program manager selects the
candidate anyway; the candidates service refuses, matching marks the pair, and employers stops
counting the selection (the saga's compensating step) and reopens the order.
"""

from __future__ import annotations

import signal
import uuid
from typing import Any

import httpx
import pytest

from conftest import auth, wait_until
from kakehashi.devtools.supervisor import Supervisor
from tests.e2e.conftest import post_welder_order, register_welder

pytestmark = pytest.mark.e2e

MANAGER = auth("program_manager", "pm-office")
CENTRE = auth("training_centre", "tc-agree")
Json = dict[str, Any]


def _open_order(system: Supervisor, headcount: int) -> tuple[str, dict[str, str]]:
    employer = auth("employer", f"emp-{uuid.uuid4().hex[:6]}")
    return post_welder_order(system, headcount, employer), employer


def _listed(system: Supervisor, order_id: str) -> dict[str, Json]:
    response = httpx.get(f"{system.url('matching')}/job-orders/{order_id}/matches", headers=MANAGER)
    if response.status_code != 200:
        return {}
    return {m["candidate_id"]: m for m in response.json()["matches"]}


def _candidate(system: Supervisor, cid: str) -> Json:
    found: Json = httpx.get(f"{system.url('candidates')}/candidates/{cid}", headers=CENTRE).json()
    return found


def _order(system: Supervisor, order_id: str, employer: dict[str, str]) -> Json:
    found: Json = httpx.get(
        f"{system.url('employers')}/job-orders/{order_id}", headers=employer
    ).json()
    return found


def _move(system: Supervisor, cid: str, to: str) -> None:
    moved = httpx.post(
        f"{system.url('candidates')}/candidates/{cid}/transitions",
        json={"to": to, "reason": "e2e"},
        headers=CENTRE,
    )
    assert moved.status_code == 200, moved.text


def _select(system: Supervisor, order_id: str, cid: str, employer: dict[str, str]) -> Json:
    """Shortlist, propose, pass the interview (as the employer), select; the last pair."""
    base = f"{system.url('matching')}/job-orders/{order_id}/candidates/{cid}"
    pair: Json = {}
    for action in ("shortlist", "propose", "interview", "select"):
        if action == "interview":
            response = httpx.post(f"{base}/interview", json={"result": "pass"}, headers=employer)
        else:
            response = httpx.post(f"{base}/decisions", json={"action": action}, headers=MANAGER)
        assert response.status_code == 200, (action, response.text)
        pair = response.json()
    return pair


def _shortlist_entry(system: Supervisor, order_id: str, cid: str) -> Json:
    shortlist = httpx.get(
        f"{system.url('matching')}/job-orders/{order_id}/shortlist", headers=MANAGER
    ).json()
    entry: Json = next(e for e in shortlist["entries"] if e["match_id"].endswith(cid))
    return entry | {"selected": shortlist["selected"]}


def test_a_candidate_in_training_is_selected_and_every_service_agrees(system: Supervisor) -> None:
    order_id, employer = _open_order(system, headcount=2)
    cid = register_welder(system, CENTRE, full_name="Lê Văn Tập", date_of_birth="2000-03-01")
    _move(system, cid, "in_training")
    wait_until(
        lambda: _listed(system, order_id).get(cid, {}).get("pipeline_status") == "in_training",
        timeout_s=30,
    )
    _select(system, order_id, cid, employer)
    wait_until(lambda: _candidate(system, cid)["status"] == "selected", timeout_s=30)
    assert _candidate(system, cid)["training_status"] == "in_training"
    wait_until(lambda: _order(system, order_id, employer)["headcount_filled"] == 1, timeout_s=30)
    entry = _shortlist_entry(system, order_id, cid)
    assert (entry["status"], entry["refusal_code"], entry["selected"]) == ("selected", None, 1)
    # Matching hears the pipeline move back from candidates (a selected candidate is no longer
    # listed for other orders, so the candidate's own matches page says it).
    wait_until(
        lambda: (
            httpx.get(f"{system.url('matching')}/candidates/{cid}/matches", headers=MANAGER).json()[
                "status"
            ]
            == "selected"
        ),
        timeout_s=30,
    )


def test_a_selection_the_pipeline_refuses_is_marked_in_matching_and_not_counted(
    system: Supervisor,
) -> None:
    order_id, employer = _open_order(system, headcount=1)
    cid = register_welder(system, CENTRE, full_name="Trần Thị Từ", date_of_birth="1998-07-01")
    wait_until(lambda: cid in _listed(system, order_id), timeout_s=30)
    consumer = dict(system.children)["matching-consumer"]
    consumer.send_signal(signal.SIGSTOP)
    try:
        # Placed by another channel while matching does not hear of it yet.
        for to in ("shortlisted", "interviewed", "selected", "contracted"):
            _move(system, cid, to)
        pair = _select(system, order_id, cid, employer)  # matching's copy still says registered
    finally:
        consumer.send_signal(signal.SIGCONT)
    wait_until(
        lambda: _shortlist_entry(system, order_id, cid)["refusal_code"] == "not_available",
        timeout_s=60,
    )
    entry = _shortlist_entry(system, order_id, cid)
    assert entry["version"] == pair["version"]
    assert "contracted" in entry["refusal_message"]
    assert entry["selected"] == 0
    assert _candidate(system, cid)["status"] == "contracted"  # the pipeline did not move
    # Employers counted the selection when it arrived, then the refusal released it again.
    wait_until(lambda: _order(system, order_id, employer)["headcount_filled"] == 0, timeout_s=60)
    assert _order(system, order_id, employer)["status"] in ("open", "interviewing")
