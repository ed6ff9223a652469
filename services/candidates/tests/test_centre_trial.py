"""Findings of a new training centre's trial of the portal (issue #13): an order that holds a
candidate in matching keeps them out of the centre's training moves, orders are named by their
titles and deciders by their organisation or role, the form offers provinces and tests by name,
and names follow the reader's language."""

# ruff: noqa: RUF001 (Japanese names are written with full-width brackets)
from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from conftest import match_decision
from kakehashi.shared.applier import EventApplier
from services.candidates.tests.samples import CENTRE
from services.candidates.tests.test_match_decisions import ORDER_A, _ready_candidate, _status
from services.candidates.tests.test_portal import post, register, sign_in

pytestmark = pytest.mark.integration


def _flash(page: str) -> str:
    found = re.search(r'class="flash flash-error"[^>]*>(.*?)</', page, re.S)
    assert found is not None, "no error message on the page"
    return found.group(1)


# An order holding the candidate ----------------------------------------------------------------


def test_the_api_refuses_a_training_move_while_an_order_holds_the_candidate(
    client: TestClient, consumer: EventApplier
) -> None:
    cid = _ready_candidate(client)
    consumer.apply(match_decision(ORDER_A, cid, "proposed", 1))
    assert _status(client, cid) == "shortlisted"
    for target in ("ready", "in_training"):
        refused = client.post(f"/candidates/{cid}/transitions", json={"to": target}, headers=CENTRE)
        assert refused.status_code == 409, refused.text
        body = refused.json()
        assert (body["field"], body["code"]) == ("status", "held_by_match")
        assert "withdraw" in body["detail"]
    assert _status(client, cid) == "shortlisted"
    # Matching letting the candidate go releases them (back to their training stage).
    consumer.apply(match_decision(ORDER_A, cid, "rejected", 2, previous_status="proposed"))
    assert _status(client, cid) == "ready"
    moved = client.post(f"/candidates/{cid}/transitions", json={"to": "in_training"}, headers=CENTRE)
    assert moved.status_code == 200, moved.text


def test_withdrawing_stays_open_while_an_order_holds_the_candidate(
    client: TestClient, consumer: EventApplier
) -> None:
    cid = _ready_candidate(client)
    consumer.apply(match_decision(ORDER_A, cid, "proposed", 1))
    consumer.apply(match_decision(ORDER_A, cid, "interviewed", 2, previous_status="proposed"))
    withdrawn = client.post(f"/candidates/{cid}/transitions", json={"to": "withdrawn"}, headers=CENTRE)
    assert withdrawn.status_code == 200, withdrawn.text


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "An order holds this candidate in matching"),
        ("vi", "Một đơn hàng đang giữ ứng viên này trong khâu ghép nối"),
        ("ja", "求人がマッチングでこの候補者を確保しています"),
    ],
)
def test_the_portal_says_why_in_the_readers_language_and_moves_nothing(
    client: TestClient, consumer: EventApplier, language: str, expected: str
) -> None:
    sign_in(client)
    cid = register(client)
    post(client, f"/portal/candidates/{cid}/move", {"to": "ready"})
    consumer.apply(match_decision(ORDER_A, cid, "selected", 1))
    moved = post(client, f"/portal/candidates/{cid}/move", {"to": "ready"})
    assert moved.status_code == 303
    page = client.get(f"/portal/candidates/{cid}?lang={language}").text
    assert expected in _flash(page)
    assert 'data-status="selected"' in page
