"""Why an imported row was not registered, in the reader's language: the column it names (by
its label), what was typed there, and a sentence that says what to write instead — never a
validator's English with internal codes ("sector: Input should be 'nursing_care', …").

The import stores each failure's reason as the service wrote it (`<path>: <message>`, the
`reason` column of failures.csv, kept for programs that read it); the page and the failures
file's `explanation` column read it here. A reason no pattern reads is shown as written, marked
as refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kakehashi.candidates.entrypoints.portal import forms, labels
from kakehashi.candidates.entrypoints.portal.labels import N_
from kakehashi.candidates.entrypoints.portal.rendering import translations
from kakehashi.candidates.service_layer.import_duplicates import ALREADY_REGISTERED
from kakehashi.candidates.service_layer.import_preparation import REASON_SEPARATOR

Gettext = Callable[[str], str]
SHOWN_ON_PAGE = 20  # the first failed rows the result page explains; the file has them all

# What the file's columns are called on the form (those not on the form have their own name).
COLUMN_LABELS = {
    "full_name": N_("Name as in the passport"),
    "name_vi": N_("Vietnamese name"),
    "name_katakana": N_("Name in katakana"),
    "date_of_birth": N_("Date of birth"),
    "sex": N_("Sex"),
    "province": N_("Province"),
    "phone": N_("Phone"),
    "email": N_("Email"),
    "passport_number": N_("Passport number"),
    "sector": N_("Sector"),
    "japanese_level": N_("Japanese level (declared)"),
    "japanese_tests": N_("Japanese tests"),
    "skills": N_("Trade skills"),
    "skills_tests_passed": N_("Skills tests passed"),
    "training_hours": N_("Training hours"),
    "training_cohort": N_("Training cohort"),
    "desired_tracks": N_("Desired tracks"),
    "desired_sectors": N_("Desired sectors"),
    "desired_prefectures": N_("Desired prefectures"),
    "available_from": N_("Available from"),
    "consent_sharing": N_("Consent to share"),
    "consents": N_("Consent to share"),
    "consent_notice_version": N_("Consent notice version"),
    "consent_language": N_("Consent language"),
}
WHOLE_ROW = N_("the whole row")
# Columns whose values are sectors: their choices are named, not listed as codes.
SECTOR_COLUMNS = frozenset({"sector", "desired_sectors"})

NOT_A_SECTOR = N_("Sector not valid: %(value)s. Choose one of: %(choices)s.")
NOT_A_CHOICE = N_("Not an accepted value: %(value)s. Write one of: %(choices)s.")
REQUIRED = N_("Required: this column cannot be empty.")
NOT_A_DATE = N_("Not a date: %(value)s. Write it as year-month-day, e.g. 2000-05-01.")
NOT_A_NUMBER = N_("Not a whole number: %(value)s.")
AT_LEAST = N_("Too small: %(value)s (at least %(limit)s).")
AT_MOST = N_("Too large: %(value)s (at most %(limit)s).")
TOO_LONG = N_("Too long: at most %(limit)s characters.")
NOT_AN_EMAIL = N_("Not an email address: %(value)s.")
UNKNOWN_PROVINCE = N_(
    "Unknown province: %(value)s. Write one of the 34 provinces in force since the 2025 "
    "merger, e.g. Tây Ninh."
)
BAD_SKILL = N_(
    "Write each skill as code:level (level 1 to 5), separated by semicolons, e.g. "
    "welding:3;scaffolding:2. %(value)s is not."
)
BAD_SKILL_TEST = N_(
    "Write each skill's tests as skill:test, separated by semicolons, e.g. "
    "welding:ssw1_construction. %(value)s is not."
)
LISTED_TWICE = N_("Listed more than once: %(items)s.")
NOT_PREFECTURES = N_(
    "Not Japanese prefectures: %(items)s. Write them in Latin letters, e.g. Aichi;Gifu."
)
SKILL_NOT_LISTED = N_(
    "The skill %(skill)s is not in the skills column: list it there with its level "
    "(e.g. %(skill)s:3), then its tests here."
)
NOT_THE_FORMAT = N_("Not in the expected format: %(value)s.")
YES_OR_NO = N_("Write yes or no (có or không).")
REQUIRED_WITH = N_("Required with the column %(column)s.")
REQUIRED_WHEN_SHARING = N_("Required when consent_sharing is yes.")
DUPLICATE_HERE = N_(
    "Already registered at your centre (same passport number, or same name and date of birth)."
)
DUPLICATE_IN_FILE = N_("The same person is on an earlier row of this file.")
DUPLICATE_ELSEWHERE = N_("Already registered at another training centre.")


@dataclass(frozen=True)
class RowProblem:
    """One failed row, explained: its number in the file, the column, and why."""

    row: int
    column: str  # the file's column ("" for the whole row)
    field: str  # the column's name in the reader's language
    message: str  # the reason in the reader's language
    duplicate: bool
    candidate_id: str | None = None  # the record it duplicates, when the reader may see it


def _column(path: str) -> str:
    """The file's column a reason's path names (`skills.0.code` -> `skills`)."""
    first = re.split(r"[.\[]", path, maxsplit=1)[0]
    if first.startswith("consents"):
        return "consent_sharing"
    return first


def _quoted(value: object) -> str:
    text = str(value or "").strip()
    return f"“{text}”" if text else "“”"


def _choices(column: str, message: str, gettext: Gettext) -> str:
    codes = re.findall(r"'([^']*)'", message)
    if column in SECTOR_COLUMNS:
        return ", ".join(gettext(labels.SECTORS[c]) if c in labels.SECTORS else c for c in codes)
    return ", ".join(codes)


# (pattern of the service's English message, how to say it); `named` gives the values.
_Rule = tuple[re.Pattern[str], Callable[[re.Match[str], str, Any, Gettext], str]]


def _rules() -> tuple[_Rule, ...]:
    def say(template: str, **extra: Callable[[re.Match[str]], str]) -> Any:
        def render(found: re.Match[str], column: str, value: Any, gettext: Gettext) -> str:
            named = {"value": _quoted(value), "column": column} | found.groupdict()
            named |= {key: make(found) for key, make in extra.items()}
            return gettext(template) % named

        return render

    def choice(found: re.Match[str], column: str, value: Any, gettext: Gettext) -> str:
        template = NOT_A_SECTOR if column in SECTOR_COLUMNS else NOT_A_CHOICE
        shown = {"value": _quoted(value), "choices": _choices(column, found.string, gettext)}
        return gettext(template) % shown

    return (
        (re.compile(r"^Input should be '"), choice),
        (re.compile(r"^(required|Field required)$"), say(REQUIRED)),
        (re.compile(r"^Input should be a valid date"), say(NOT_A_DATE)),
        (re.compile(r"^Input should be a valid integer"), say(NOT_A_NUMBER)),
        (re.compile(r"^Input should be greater than or equal to (?P<limit>\S+)"), say(AT_LEAST)),
        (re.compile(r"^Input should be less than or equal to (?P<limit>\S+)"), say(AT_MOST)),
        (re.compile(r"^String should have at most (?P<limit>\d+) char"), say(TOO_LONG)),
        (re.compile(r"email address"), say(NOT_AN_EMAIL)),
        (
            re.compile(r"^unknown Vietnamese province|^give the province's name"),
            say(UNKNOWN_PROVINCE),
        ),
        (re.compile(r"^listed more than once: (?P<items>.+)$"), say(LISTED_TWICE)),
        (re.compile(r"^not Japanese prefectures: (?P<items>.+)$"), say(NOT_PREFECTURES)),
        (re.compile(r"is not code:level"), say(BAD_SKILL)),
        (re.compile(r"is not skill:test"), say(BAD_SKILL_TEST)),
        (
            re.compile(r"^skill '(?P<skill>[^']*)' is not in the skills column$"),
            say(SKILL_NOT_LISTED),
        ),
        (re.compile(r"^String should match pattern"), say(NOT_THE_FORMAT)),
        (re.compile(r"^yes or no$"), say(YES_OR_NO)),
        (re.compile(r"^required when consent_sharing is yes$"), say(REQUIRED_WHEN_SHARING)),
        (re.compile(r"^required with (?P<column>\S+)$"), say(REQUIRED_WITH)),
    )


RULES = _rules()


def _duplicate(reason: str, gettext: Gettext) -> tuple[str, str | None]:
    """A duplicate's sentence and the record it names (when the reader may open it)."""
    found = re.search(
        r"\(candidate (?P<id>[0-9a-f-]{36})(?P<here>, earlier in this file)?\)", reason
    )
    if found is None:
        return gettext(DUPLICATE_ELSEWHERE), None
    if found.group("here"):
        return gettext(DUPLICATE_IN_FILE), None
    return gettext(DUPLICATE_HERE), found.group("id")


def explain_reason(
    reason: str, data: Mapping[str, Any], gettext: Gettext, *, duplicate: bool = False, row: int = 0
) -> RowProblem:
    """One failure's reason (`<path>: <message>` or a duplicate's) in the reader's language."""
    if duplicate or reason.startswith(ALREADY_REGISTERED):
        message, candidate_id = _duplicate(reason, gettext)
        return RowProblem(row, "", gettext(WHOLE_ROW), message, True, candidate_id)
    path, sep, text = reason.partition(": ")
    if not sep:
        path, text = "", reason
    column = _column(path)
    field = gettext(COLUMN_LABELS[column]) if column in COLUMN_LABELS else column
    value = data.get(column, "")
    if column == "date_of_birth":
        for pattern, template in forms.BIRTH_REFUSALS:
            found = pattern.match(text)
            if found is not None:
                return RowProblem(row, column, field, gettext(template) % found.groupdict(), False)
    for pattern, render in RULES:
        found = pattern.search(text)
        if found is not None:
            return RowProblem(row, column, field, render(found, column, value, gettext), False)
    return RowProblem(
        row, column, field or gettext(WHOLE_ROW), gettext(forms.REFUSED) % {"reason": text}, False
    )


# Between two problems of one reason: the separator, then the next one's `<path>: `.
_NEXT_PROBLEM = re.compile(re.escape(REASON_SEPARATOR) + r"(?=[A-Za-z_][\w.\[\]]*: )")


def reasons_of(reason: str) -> list[str]:
    """The problems a stored reason joins (`<path>: <message>` each), in order."""
    return [part for part in _NEXT_PROBLEM.split(reason) if part]


def explain_all(failure: Any, gettext: Gettext) -> list[RowProblem]:
    """An `ImportFailure` row explained: one line per problem it holds."""
    if failure.duplicate:
        return [explain(failure, gettext)]
    return [
        explain_reason(part, failure.data or {}, gettext, row=failure.row_number)
        for part in reasons_of(failure.reason)
    ]


def explain(failure: Any, gettext: Gettext) -> RowProblem:
    """An `ImportFailure` row's first problem explained."""
    return explain_reason(
        failure.reason, failure.data or {}, gettext, duplicate=failure.duplicate,
        row=failure.row_number,
    )  # fmt: skip


def explanation_of(language: str) -> Callable[[Any], str]:
    """A failure's explanation as one cell of failures.csv, in `language`: for each problem,
    the column's label, then the sentence; joined as the reason is."""
    gettext = translations(language).gettext

    def line(problem: RowProblem) -> str:
        return f"{problem.field}: {problem.message}" if problem.column else problem.message

    def cell(failure: Any) -> str:
        return REASON_SEPARATOR.join(line(p) for p in explain_all(failure, gettext))

    return cell
