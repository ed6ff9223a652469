"""A new centre's browser trial (second round): an import's result page showed only counts
("Không đăng ký được 1") and the failures file said `sector: Input should be 'nursing_care', …`.
The page now lists the failed rows (the first ones) with their row number, the column by its
label and a sentence in the reader's language, sectors named as the form names them."""

# ruff: noqa: RUF001 (Japanese sentences are written with full-width punctuation)
from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient

from kakehashi.candidates.entrypoints.import_rows import COLUMNS
from kakehashi.candidates.entrypoints.portal import import_reasons
from kakehashi.candidates.entrypoints.portal.rendering import translations
from services.candidates.tests.samples import CENTRE
from services.candidates.tests.test_portal import _csv, sign_in, upload

pytestmark = pytest.mark.integration


def _problems(page: str) -> list[tuple[str, str, str]]:
    """The explained rows: (row, column cell, why cell) as the reader sees them."""
    table = page.split('id="problems"')[1].split("</table>")[0]
    rows = []
    for row in re.findall(r"<tr data-row=.*?</tr>", table, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        rows.append(tuple(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in cells))
    return rows  # type: ignore[return-value]


def test_the_result_page_says_why_each_row_failed_in_the_readers_language(
    client: TestClient,
) -> None:
    sign_in(client)
    people = [
        {"full_name": "Le Van Mot", "passport_number": "D2000001"},
        {"full_name": "Le Van Hai", "passport_number": "D2000002", "sector": "xyz"},
        {"full_name": "Le Van Ba", "passport_number": "D2000003", "date_of_birth": "01/05/2000"},
        {"full_name": "Le Van Mot", "passport_number": "D2000001"},  # row 2 again
        {"full_name": "Le Van Bon", "passport_number": "D2000004", "skills": "welding=3"},
    ]
    job_url = upload(client, _csv(*people)).headers["location"]
    page = client.get(f"{job_url}?lang=vi").text
    problems = _problems(page)
    assert [row for row, _, _ in problems] == ["3", "4", "5", "6"]
    by_row = {row: (column, why) for row, column, why in problems}
    column, why = by_row["3"]
    assert column.startswith("Ngành")
    assert why.startswith("Ngành nghề không hợp lệ: “xyz”. Chọn một trong: Điều dưỡng, ")
    assert "Xây dựng" in why
    assert "nursing_care" not in why
    assert "Input should be" not in page
    assert "Ngày sinh" in by_row["4"][0]
    assert "2000-05-01" in by_row["4"][1]  # how to write the date
    assert by_row["5"][1] == "Cùng một người đã có ở một dòng trước trong tệp này."
    assert "welding:3" in by_row["6"][1]
    # The same page in Japanese.
    ja = {row: why for row, _, why in _problems(client.get(f"{job_url}?lang=ja").text)}
    assert ja["3"].startswith("分野が正しくありません：“xyz”。次から選んでください：介護, ")


def test_only_the_first_rows_are_explained_on_the_page(client: TestClient) -> None:
    sign_in(client)
    people = [
        {"full_name": f"Le Van So {n}", "passport_number": f"D30000{n:02d}", "sector": "xyz"}
        for n in range(import_reasons.SHOWN_ON_PAGE + 5)
    ]
    job_url = upload(client, _csv(*people)).headers["location"]
    page = client.get(f"{job_url}?lang=en").text
    assert len(_problems(page)) == import_reasons.SHOWN_ON_PAGE
    assert f"The first {import_reasons.SHOWN_ON_PAGE} of {len(people)} rows" in page


@pytest.mark.parametrize(
    ("reason", "data", "expected"),
    [
        ("sex: Input should be 'female', 'male' or 'other'", {"sex": "nu"},
         "Not an accepted value: “nu”. Write one of: female, male, other."),
        ("full_name: required", {}, "Required: this column cannot be empty."),
        ("training_hours: Input should be a valid integer, unable to parse string", {"training_hours": "abc"},
         "Not a whole number: “abc”."),
        ("province: unknown Vietnamese province 'Atlantis'", {"province": "Atlantis"},
         "Unknown province: “Atlantis”. Write one of the 34 provinces in force since the 2025 merger, e.g. Tây Ninh."),
        ("date_of_birth: younger than 15 (14 today); check the date", {},
         "Too young to register: 14 years old today (at least 15). Check the date."),
        ("consent_sharing: yes or no", {}, "Write yes or no (có or không)."),
        ("japanese_tests.0.score: JFT-Basic results need a score (10-250)", {},
         "Not accepted: JFT-Basic results need a score (10-250)"),
    ],
)  # fmt: skip
def test_each_kind_of_reason_is_said_in_words(
    reason: str, data: dict[str, str], expected: str
) -> None:
    explained = import_reasons.explain_reason(reason, data, translations("en").gettext)
    assert explained.message == expected


def test_the_failures_file_keeps_its_columns_and_explains_in_the_readers_language(
    client: TestClient,
) -> None:
    sign_in(client)
    bad = {"full_name": "Le Van Nam", "passport_number": "D4000001", "sector": "xyz"}
    job_url = upload(client, _csv(bad)).headers["location"]
    client.get(f"{job_url}?lang=vi")  # the reader's language, remembered as the pages do
    file = client.get(f"{job_url}/failures.csv?lang=vi").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(file)))
    header = file.splitlines()[0].split(",")
    assert header[:3] == ["row", "reason", "explanation"]
    assert header[3:] == list(COLUMNS)  # the template's columns, as before
    (row,) = rows
    assert row["row"] == "2"
    assert row["reason"].startswith("sector: Input should be 'nursing_care'")  # for programs
    assert row["explanation"].startswith("Ngành: Ngành nghề không hợp lệ: “xyz”. Chọn một trong:")
    # The API's file explains in the language asked for, else the token's, else English.
    api = client.get(f"{job_url.removeprefix('/portal')}/failures.csv", headers=CENTRE)
    english = next(csv.DictReader(io.StringIO(api.content.decode("utf-8-sig"))))
    assert english["explanation"].startswith("Sector: Sector not valid: “xyz”. Choose one of:")
    ja = client.get(
        f"{job_url.removeprefix('/portal')}/failures.csv", params={"language": "ja"}, headers=CENTRE
    )
    assert "分野が正しくありません" in ja.content.decode("utf-8-sig")
    # Fixed in place, the file is uploaded again as it is.
    fixed = file.replace(",xyz,", ",construction,")
    again = upload(client, fixed.encode("utf-8"))
    assert again.status_code == 303, again.text
    done = client.get(again.headers["location"], headers={"HX-Request": "true"}).text
    assert 'id="created">1<' in done
