"""An order's shortlist exported for the employer's interview, as XLSX and as PDF."""

from __future__ import annotations

import logging
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader

from conftest import auth
from kakehashi.matching.adapters.shortlist_xlsx import COLUMNS
from kakehashi.matching.bootstrap import SPEC
from services.matching.tests.market_events import applier, candidate_event, order_event

pytestmark = pytest.mark.integration

MANAGER = auth("program_manager", "pm-office")
EMPLOYER = auth("employer", "emp-aichi")
OTHER_EMPLOYER = auth("employer", "emp-osaka")
CENTRE = auth("training_centre", "tc-tay-ninh")
XLSX = "/job-orders/order-1/shortlist.xlsx"
PDF = "/job-orders/order-1/shortlist.pdf"


@pytest.fixture
def client(service_client: Any) -> TestClient:
    client: TestClient = service_client(SPEC)
    consumer = applier(client)
    consumer.apply(order_event("order-1", headcount=3))
    consumer.apply(candidate_event("an", full_name="Nguyễn Thị Ánh", level="N3"))
    consumer.apply(candidate_event("binh", full_name="Trần Văn Bình"))
    consumer.apply(candidate_event("cuong", full_name='=HYPERLINK("http://x")'))
    consumer.apply(candidate_event("duc", full_name="Lê Đức"))
    for candidate in ("an", "binh", "cuong"):
        for action in ("shortlist", "propose"):
            response = client.post(
                f"/job-orders/order-1/candidates/{candidate}/decisions",
                json={"action": action},
                headers=MANAGER,
            )
            assert response.status_code == 200, response.text
    # Shortlisted only: not proposed to the employer, so not on the sheet.
    client.post(
        "/job-orders/order-1/candidates/duc/decisions",
        json={"action": "shortlist"},
        headers=MANAGER,
    )
    return client


def rows_of(workbook_bytes: bytes) -> list[tuple[Any, ...]]:
    sheet = load_workbook(BytesIO(workbook_bytes)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    heading = next(i for i, row in enumerate(rows) if row[0] == COLUMNS[0])
    assert rows[heading] == COLUMNS
    return rows[heading + 1 :]


def test_the_xlsx_holds_the_proposed_candidates_and_only_employer_safe_fields(
    client: TestClient,
) -> None:
    for headers in (MANAGER, EMPLOYER):
        response = client.get(XLSX, headers=headers)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
        assert "attachment" in response.headers["content-disposition"]
        rows = rows_of(response.content)
        names = {row[1] for row in rows}
        assert names == {"Nguyễn Thị Ánh", "Trần Văn Bình", """'=HYPERLINK("http://x")"""}
        an = next(row for row in rows if row[1] == "Nguyễn Thị Ánh")
        assert an[0] == "推薦 (proposed)"
        # Skills by the shared taxonomy's labels, Japanese with English, never the raw code.
        assert an[3:6] == ("Tây Ninh", "N3", "溶接 (Welding) 3")
        assert isinstance(an[2], int)
        assert an[2] >= 18


def test_the_exports_name_the_order_by_title_and_a_short_reference_not_a_uuid(
    service_client: Any,
) -> None:
    client: TestClient = service_client(SPEC)
    order_id = "5f0c8e2a-9d1b-4c3e-8f7a-2b6d4e1c9a07"
    consumer = applier(client)
    consumer.apply(order_event(order_id, expected_departure_date="2027-09-01"))
    consumer.apply(candidate_event("an", full_name="Nguyễn Thị Ánh", available_from="2027-01-10"))
    for action in ("shortlist", "propose"):
        decided = client.post(
            f"/job-orders/{order_id}/candidates/an/decisions",
            json={"action": action},
            headers=MANAGER,
        )
        assert decided.status_code == 200, decided.text
    sheet = load_workbook(BytesIO(client.get(f"/job-orders/{order_id}/shortlist.xlsx", headers=MANAGER).content)).active  # fmt: skip
    assert sheet is not None
    header = {row[0]: row[1] for row in sheet.iter_rows(max_row=6, values_only=True)}
    assert header["求人 (Job order)"] == "溶接工 / Welder"
    assert header["求人番号 (Job order no.)"] == "5F0C8E2A"
    pdf = client.get(f"/job-orders/{order_id}/shortlist.pdf", headers=MANAGER)
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages)
    assert "5F0C8E2A" in text
    assert order_id not in text
    assert "2027/01/10" in text  # the date as Japanese readers write it
    assert "溶接" in text
    assert "welding" not in text


def test_a_name_is_never_stored_as_a_formula(client: TestClient) -> None:
    workbook = load_workbook(BytesIO(client.get(XLSX, headers=MANAGER).content))
    sheet = workbook.active
    assert sheet is not None
    types = {cell.value: cell.data_type for row in sheet.iter_rows() for cell in row}
    assert types["""'=HYPERLINK("http://x")"""] == "s"  # text, shown after an apostrophe
    assert not [value for value in types if isinstance(value, str) and value.startswith("=")]


def test_the_pdf_interview_sheet_renders_vietnamese_and_japanese_text(client: TestClient) -> None:
    response = client.get(PDF, headers=EMPLOYER)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    for expected in ("面接シート", "溶接工", "Nguyễn Thị Ánh", "Trần Văn Bình", "Tây Ninh"):
        assert expected in text
    assert "Lê Đức" not in text  # shortlisted, never proposed
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()  # type: ignore[index]
    }
    assert len(fonts) >= 2  # the text font and the Japanese fallback, both embedded


def test_exports_follow_the_shortlist_access_rules(client: TestClient) -> None:
    for path in (XLSX, PDF):
        assert client.get(path, headers=OTHER_EMPLOYER).status_code == 404
        assert client.get(path, headers=CENTRE).status_code == 403
        assert client.get(path).status_code == 401
        assert client.get(path.replace("order-1", "nope"), headers=MANAGER).status_code == 404


def test_a_missing_font_is_a_clear_503(service_client: Any) -> None:
    client: TestClient = service_client(SPEC, pdf_fonts=[Path("/nowhere/font.ttf")])
    applier(client).apply(order_event("order-1"))
    response = client.get(PDF, headers=MANAGER)
    assert response.status_code == 503
    assert "/nowhere/font.ttf" in response.json()["detail"]


def test_a_pdf_is_built_without_fonttools_chatter_in_the_logs(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="fontTools")
    response = client.get(PDF, headers=EMPLOYER)
    assert response.status_code == 200
    chatter = [r for r in caplog.records if r.name.startswith("fontTools")]
    assert chatter == []
    assert logging.getLogger("fontTools").level == logging.INFO  # restored afterwards
