"""Candidates named as readers expect: the Vietnamese spelling for vi, katakana with the passport
name for ja, the passport name for en, on every page and file that names a candidate."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import Session

from conftest import auth, token_for
from kakehashi.matching.adapters.shortlist_xlsx import COLUMNS
from kakehashi.matching.adapters.tables import CandidateView
from kakehashi.matching.bootstrap import SPEC
from kakehashi.matching.domain.names import display_name
from kakehashi.shared.events import EventEnvelope
from kakehashi.shared.ui.browser_session import SESSION_COOKIE
from services.matching.tests.market_events import (
    applier,
    candidate_event,
    order_event,
    runtime_of_client,
)

MANAGER = auth("program_manager", "pm-office")
EMPLOYER = auth("employer", "emp-aichi")
LATIN = "Nguyen Van An"
VIETNAMESE = "Nguyễn Văn An"
KATAKANA = "グエン・ヴァン・アン"
JAPANESE = f"{KATAKANA} ({LATIN})"
# Each reader's name, and the spellings that reader must not be shown alone.
BY_LANGUAGE = [
    ("vi", VIETNAMESE, [KATAKANA]),
    ("ja", JAPANESE, [VIETNAMESE]),
    ("en", LATIN, [VIETNAMESE, KATAKANA]),
]


@dataclass(frozen=True)
class Spellings:
    full_name: str
    name_vi: str | None
    name_katakana: str | None


@pytest.mark.parametrize(
    ("spellings", "language", "expected"),
    [
        (Spellings(LATIN, VIETNAMESE, KATAKANA), "vi", VIETNAMESE),
        (Spellings(LATIN, VIETNAMESE, KATAKANA), "ja", JAPANESE),
        (Spellings(LATIN, VIETNAMESE, KATAKANA), "en", LATIN),
        # A spelling not given falls back to the passport's, never to another script.
        (Spellings(LATIN, None, KATAKANA), "vi", LATIN),
        (Spellings(LATIN, VIETNAMESE, None), "ja", LATIN),
        (Spellings(LATIN, "", ""), "ja", LATIN),
    ],
)
def test_display_name_per_language(spellings: Spellings, language: str, expected: str) -> None:
    assert display_name(spellings, language) == expected


def named(
    candidate_id: str = "an", *, type: str = "candidate.registered", **changes: object
) -> EventEnvelope:
    """A snapshot carrying the three spellings (`changes` may drop or change them)."""
    spellings = {"full_name": LATIN, "name_vi": VIETNAMESE, "name_katakana": KATAKANA}
    data = candidate_event(candidate_id).data | spellings | {"available_from": "2027-01-10"}
    return EventEnvelope.new(type=type, source="test", subject=candidate_id, data=data | changes)


def view_of(client: TestClient, candidate_id: str) -> CandidateView | None:
    with Session(runtime_of_client(client).engine) as session:
        return session.get(CandidateView, candidate_id)


@pytest.fixture
def client(service_client: Any) -> TestClient:
    """An order, a named candidate proposed to its employer, and a candidate of an older
    producer (no Vietnamese or katakana spelling)."""
    client: TestClient = service_client(SPEC)
    market = applier(client)
    market.apply(order_event("order-1", headcount=2))
    market.apply(named("an"))
    market.apply(candidate_event("binh", full_name="Tran Van Binh"))
    for action in ("shortlist", "propose"):
        response = client.post(
            "/job-orders/order-1/candidates/an/decisions", json={"action": action}, headers=MANAGER
        )
        assert response.status_code == 200, response.text
    return client


@pytest.mark.integration
def test_the_read_model_keeps_every_spelling_and_an_update_replaces_them(
    client: TestClient,
) -> None:
    an = view_of(client, "an")
    assert an is not None
    assert (an.full_name, an.name_vi, an.name_katakana) == (LATIN, VIETNAMESE, KATAKANA)
    binh = view_of(client, "binh")
    assert binh is not None
    assert (binh.name_vi, binh.name_katakana) == (None, None)
    changed = {"version": 2, "name_vi": "Nguyễn Văn Ân", "name_katakana": None}
    applier(client).apply(named("an", type="candidate.updated", **changed))
    an = view_of(client, "an")
    assert an is not None
    assert (an.name_vi, an.name_katakana) == ("Nguyễn Văn Ân", None)


@pytest.mark.integration
@pytest.mark.parametrize(("language", "expected", "absent"), BY_LANGUAGE)
def test_console_pages_name_the_candidate_for_the_reader(
    client: TestClient, language: str, expected: str, absent: list[str]
) -> None:
    client.cookies.set(SESSION_COOKIE, token_for("program_manager", "pm-office"))
    pages = {
        "match list": client.get("/console/orders/order-1", params={"lang": language}),
        "candidate": client.get("/console/candidates/an", params={"lang": language}),
        "allocation": client.get(
            "/console/allocation", params={"sector": "construction", "lang": language}
        ),
    }
    for page, response in pages.items():
        assert response.status_code == 200, (page, response.text)
        assert expected in response.text, page
        for other in absent:
            assert other not in response.text, (page, other)
    assert f"<title>{expected}" in pages["candidate"].text
    # The candidate of an older producer is named by the passport in every language.
    assert "Tran Van Binh" in pages["match list"].text


@pytest.mark.integration
@pytest.mark.parametrize(("language", "expected", "absent"), BY_LANGUAGE)
def test_the_employer_order_page_names_proposed_candidates_for_the_reader(
    client: TestClient, language: str, expected: str, absent: list[str]
) -> None:
    client.cookies.set(SESSION_COOKIE, token_for("employer", "emp-aichi"))
    response = client.get("/console/orders/order-1", params={"lang": language})
    assert response.status_code == 200, response.text
    row = response.text.split('<tr data-candidate="an">')[1].split("</tr>")[0]
    assert expected in row
    for other in absent:
        assert other not in row


@pytest.mark.integration
def test_the_json_api_keeps_full_name_and_adds_both_spellings(client: TestClient) -> None:
    spellings = {"full_name": LATIN, "name_vi": VIETNAMESE, "name_katakana": KATAKANA}
    matches = client.get("/job-orders/order-1/matches", headers=MANAGER).json()["matches"]
    an = next(m for m in matches if m["candidate_id"] == "an")
    assert {key: an[key] for key in spellings} == spellings
    binh = next(m for m in matches if m["candidate_id"] == "binh")
    assert (binh["full_name"], binh["name_vi"], binh["name_katakana"]) == ("Tran Van Binh", None, None)  # fmt: skip
    candidate = client.get("/candidates/an/matches", headers=MANAGER).json()
    assert {key: candidate[key] for key in spellings} == spellings
    shortlist = client.get("/job-orders/order-1/shortlist", headers=EMPLOYER).json()
    [entry] = shortlist["entries"]
    assert {key: entry["candidate"][key] for key in spellings} == spellings
    allocation = client.get(
        "/allocations/proposal", params={"sector": "construction"}, headers=MANAGER
    )
    assert allocation.status_code == 200, allocation.text
    placed = {p["candidate_id"]: p for p in allocation.json()["placements"]}
    assert {key: placed["an"][key] for key in spellings} == spellings


@pytest.mark.integration
def test_the_japanese_employers_files_print_katakana_with_the_passport_name(
    client: TestClient,
) -> None:
    workbook = client.get("/job-orders/order-1/shortlist.xlsx", headers=EMPLOYER)
    assert workbook.status_code == 200, workbook.text
    sheet = load_workbook(BytesIO(workbook.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    heading = next(i for i, row in enumerate(rows) if row[0] == COLUMNS[0])
    assert [row[1] for row in rows[heading + 1 :]] == [JAPANESE]
    pdf = client.get("/job-orders/order-1/shortlist.pdf", headers=EMPLOYER)
    assert pdf.status_code == 200, pdf.text
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages)
    flat = "".join(text.split())  # the table may wrap a long name over two lines
    assert "".join(JAPANESE.split()) in flat
    assert VIETNAMESE not in text


@pytest.mark.integration
def test_erasure_drops_every_spelling(client: TestClient) -> None:
    erased = EventEnvelope.new(
        type="candidate.erased",
        source="test",
        subject="an",
        data={"candidate_id": "an", "version": 2},
    )
    applier(client).apply(erased)
    assert view_of(client, "an") is None
    # A replayed snapshot cannot bring the names back.
    applier(client).apply(named("an", version=3))
    assert view_of(client, "an") is None
    workbook = client.get("/job-orders/order-1/shortlist.xlsx", headers=MANAGER)
    sheet = load_workbook(BytesIO(workbook.content)).active
    assert sheet is not None
    values = {value for row in sheet.iter_rows(values_only=True) for value in row}
    assert not {LATIN, VIETNAMESE, JAPANESE} & values
    client.cookies.set(SESSION_COOKIE, token_for("program_manager", "pm-office"))
    page = client.get("/console/orders/order-1", params={"lang": "ja"}).text
    for spelling in (LATIN, VIETNAMESE, KATAKANA):
        assert spelling not in page
