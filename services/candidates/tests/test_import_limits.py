"""Uploaded files are bounded before any row is registered: rows (blank ones too), characters per
cell, what an XLSX unpacks to and its shared-string table. Each excess is a 422 naming the file
and the limit, at upload; no job is left queued; the failures file is capped; one import runs
at a time per centre."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable

import openpyxl
import pytest
from fastapi.testclient import TestClient
from httpx import Response

from kakehashi.candidates.adapters.spreadsheets import FileFormat
from kakehashi.candidates.bootstrap import SPEC
from kakehashi.candidates.entrypoints.import_rows import COLUMNS
from kakehashi.candidates.service_layer import imports
from services.candidates.tests.samples import CENTRE
from services.candidates.tests.test_imports_api import HEADER, _csv

pytestmark = pytest.mark.integration


def _upload(client: TestClient, content: bytes, name: str) -> Response:
    kind = "text/csv" if name.endswith(".csv") else "application/octet-stream"
    response: Response = client.post(
        "/imports", files={"file": (name, content, kind)}, headers=CENTRE
    )
    return response


def _xlsx(rows: list[list[str]], blank_rows: int = 0) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("candidates")
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(row)
    for _ in range(blank_rows):
        sheet.append([None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _with_shared_strings(workbook: bytes, size: int) -> bytes:
    """`workbook` with a shared-string table of `size` bytes, as Excel writes texts (openpyxl
    writes them inline)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(out, "w") as copy:
        for member in source.infolist():
            copy.writestr(member, source.read(member))
        table = "<si><t>" + "x" * size + "</t></si>"
        copy.writestr("xl/sharedStrings.xml", f'<sst count="1" uniqueCount="1">{table}</sst>')
    return out.getvalue()


def _refused(response: Response, words: str) -> None:
    assert response.status_code == 422, response.text
    detail = response.json()["detail"][0]
    assert detail["loc"][-1] == "file"
    assert words in detail["msg"], detail["msg"]


def test_a_cell_over_the_limit_is_refused_with_its_row_not_left_queued(
    client: TestClient,
) -> None:
    huge = "A" * 200_000  # over Python's csv default of 128 KiB too
    _refused(
        _upload(client, _csv(f"{huge},,2000-01-01,Tây Ninh,construction,,,,no,,"), "c.csv"), "row 2"
    )
    _refused(_upload(client, (huge + "\n").encode(), "h.csv"), "row 1")
    assert client.get("/imports", headers=CENTRE).status_code in (404, 405)  # no job listing
    long_name = "B" * 5_000  # under csv's limit, over the profile's
    _refused(
        _upload(client, _csv(f"{long_name},,2000-01-01,Tây Ninh,construction,,,,no,,"), "l.csv"),
        "5,000" if False else "4,096",
    )


def test_too_many_rows_blank_ones_included_are_refused_before_parsing(
    service_client: Callable[..., TestClient],
) -> None:
    client = service_client(SPEC, import_max_rows=100)
    _refused(_upload(client, _xlsx([], blank_rows=5_000), "blank.xlsx"), "more than 100 rows")
    rows = "\n".join("Nguyen Van An,,2000-01-01,Tây Ninh,construction,,,,no,," for _ in range(101))
    _refused(_upload(client, _csv(rows), "many.csv"), "more than 100 rows")
    assert _upload(client, _csv(*rows.split("\n")[:99]), "fine.csv").status_code == 202


def test_a_workbook_that_unpacks_too_large_or_with_a_huge_text_table_is_refused(
    service_client: Callable[..., TestClient],
) -> None:
    workbook = _with_shared_strings(_xlsx([["Nguyen Van An", "", "2000-01-01"]]), 50_000)
    strings = service_client(SPEC, import_max_shared_strings_bytes=10_000)
    _refused(_upload(strings, workbook, "s.xlsx"), "text table")
    unpacked = service_client(SPEC, import_max_uncompressed_bytes=20_000)
    _refused(_upload(unpacked, workbook, "u.xlsx"), "unpacks to")


def test_the_failures_file_lists_the_first_failures_and_counts_the_rest(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "MAX_LISTED_FAILURES", 5)
    broken = [f"Person {i},,2000-01-01,Tây Ninh,mining,,,,no,," for i in range(12)]
    job = _upload(client, _csv(*broken), "broken.csv").json()
    assert client.get(f"/imports/{job['id']}", headers=CENTRE).json()["failed"] == 12
    answer = client.get(f"/imports/{job['id']}/failures.csv", headers=CENTRE)
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:6]] == ["2", "3", "4", "5", "6"]
    assert rows[6][:2] == ["", "7 more rows failed and are not listed: fix these first"]
    assert len(rows) == 7


def test_one_import_at_a_time_per_centre(client: TestClient) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    principal = client.app.state.token_verifier.verify(  # type: ignore[attr-defined]
        CENTRE["Authorization"].removeprefix("Bearer ")
    )
    content = _csv("Nguyen Van An,,2000-01-01,Tây Ninh,construction,,,,no,,")
    queued = imports.create_job(runtime.uow(), principal, "a.csv", FileFormat.CSV, content)
    second = _upload(client, content, "b.csv")
    assert second.status_code == 409, second.text
    assert queued.id in second.json()["detail"]
    assert HEADER  # the template's header the files above are written with
