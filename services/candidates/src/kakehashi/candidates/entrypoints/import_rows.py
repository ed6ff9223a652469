"""The import file's columns, and one row to a registration, by the same rules as the API.

A row is turned into the API's registration body (CandidateCreate) and validated by it, so an
import accepts exactly what POST /candidates accepts. Lists are `;`-separated; skills are
`code:level` (e.g. `welding:3;scaffolding:2`). Each Japanese test type of the table has its
columns: `{prefix}_level` or `{prefix}_score`, and `{prefix}_date`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from kakehashi.candidates.adapters.spreadsheets import FileFormat, UnreadableFileError, read_header
from kakehashi.candidates.domain.commands import RegisterCandidate
from kakehashi.candidates.domain.japanese import JapaneseTestKind, japanese_test_kinds
from kakehashi.candidates.entrypoints.convert import register_command
from kakehashi.candidates.entrypoints.schemas import CandidateCreate
from kakehashi.shared.errors import DomainError


def _test_columns(kind: JapaneseTestKind) -> tuple[str, str]:
    """The result's column (level or score, as the test reports) and its date's column."""
    return f"{kind.import_prefix}_{kind.scale.value}", f"{kind.import_prefix}_date"


def _japanese_test_columns() -> dict[str, str]:
    columns = {}
    for kind in japanese_test_kinds().values():
        value, taken_on = _test_columns(kind)
        example = kind.template_example or {}
        columns[value], columns[taken_on] = example.get("value", ""), example.get("date", "")
    return columns


# Column -> example value; the order is the template's.
COLUMNS: dict[str, str] = {
    "full_name": "Nguyen Van An",
    "name_vi": "Nguyễn Văn An",
    "name_katakana": "グエン・ヴァン・アン",
    "date_of_birth": "2000-05-01",
    "sex": "male",
    "province": "Tây Ninh",
    "phone": "+84 912 345 678",
    "email": "an.nguyen@example.vn",
    "passport_number": "C1234567",
    "sector": "construction",
    "japanese_level": "",
    **_japanese_test_columns(),
    "skills": "welding:3;scaffolding:2",
    # The skills tests passed, each as skill:test (a skill of the skills column); a skill with
    # two tests is listed twice: welding:ssw1_construction;welding:ssw2_construction.
    "skills_tests_passed": "welding:ssw1_construction",
    "training_hours": "400",
    "training_cohort": "2026-A",
    "desired_tracks": "ssw1",
    "desired_sectors": "construction",
    "desired_prefectures": "Aichi;Gifu",
    "available_from": "2027-02-01",
    "consent_sharing": "yes",
    "consent_notice_version": "2026-01",
    "consent_language": "vi",
}
# Date of birth is required here (not in the API) so that importing a file twice finds every
# row's person again: passport number or folded name + date of birth is the duplicate rule.
REQUIRED = ("full_name", "date_of_birth", "province", "sector")
# failures.csv puts these in front of the row, so it can be fixed and uploaded again as it is:
# the row's number, the reason as the service words it, and the reason in the reader's language.
FAILURE_COLUMNS = ("row", "reason", "explanation")
_LISTS = ("desired_tracks", "desired_sectors", "desired_prefectures")
_YES, _NO = {"yes", "y", "true", "1", "có", "co"}, {"no", "n", "false", "0", "không", "khong"}
_DIRECT = (
    "full_name", "name_vi", "name_katakana", "date_of_birth", "sex", "province", "phone",
    "email", "passport_number", "sector", "japanese_level", "training_hours", "training_cohort",
    "available_from",
)  # fmt: skip


def check_header(header: list[str]) -> None:
    """DomainError('file', ...) if a required column is missing or a column is unknown."""
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise DomainError("file", f"missing columns: {', '.join(missing)}")
    unknown = [c for c in header if c not in COLUMNS and c not in FAILURE_COLUMNS]
    if unknown:
        raise DomainError("file", f"unknown columns: {', '.join(unknown)}; see the template")
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        raise DomainError("file", f"columns listed more than once: {', '.join(repeated)}")


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _skills(value: str) -> list[dict[str, Any]]:
    skills = []
    for part in _split(value):
        code, sep, level = part.partition(":")
        if not sep or not level.strip().isdigit():
            raise DomainError("skills", f"{part!r} is not code:level, e.g. welding:3")
        skills.append({"code": code.strip(), "level": int(level)})
    return skills


def _skills_tests(skills: list[dict[str, Any]], value: str) -> None:
    """Put the tests of `skills_tests_passed` (`skill:test;…`) on the skills they were passed
    for; DomainError('skills_tests_passed') for a pair that is not skill:test or whose skill is
    not in the skills column."""
    by_code = {skill["code"]: skill for skill in skills}
    for part in _split(value):
        code, sep, test = (text.strip() for text in part.partition(":"))
        if not sep or not code or not test:
            raise DomainError(
                "skills_tests_passed", f"{part!r} is not skill:test, e.g. welding:ssw1_construction"
            )
        if code not in by_code:
            raise DomainError("skills_tests_passed", f"skill {code!r} is not in the skills column")
        passed = by_code[code].setdefault("tests_passed", [])
        if test not in passed:
            passed.append(test)


def _tests(row: Mapping[str, str | None]) -> list[dict[str, Any]]:
    """The results the row holds, one per test type whose result column is filled."""
    tests = []
    for kind in japanese_test_kinds().values():
        value_column, date_column = _test_columns(kind)
        value = row.get(value_column)
        if not value:
            continue
        taken_on = row.get(date_column)
        if not taken_on:
            raise DomainError(date_column, f"required with {value_column}")
        tests.append({"test": kind.code, kind.scale.value: value, "date": taken_on})
    return tests


def _consents(row: Mapping[str, str | None]) -> list[dict[str, Any]]:
    answer = (row.get("consent_sharing") or "no").lower()
    if answer in _NO:
        return []
    if answer not in _YES:
        raise DomainError("consent_sharing", "yes or no")
    for column in ("consent_notice_version", "consent_language"):
        if not row.get(column):
            raise DomainError(column, "required when consent_sharing is yes")
    return [
        {
            "purpose": "matching_in_japan",
            "scope": "share_with_employers_in_japan",
            "notice_version": row["consent_notice_version"],
            "language": (row["consent_language"] or "").lower(),
        }
    ]


def body_of_row(row: Mapping[str, str | None]) -> dict[str, Any]:
    """The registration body a row describes (DomainError for a malformed compound cell)."""
    body: dict[str, Any] = {k: row[k] for k in _DIRECT if row.get(k)}
    for key in _LISTS:
        if row.get(key):
            body[key] = _split(row[key] or "")
    body["skills"] = _skills(row.get("skills") or "")
    _skills_tests(body["skills"], row.get("skills_tests_passed") or "")
    tests = _tests(row)
    if tests:
        body["japanese_tests"] = tests
    body["consents"] = _consents(row)
    return body


def command_of_row(training_centre_id: str, row: Mapping[str, str | None]) -> RegisterCandidate:
    """The registration one row asks for; DomainError naming the column for the first problem."""
    for column in REQUIRED:
        if not row.get(column):
            raise DomainError(column, "required")
    try:
        body = CandidateCreate.model_validate(body_of_row(row))
    except ValidationError as error:
        first = error.errors()[0]
        loc = [str(part) for part in first["loc"]]
        if loc[:1] == ["skills"] and "tests_passed" in loc:
            loc = ["skills_tests_passed"]  # the column the tests came from
        raise DomainError(".".join(loc) or "row", first["msg"]) from None
    return register_command(training_centre_id, body)


def template_rows() -> tuple[list[str], list[list[str]]]:
    """The template's header and its one example row."""
    return list(COLUMNS), [list(COLUMNS.values())]


def checked_format(filename: str, content: bytes) -> FileFormat:
    """The file's format, once its header names the template's columns (DomainError if not)."""
    file_format = FileFormat.of(filename)
    if file_format is None:
        raise DomainError("file", "upload a .csv or .xlsx file")
    try:
        check_header(read_header(content, file_format))
    except UnreadableFileError as error:
        raise DomainError("file", str(error)) from None
    return file_format
