"""The import file's columns, and one row to a registration, by the same rules as the API.

A row is turned into the API's registration body (CandidateCreate) and validated by it, so an
import accepts exactly what POST /candidates accepts. Lists are `;`-separated; skills are
`code:level` (e.g. `welding:3;scaffolding:2`). Each Japanese test type of the table has its
columns: `{prefix}_level` or `{prefix}_score`, and `{prefix}_date`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from pydantic import ValidationError

from kakehashi.candidates.adapters.spreadsheets import FileFormat, UnreadableFileError, read_header
from kakehashi.candidates.domain.commands import RegisterCandidate
from kakehashi.candidates.domain.japanese import JapaneseTestKind, japanese_test_kinds
from kakehashi.candidates.domain.provinces import resolve_province
from kakehashi.candidates.domain.validation import check_age
from kakehashi.candidates.entrypoints.convert import register_command
from kakehashi.candidates.entrypoints.schemas import CandidateCreate
from kakehashi.candidates.service_layer.import_preparation import RowProblemsError
from kakehashi.shared.clock import today
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
_ORDER = {column: i for i, column in enumerate(COLUMNS)}
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


Problems = list[tuple[str, str]]


def _collect(problems: Problems, read: Callable[[], Any], default: Any) -> Any:
    """`read()`, or `default` once its DomainError is added to `problems`."""
    try:
        return read()
    except DomainError as error:
        problems.append((error.field, error.message))
        return default


def _tests_and_problems(row: Mapping[str, str | None]) -> tuple[list[dict[str, Any]], Problems]:
    """The results the row holds, one per test type whose result column is filled (a result
    without its date is kept, so its value is checked too), and the dates missing."""
    tests, problems = [], []
    for kind in japanese_test_kinds().values():
        value_column, date_column = _test_columns(kind)
        value = row.get(value_column)
        if not value:
            continue
        test = {"test": kind.code, kind.scale.value: value}
        taken_on = row.get(date_column)
        if taken_on:
            test["date"] = taken_on
        else:
            problems.append((date_column, f"required with {value_column}"))
        tests.append(test)
    return tests, problems


def _body_and_problems(row: Mapping[str, str | None]) -> tuple[dict[str, Any], Problems]:
    """The registration body a row describes, without the compound cells that are malformed,
    and the problems of those cells (each named by its column)."""
    problems: Problems = []
    body: dict[str, Any] = {k: row[k] for k in _DIRECT if row.get(k)}
    for key in _LISTS:
        if row.get(key):
            body[key] = _split(row[key] or "")
    before = len(problems)
    body["skills"] = _collect(problems, lambda: _skills(row.get("skills") or ""), [])
    tests_passed = row.get("skills_tests_passed") or ""
    if len(problems) == before:  # their tests are checked against well-formed skills only
        _collect(problems, lambda: _skills_tests(body["skills"], tests_passed), None)
    tests, missing_dates = _tests_and_problems(row)
    problems += missing_dates
    if tests:
        body["japanese_tests"] = tests
    body["consents"] = _collect(problems, lambda: _consents(row), [])
    return body, problems


def body_of_row(row: Mapping[str, str | None]) -> dict[str, Any]:
    """The registration body a row describes (DomainError for a malformed compound cell)."""
    body, problems = _body_and_problems(row)
    if problems:
        raise DomainError(*problems[0])
    return body


def _column_of(loc: list[str], body: Mapping[str, Any]) -> str:
    """The file's column a validation error's location names."""
    if loc[:1] == ["skills"] and "tests_passed" in loc:
        return "skills_tests_passed"  # the column the tests came from
    if loc[:1] == ["japanese_tests"] and len(loc) >= 3 and loc[1].isdigit():
        tests = body.get("japanese_tests") or []
        kind = (
            japanese_test_kinds().get(tests[int(loc[1])]["test"])
            if int(loc[1]) < len(tests)
            else None
        )
        if kind is not None:
            value_column, date_column = _test_columns(kind)
            return date_column if loc[2] == "date" else value_column
    return ".".join(loc) or "row"


def _cell_problems(row: Mapping[str, str | None], named: set[str]) -> Problems:
    """The registration's own rules on single cells (the province is one, the birth date a
    possible age), checked here too so that a row's refusal names them with the others; the
    registration checks them again."""
    problems: Problems = []
    on = today()
    if "province" not in named:
        _collect(problems, lambda: resolve_province(row.get("province"), None, on), None)
    birth = row.get("date_of_birth") or ""
    if "date_of_birth" not in named:
        try:
            born = date.fromisoformat(birth)
        except ValueError:
            return problems  # the validation names it
        _collect(problems, lambda: check_age(born, None, on), None)
    return problems


def _in_file_order(problem: tuple[str, str]) -> int:
    column = problem[0].split(".")[0]
    return _ORDER.get(column, len(_ORDER))


def command_of_row(training_centre_id: str, row: Mapping[str, str | None]) -> RegisterCandidate:
    """The registration one row asks for; RowProblemsError naming every column whose value the
    registration refuses (required, malformed or invalid), each once."""
    problems: Problems = [(column, "required") for column in REQUIRED if not row.get(column)]
    body, compound = _body_and_problems(row)
    problems += compound
    try:
        valid = CandidateCreate.model_validate(body)
    except ValidationError as error:
        named = {field.split(".")[0] for field, _ in problems}
        for found in error.errors():
            column = _column_of([str(part) for part in found["loc"]], body)
            if column.split(".")[0] not in named:
                problems.append((column, found["msg"]))
        valid = None
    if problems or valid is None:  # the registration's checks would name one at a time
        problems += _cell_problems(row, {field.split(".")[0] for field, _ in problems})
        raise RowProblemsError(sorted(problems, key=_in_file_order))
    return register_command(training_centre_id, valid)


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
