"""A new centre's browser trial (second round): the history names who decided a match step —
the program manager (and their office when the event names it) or the employer of the order —
from `match.status_changed` as matching publishes it (`decided_by_role`, no user, no
organisation), never "the matching system" when the event or the decision says who."""

# ruff: noqa: RUF001 (Japanese names are written with full-width brackets)
from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from conftest import match_decision
from kakehashi.shared.applier import EventApplier
from services.candidates.tests.test_centre_trial import (
    EMPLOYER_ID,
    _history,
    job_order_event,
    organisation_event,
)
from services.candidates.tests.test_match_decisions import ORDER_A, ORDER_B
from services.candidates.tests.test_portal import register, sign_in

pytestmark = pytest.mark.integration


def _deciders(page: str) -> dict[str, list[str]]:
    """Each history row's move target (its last status) and who the "By" column names."""
    rows: dict[str, list[str]] = {}
    for row in re.findall(r"<tr><td>.*?</tr>", _history(page), re.S):
        cells = [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td>(.*?)</td>", row, re.S)
        ]
        rows.setdefault(cells[1].split("→")[-1].strip(), []).append(cells[-1])
    return rows


def test_match_steps_are_named_by_the_program_manager_or_the_orders_employer(
    client: TestClient, consumer: EventApplier
) -> None:
    sign_in(client)
    cid = register(client)
    consumer.apply(job_order_event("opened", ORDER_A, 1))
    consumer.apply(
        organisation_event(EMPLOYER_ID, "employer", name_latin="Tanaka Kogyo", name_ja="田中工業")
    )
    # As matching's event builder writes them: the role, no user and no organisation.
    consumer.apply(match_decision(ORDER_A, cid, "proposed", 1, decided_by_role="program_manager"))
    consumer.apply(
        match_decision(
            ORDER_A, cid, "interviewed", 2, previous_status="proposed", decided_by_role="employer"
        )
    )
    # An event that says nothing of its decider: the decision says it (employers select).
    consumer.apply(match_decision(ORDER_A, cid, "selected", 3, previous_status="interviewed"))

    vi = _deciders(client.get(f"/portal/candidates/{cid}?lang=vi").text)
    assert vi["vào danh sách sơ tuyển"] == [
        "quản lý chương trình"
    ]  # proposed: registered → shortlisted
    assert vi["đã phỏng vấn"] == ["doanh nghiệp: Tanaka Kogyo"]
    assert vi["trúng tuyển"] == ["doanh nghiệp: Tanaka Kogyo"]
    assert "hệ thống ghép nối" not in str(vi)
    ja = _deciders(client.get(f"/portal/candidates/{cid}?lang=ja").text)
    assert "企業：田中工業" in ja["面接済み"]
    en = _deciders(client.get(f"/portal/candidates/{cid}?lang=en").text)
    assert en["shortlisted"] == ["program manager"]
    assert en["selected"] == ["employer: Tanaka Kogyo"]


def test_a_program_manager_is_named_with_the_office_the_event_names(
    client: TestClient, consumer: EventApplier
) -> None:
    sign_in(client)
    cid = register(client)
    consumer.apply(
        organisation_event(
            "po-tay-ninh", "program_office", name_latin="Tay Ninh Programme Office",
            name_vi="Văn phòng chương trình Tây Ninh",
        )
    )  # fmt: skip
    consumer.apply(
        match_decision(
            ORDER_B, cid, "shortlisted", 1, decided_by="pm-user-7",
            decided_by_role="program_manager", decided_by_organisation_id="po-tay-ninh",
        )
    )  # fmt: skip
    vi = _deciders(client.get(f"/portal/candidates/{cid}?lang=vi").text)
    assert vi["vào danh sách sơ tuyển"] == [
        "quản lý chương trình (Văn phòng chương trình Tây Ninh)"
    ]
    en = _deciders(client.get(f"/portal/candidates/{cid}?lang=en").text)
    assert en["shortlisted"] == ["program manager (Tay Ninh Programme Office)"]


def test_an_employers_step_on_an_order_not_yet_received_names_the_role(
    client: TestClient, consumer: EventApplier
) -> None:
    """No role in the event and no order in the directory: "employer", not "matching"."""
    sign_in(client)
    cid = register(client)
    consumer.apply(match_decision(ORDER_B, cid, "interviewed", 1))
    en = _deciders(client.get(f"/portal/candidates/{cid}?lang=en").text)
    assert en["interviewed"] == ["employer"]
