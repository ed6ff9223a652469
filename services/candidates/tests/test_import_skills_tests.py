"""A new centre's browser trial (second round): the import template had no way to give the skills
tests a person passed (skills were only `welding:3;scaffolding:2`). The `skills_tests_passed`
column gives them per skill (`welding:ssw1_construction`), as the form's ticked tests do."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from kakehashi.candidates.entrypoints.import_rows import COLUMNS, body_of_row, check_header
from kakehashi.shared.errors import DomainError
from services.candidates.tests.samples import CENTRE
from services.candidates.tests.test_portal import _csv, sign_in, upload

pytestmark = pytest.mark.integration


def test_the_template_has_the_column_and_an_older_file_without_it_still_reads() -> None:
    assert "skills_tests_passed" in COLUMNS
    assert COLUMNS["skills_tests_passed"] == "welding:ssw1_construction"
    check_header([c for c in COLUMNS if c != "skills_tests_passed"])


def test_tests_are_put_on_the_skills_they_were_passed_for() -> None:
    row = {
        "skills": "welding:3;scaffolding:2",
        "skills_tests_passed": "welding:ssw1_construction; welding:ssw2_construction;"
        "scaffolding:ssw1_construction;welding:ssw1_construction",
    }
    assert body_of_row(row)["skills"] == [
        {"code": "welding", "level": 3, "tests_passed": ["ssw1_construction", "ssw2_construction"]},
        {"code": "scaffolding", "level": 2, "tests_passed": ["ssw1_construction"]},
    ]
    for wrong in ("welding", "formwork:ssw1_construction", ":ssw1_construction"):
        with pytest.raises(DomainError) as error:
            body_of_row(row | {"skills_tests_passed": wrong})
        assert error.value.field == "skills_tests_passed"


def _candidate(client: TestClient, name: str) -> dict[str, object]:
    listed = client.get("/candidates", params={"q": name}, headers=CENTRE).json()["items"]
    found = [c for c in listed if c["full_name"] == name]
    assert len(found) == 1, listed
    detail: dict[str, object] = client.get(f"/candidates/{found[0]['id']}", headers=CENTRE).json()
    return detail


def test_an_imported_skills_test_counts_for_eligibility_and_a_bad_one_is_explained(
    client: TestClient,
) -> None:
    sign_in(client)
    passed = {
        "full_name": "Le Van Thi",
        "passport_number": "D5000001",
        "skills": "welding:3",
        "skills_tests_passed": "welding:ssw1_construction",
    }
    untested = {"full_name": "Le Van Chua", "passport_number": "D5000002", "skills": "welding:3",
                "skills_tests_passed": ""}  # fmt: skip
    unlisted = {"full_name": "Le Van Sai", "passport_number": "D5000003", "skills": "welding:3",
                "skills_tests_passed": "formwork:ssw1_construction"}  # fmt: skip
    job_url = upload(client, _csv(passed, untested, unlisted)).headers["location"]
    with_test = _candidate(client, "Le Van Thi")
    assert with_test["skills"] == [
        {"code": "welding", "level": 3, "tests_passed": ["ssw1_construction"]}
    ]
    ssw1 = {e["track"]: e for e in with_test["eligibility"]}["ssw1"]  # type: ignore[attr-defined]
    without = _candidate(client, "Le Van Chua")
    ssw1_without = {e["track"]: e for e in without["eligibility"]}["ssw1"]  # type: ignore[attr-defined]
    assert any("ssw1_construction passed" in r for r in ssw1["reasons"])
    assert any("ssw1_construction not passed" in r for r in ssw1_without["reasons"])
    page = client.get(f"{job_url}?lang=vi").text
    assert "Kỹ năng formwork không có trong cột skills" in page
    failures = client.get(f"{job_url}/failures.csv?lang=vi").content.decode("utf-8-sig")
    (row,) = list(csv.DictReader(io.StringIO(failures)))
    assert row["row"] == "4"
    assert row["skills_tests_passed"] == "formwork:ssw1_construction"
    assert row["explanation"].startswith("Kỳ thi kỹ năng đã đỗ: Kỹ năng formwork")
