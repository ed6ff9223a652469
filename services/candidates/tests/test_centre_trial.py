"""Findings of a new training centre's trial of the portal (issue #13): an order that holds a
candidate in matching keeps them out of the centre's training moves, orders are named by their
titles and deciders by their organisation or role, the form offers provinces and tests by name,
and names follow the reader's language."""

# ruff: noqa: RUF001 (Japanese names are written with full-width brackets)
from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import match_decision
from kakehashi.shared.applier import EventApplier
from kakehashi.shared.events import EventEnvelope
from services.candidates.tests.samples import CENTRE
from services.candidates.tests.test_match_decisions import (
    ORDER_A,
    ORDER_B,
    _ready_candidate,
    _status,
)
from services.candidates.tests.test_portal import PERSON, post, register, sign_in

pytestmark = pytest.mark.integration


EMPLOYER_ID = "emp-aichi-tanaka"
TITLE = "溶接工 / Welder"
NOT_RECEIVED = {
    "en": "order (title not yet received)",
    "vi": "đơn hàng (chưa nhận được tên)",
    "ja": "求人（名称未受信）",
}


def _text(html: str) -> str:
    """What a reader sees: the page without its tags (so without ids in attributes)."""
    return re.sub(r"<[^>]+>", " ", html)


def job_order_event(
    kind: str, order_id: str, version: int, title: str = TITLE, status: str = "open"
) -> EventEnvelope:
    """employers' `job_order.<kind>`: a snapshot (opened, updated) or a status only."""
    data: dict[str, Any] = {"job_order_id": order_id, "version": version, "status": status}
    if kind in ("opened", "updated"):
        data |= {"employer_id": EMPLOYER_ID, "title": title, "sector": "construction"}
    return EventEnvelope.new(
        type=f"job_order.{kind}", source="kakehashi.employers", subject=order_id, data=data
    )


def organisation_event(organisation_id: str, kind: str, **names: str) -> EventEnvelope:
    """identity's `organisation.registered`."""
    data = {"organisation_id": organisation_id, "version": 1, "kind": kind} | names
    return EventEnvelope.new(
        type="organisation.registered",
        source="kakehashi.identity",
        subject=organisation_id,
        data=data,
    )


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
    moved = client.post(
        f"/candidates/{cid}/transitions", json={"to": "in_training"}, headers=CENTRE
    )
    assert moved.status_code == 200, moved.text


def test_withdrawing_stays_open_while_an_order_holds_the_candidate(
    client: TestClient, consumer: EventApplier
) -> None:
    cid = _ready_candidate(client)
    consumer.apply(match_decision(ORDER_A, cid, "proposed", 1))
    consumer.apply(match_decision(ORDER_A, cid, "interviewed", 2, previous_status="proposed"))
    withdrawn = client.post(
        f"/candidates/{cid}/transitions", json={"to": "withdrawn"}, headers=CENTRE
    )
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


# Orders by their titles, deciders in words ------------------------------------------------------


def _matching_column(page: str) -> str:
    return page.split('id="matching-h"')[1].split("</section>")[0]


def _history(page: str) -> str:
    return page.split('id="pipeline-h"')[1].split("</section>")[0]


@pytest.mark.parametrize("language", ["en", "vi", "ja"])
def test_a_decision_before_its_order_is_named_neutrally_then_by_title_never_by_id(
    client: TestClient, consumer: EventApplier, language: str
) -> None:
    sign_in(client)
    cid = register(client)
    consumer.apply(match_decision(ORDER_A, cid, "proposed", 1))
    for url in (f"/portal/candidates/{cid}", "/portal/notifications"):
        shown = _text(client.get(f"{url}?lang={language}").text)
        assert NOT_RECEIVED[language] in shown
        assert ORDER_A not in shown
    consumer.apply(job_order_event("opened", ORDER_A, 1))
    consumer.apply(
        organisation_event(EMPLOYER_ID, "employer", name_latin="Tanaka Kogyo", name_ja="田中工業")
    )
    employer = "田中工業" if language == "ja" else "Tanaka Kogyo"
    for url in (f"/portal/candidates/{cid}", "/portal/notifications"):
        shown = _text(client.get(f"{url}?lang={language}").text)
        assert TITLE in shown, url
        assert employer in shown, url
        assert NOT_RECEIVED[language] not in shown
        assert ORDER_A not in shown
    history = _text(_history(client.get(f"/portal/candidates/{cid}?lang={language}").text))
    assert TITLE in history  # the move's reason names the order too


def test_the_directory_keeps_the_newest_title_and_a_late_snapshot_fills_a_missing_one(
    client: TestClient, consumer: EventApplier
) -> None:
    sign_in(client)
    cid = register(client)
    consumer.apply(match_decision(ORDER_A, cid, "proposed", 1))
    consumer.apply(job_order_event("opened", ORDER_A, 1, title="Welder"))
    consumer.apply(job_order_event("updated", ORDER_A, 2, title="Welder (night shift)"))
    consumer.apply(job_order_event("opened", ORDER_A, 1, title="Welder"))  # replayed, late
    consumer.apply(job_order_event("filled", ORDER_A, 3, status="filled"))
    page = _matching_column(client.get(f"/portal/candidates/{cid}?lang=en").text)
    assert "Welder (night shift)" in page
    # A status event first (a replay from a later offset): the title still comes with a snapshot.
    consumer.apply(match_decision(ORDER_B, cid, "proposed", 1))
    consumer.apply(job_order_event("closed", ORDER_B, 5, status="closed"))
    assert NOT_RECEIVED["en"] in _matching_column(client.get(f"/portal/candidates/{cid}").text)
    consumer.apply(job_order_event("updated", ORDER_B, 4, title="Scaffolder"))
    page = _matching_column(client.get(f"/portal/candidates/{cid}?lang=en").text)
    assert "Scaffolder" in page
    assert NOT_RECEIVED["en"] not in page


def test_the_history_names_who_moved_the_candidate_in_words(
    client: TestClient, consumer: EventApplier
) -> None:
    sign_in(client)
    cid = register(client)  # by the centre (user@tc-tay-ninh)
    post(client, f"/portal/candidates/{cid}/move", {"to": "ready"})
    consumer.apply(
        match_decision(
            ORDER_A, cid, "proposed", 1,
            decided_by="pm-user-7", decided_by_role="program_manager",
            decided_by_organisation_id="pm-office",
        )
    )  # fmt: skip
    consumer.apply(
        match_decision(
            ORDER_A, cid, "interviewed", 2, previous_status="proposed",
            decided_by="emp-user-3", decided_by_role="employer",
            decided_by_organisation_id=EMPLOYER_ID,
        )
    )  # fmt: skip
    consumer.apply(match_decision(ORDER_B, cid, "selected", 1))  # matching itself
    for event in (
        organisation_event(EMPLOYER_ID, "employer", name_latin="Tanaka Kogyo", name_ja="田中工業"),
        organisation_event(
            "tc-tay-ninh", "training_centre", name_latin="Tay Ninh Training Centre",
            name_vi="Trung tâm đào tạo Tây Ninh",
        ),
    ):  # fmt: skip
        consumer.apply(event)
    en = _text(_history(client.get(f"/portal/candidates/{cid}?lang=en").text))
    assert "program manager" in en
    assert "employer: Tanaka Kogyo" in en
    assert "Tay Ninh Training Centre" in en  # the registration and the move to ready
    assert "matching" in en
    for raw in ("user@tc-tay-ninh", "pm-user-7", "emp-user-3", EMPLOYER_ID, "pm-office"):
        assert raw not in en
    ja = _text(_history(client.get(f"/portal/candidates/{cid}?lang=ja").text))
    assert "企業：田中工業" in ja
    assert "プログラム担当者" in ja
    vi = _text(_history(client.get(f"/portal/candidates/{cid}?lang=vi").text))
    assert "Trung tâm đào tạo Tây Ninh" in vi
    assert "doanh nghiệp: Tanaka Kogyo" in vi


# The form: provinces and tests to choose, not codes to type -------------------------------------


def _options(page: str, name: str) -> list[tuple[str, str]]:
    select = page.split(f'name="{name}"')[1].split("</select>")[0]
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)


def test_the_province_is_chosen_from_the_34_by_name_in_the_readers_language(
    client: TestClient,
) -> None:
    sign_in(client)
    vi = _options(client.get("/portal/candidates/new?lang=vi").text, "province")
    assert len([value for value, _ in vi if value]) == 34
    assert ("Tây Ninh", "Tây Ninh") in vi
    assert "Long An" not in {value for value, _ in vi}  # merged into Tây Ninh in 2025
    ja = _options(client.get("/portal/candidates/new?lang=ja").text, "province")
    assert ("Tây Ninh", "タイニン（Tây Ninh）") in ja
    # A profile stored with a unit no longer in force keeps it on the edit form.
    cid = register(client, province="Long An")
    edit = client.get(f"/portal/candidates/{cid}/edit?lang=vi").text
    assert '<option value="Long An" selected>' in edit


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Choose a province from the list."),
        ("vi", "Hãy chọn một tỉnh, thành phố trong danh sách."),
        ("ja", "一覧から省・市を選んでください。"),
    ],
)
def test_a_province_not_on_the_list_is_refused_in_the_readers_words(
    client: TestClient, language: str, message: str
) -> None:
    sign_in(client)
    response = post(
        client, f"/portal/candidates/new?lang={language}", PERSON | {"province": "Atlantis"}
    )
    assert response.status_code == 422
    error = re.search(r'id="e-province">([^<]*)<', response.text)
    assert error is not None
    assert error.group(1) == message
    assert "unknown Vietnamese province" not in response.text


def test_the_tests_ticked_on_the_form_are_the_tests_passed(client: TestClient) -> None:
    sign_in(client)
    form = PERSON | {"skills.welding.tests_passed": ["ssw2_construction", "ssw1_construction"]}
    response = post(client, "/portal/candidates/new", form)
    assert response.status_code == 303, response.text
    cid = response.headers["location"].rsplit("/", 1)[1]
    skills = client.get(f"/candidates/{cid}", headers=CENTRE).json()["skills"]
    assert skills[0]["tests_passed"] == ["ssw2_construction", "ssw1_construction"]


@pytest.mark.parametrize(
    ("language", "jlpt"),
    [
        ("ja", "JLPT（日本語能力試験）"),
        ("vi", "JLPT (Kỳ thi năng lực tiếng Nhật)"),
        ("en", "JLPT (Japanese-Language Proficiency Test)"),
    ],
)
def test_the_japanese_tests_are_offered_by_their_full_names(
    client: TestClient, language: str, jlpt: str
) -> None:
    sign_in(client)
    options = _options(
        client.get(f"/portal/candidates/new?lang={language}").text, "japanese_tests.0.test"
    )
    assert ("jlpt", jlpt) in options
    assert len(options) == 5  # the blank choice and the four test types


# Names as readers expect them ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        ("vi", "Nguyễn Thị Hằng", "グエン・ティ・ハン"),
        ("ja", "グエン・ティ・ハン (Nguyen Thi Hang)", "Nguyễn Thị Hằng"),
        ("en", "Nguyen Thi Hang", "グエン・ティ・ハン"),
    ],
)
def test_notifications_name_the_candidate_as_the_reader_expects(
    client: TestClient, consumer: EventApplier, language: str, expected: str, absent: str
) -> None:
    sign_in(client)
    cid = register(client)
    consumer.apply(match_decision(ORDER_A, cid, "proposed", 1))
    page = client.get(f"/portal/notifications?lang={language}").text
    row = page.split(f'href="/portal/candidates/{cid}">')[1].split("</a>")[0]
    assert row == expected
    assert absent not in page


def test_a_vietnamese_reader_without_the_vietnamese_spelling_sees_the_passport_name(
    client: TestClient, consumer: EventApplier
) -> None:
    sign_in(client)
    cid = register(client, name_vi="", name_katakana="")
    consumer.apply(match_decision(ORDER_A, cid, "proposed", 1))
    for language in ("vi", "ja"):
        page = client.get(f"/portal/notifications?lang={language}").text
        assert f'href="/portal/candidates/{cid}">Nguyen Thi Hang</a>' in page


@pytest.mark.parametrize(
    ("language", "heading", "others"),
    [
        ("vi", "Nguyễn Thị Hằng", ["Nguyen Thi Hang", "グエン・ティ・ハン"]),
        ("ja", "グエン・ティ・ハン (Nguyen Thi Hang)", ["Nguyễn Thị Hằng"]),
        ("en", "Nguyen Thi Hang", ["Nguyễn Thị Hằng", "グエン・ティ・ハン"]),
    ],
)
def test_the_candidate_page_heads_with_the_readers_name_and_lists_the_others_once(
    client: TestClient, language: str, heading: str, others: list[str]
) -> None:
    sign_in(client)
    cid = register(client)
    page = client.get(f"/portal/candidates/{cid}?lang={language}").text
    assert f"<h1>{heading}</h1>" in page
    below = page.split("</h1>")[1].split("</p>")[0]
    assert [name for name in others if name in below] == others
    assert heading not in below
