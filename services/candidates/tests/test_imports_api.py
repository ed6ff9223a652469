"""Bulk import over HTTP: templates, a job's counters, failed rows, no duplicates on re-upload."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from fastapi.testclient import TestClient
from httpx import Response

from conftest import outbox_events
from services.candidates.tests.samples import CENTRE, EMPLOYER, MANAGER, OTHER_CENTRE, Headers

pytestmark = pytest.mark.integration


HEADER = "full_name,name_vi,date_of_birth,province,sector,jlpt_level,jlpt_date,skills,consent_sharing,consent_notice_version,consent_language"  # fmt: skip
ROWS = [
    "Nguyen Van An,Nguyễn Văn An,2000-05-01,Tây Ninh,construction,N4,2025-12-07,welding:3;scaffolding:2,yes,2026-01,vi",
    "Tran Thi Binh,Trần Thị Bình,1998-11-02,Nghệ An,agriculture,,,,no,,",
    "Le Van Cuong,,2001-01-01,Tây Ninh,mining,,,,no,,",  # not a sector
    "Pham Van Dung,,2012-01-01,Tây Ninh,construction,,,,no,,",  # too young
    "Hoang Thi Lan,,1999-03-03,Tây Ninh,construction,N4,,,no,,",  # a JLPT level without its date
    "Vo Van Em,,1997-07-07,Tây Ninh,construction,,,welding:three,no,,",
    "NGUYEN VAN AN,,2000-05-01,Tây Ninh,construction,,,,yes,2026-01,vi",  # An again, in the file
]  # fmt: skip


def _csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def _upload(
    client: TestClient, content: bytes, name: str = "c.csv", headers: Headers = CENTRE
) -> Response:
    files = {"file": (name, content, "text/csv")}
    response: Response = client.post("/imports", files=files, headers=headers)
    return response


def test_valid_rows_are_saved_and_failed_rows_come_back_with_reasons(client: TestClient) -> None:
    response = _upload(client, _csv(*ROWS))
    assert response.status_code == 202, response.text
    job = client.get(f"/imports/{response.json()['id']}", headers=CENTRE).json()
    assert (job["status"], job["total"], job["processed"]) == ("done", 7, 7)
    assert (job["created"], job["duplicates"], job["failed"]) == (2, 1, 4)
    failures = client.get(f"/imports/{job['id']}/failures.csv", headers=CENTRE)
    assert failures.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(failures.content.decode("utf-8-sig"))))
    reasons = {int(r["row"]): r["reason"] for r in rows}
    assert sorted(reasons) == [4, 5, 6, 7, 8]
    assert reasons[4].startswith("sector")
    assert reasons[5].startswith("date_of_birth")
    assert reasons[6].startswith("jlpt_date")
    assert reasons[7].startswith("skills")
    assert reasons[8].startswith("already registered")
    assert rows[0]["full_name"] == "Le Van Cuong"  # the row itself, to fix and upload again
    # Only the consenting candidate is published; both are searchable by the centre.
    [event] = outbox_events(client)
    assert (event["type"], event["data"]["full_name"]) == ("candidate.registered", "Nguyen Van An")
    assert client.get("/candidates", headers=CENTRE).json()["total"] == 2


def test_the_same_file_twice_creates_no_duplicates(client: TestClient) -> None:
    _upload(client, _csv(*ROWS[:2]))
    again = _upload(client, _csv(*ROWS[:2])).json()
    job = client.get(f"/imports/{again['id']}", headers=CENTRE).json()
    assert (job["created"], job["duplicates"], job["failed"], job["status"]) == (0, 2, 0, "done")
    failures = client.get(f"/imports/{again['id']}/failures.csv", headers=CENTRE).content
    assert failures.decode("utf-8-sig").count("already registered (candidate ") == 2
    assert client.get("/candidates", headers=CENTRE).json()["total"] == 2
    # At another centre the person is reported without revealing the record.
    other = _upload(client, _csv(ROWS[0]), headers=OTHER_CENTRE).json()
    text = client.get(f"/imports/{other['id']}/failures.csv", headers=OTHER_CENTRE).text
    assert "already registered at another training centre" in text


def test_the_templates_import_as_they_are(client: TestClient) -> None:
    csv_template = client.get("/imports/template.csv")
    assert csv_template.status_code == 200
    xlsx_template = client.get("/imports/template.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_template.content)).active
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["full_name", "name_vi", "name_katakana", "date_of_birth"]
    job = _upload(client, xlsx_template.content, "filled.xlsx").json()
    assert client.get(f"/imports/{job['id']}", headers=CENTRE).json()["created"] == 1
    job = _upload(client, csv_template.content).json()  # the same example person
    assert client.get(f"/imports/{job['id']}", headers=CENTRE).json()["duplicates"] == 1
    [event] = outbox_events(client)
    assert event["data"]["skills"] == [
        {"code": "welding", "level": 3, "tests_passed": ["ssw1_construction"]},
        {"code": "scaffolding", "level": 2, "tests_passed": []},
    ]


def test_bad_files_are_refused_before_a_job_starts(client: TestClient) -> None:
    for content, name in [
        (b"fullname,sector\nAn,construction\n", "c.csv"),  # unknown and missing columns
        (b"not a workbook", "c.xlsx"),
        (_csv(*ROWS), "c.txt"),
    ]:
        response = _upload(client, content, name)
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["loc"][-1] == "file"


def test_imports_are_the_centres_own(client: TestClient) -> None:
    job = _upload(client, _csv(ROWS[0])).json()
    for url in (f"/imports/{job['id']}", f"/imports/{job['id']}/failures.csv"):
        assert client.get(url, headers=OTHER_CENTRE).status_code == 404
        assert client.get(url, headers=EMPLOYER).status_code == 403
        assert client.get(url, headers=MANAGER).status_code == 200
    assert _upload(client, _csv(ROWS[0]), headers=EMPLOYER).status_code == 403
    assert _upload(client, _csv(ROWS[0]), headers=MANAGER).status_code == 403
    audit = client.get("/audit", headers=MANAGER).json()["items"]
    assert [(e["action"], e["subject"]) for e in audit] == [("import", "user@tc-tay-ninh")]


def test_failures_csv_writes_formulas_back_as_text(client: TestClient) -> None:
    """What a file carried (`=HYPERLINK(…)`, `@SUM`, `=cmd|…`) comes back inert (OWASP)."""
    hostile = (
        '"=HYPERLINK(""http://evil.example"",""fix"")",@SUM(A1),2000-05-01,Tây Ninh,mining,,,,no,,'
    )
    job = _upload(client, _csv(hostile)).json()
    failures = client.get(f"/imports/{job['id']}/failures.csv", headers=CENTRE)
    rows = list(csv.DictReader(io.StringIO(failures.content.decode("utf-8-sig"))))
    assert rows[0]["full_name"] == '\'=HYPERLINK("http://evil.example","fix")'
    assert rows[0]["name_vi"] == "'@SUM(A1)"
