"""The candidate form: its fields to the API's request bodies and back, and the API's refusals
(pydantic errors, domain errors) to messages next to the fields, in the reader's language.

The form is validated by the same request schemas as the JSON API (`CandidateCreate`,
`CandidatePatch`), so the portal accepts exactly what the API accepts. Field names follow the
body's paths (`japanese_tests.0.date`, `education.level`); skills are named by their code
(`skills.welding.level`), one line per skill of the sector's taxonomy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from kakehashi.candidates.adapters.tables import Candidate
from kakehashi.candidates.domain.validation import check_age, under_age_on_entry
from kakehashi.candidates.entrypoints.portal.labels import N_
from kakehashi.candidates.entrypoints.schemas import CandidateCreate, CandidatePatch
from kakehashi.shared.clock import today
from kakehashi.shared.errors import DomainError

Values = dict[str, Any]  # form field name -> its value (a list for multiple choices)

SIMPLE = (
    "full_name", "name_vi", "name_katakana", "date_of_birth", "sex", "province", "phone",
    "email", "passport_number", "sector", "japanese_level", "training_hours", "training_cohort",
    "health_check_status", "available_from",
)  # fmt: skip
MULTIPLE = ("desired_tracks", "desired_sectors", "desired_prefectures")
EDUCATION = ("level", "institution", "field_of_study", "graduation_year")
# Each list of the profile: its fields as the body names them (`date`, `from`, `to`).
ROWS: dict[str, tuple[str, ...]] = {
    "japanese_tests": ("test", "level", "score", "date", "certificate_id"),
    "work_history": ("employer", "role", "sector", "from", "to"),
    "earlier_stays": ("track", "sector", "from", "to", "titp_stage_completed"),
}
SPARE_ROWS = 1  # blank lines offered after the filled ones
FORM_ERROR = "__all__"
SKILL_LEVEL = re.compile(r"skills\.([a-z][a-z0-9_]*)\.level")
SKILL_TESTS = re.compile(r"skills\.([a-z][a-z0-9_]*)\.tests_passed")

# Pydantic's error types, as messages the reader understands; the rest say what was refused.
MESSAGES = {
    "missing": N_("Required."),
    "string_too_short": N_("Required."),
    "string_too_long": N_("Too long: at most %(max_length)s characters."),
    "string_pattern_mismatch": N_("Not in the expected format."),
    "date_parsing": N_("Enter a date (day, month, year)."),
    "date_from_datetime_parsing": N_("Enter a date (day, month, year)."),
    "date_type": N_("Enter a date (day, month, year)."),
    "int_parsing": N_("Enter a whole number."),
    "int_type": N_("Enter a whole number."),
    "int_from_float": N_("Enter a whole number."),
    "greater_than_equal": N_("At least %(ge)s."),
    "less_than_equal": N_("At most %(le)s."),
    "enum": N_("Choose one of the listed values."),
    "literal_error": N_("Choose one of the listed values."),
    "too_long": N_("Too many entries."),
}
REFUSED = N_("Not accepted: %(reason)s")
# The domain's refusals of a field whose words the reader needs in full (the domain's message
# is English and may quote what was typed).
DOMAIN_MESSAGES = {
    "province": N_("Choose a province from the list."),
    "province_code": N_("Choose a province from the list."),
}
# The domain's refusals of a birth date (domain/validation.py `check_age`), read by pattern and
# said in the reader's language with the figures they carry.
BIRTH_REFUSALS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^cannot be in the future$"), N_("The date of birth is in the future.")),
    (
        re.compile(r"^younger than (?P<min>\d+) \((?P<age>\d+) today\)"),
        N_("Too young to register: %(age)s years old today (at least %(min)s). Check the date."),
    ),
    (
        re.compile(r"^more than (?P<max>\d+) years ago"),
        N_("More than %(max)s years ago: check the date."),
    ),
)
# Under 18 on the day the person is available: registered, and told (the tracks refuse them).
UNDER_AGE_WARNING = N_(
    "Under 18 on %(day)s (%(age)s years old): no track takes entrants under 18, so the person "
    "can be trained but not proposed to an employer before %(birthday)s."
)
# What the error summary calls each field (the labels of the form, as msgids); a line's field
# is named without its line number (`japanese_tests.date`).
FIELD_LABELS = {
    "full_name": N_("Name as in the passport"),
    "name_vi": N_("Vietnamese name"),
    "name_katakana": N_("Name in katakana"),
    "date_of_birth": N_("Date of birth"),
    "sex": N_("Sex"),
    "passport_number": N_("Passport number"),
    "province": N_("Province"),
    "province_code": N_("Province"),
    "phone": N_("Phone"),
    "email": N_("Email"),
    "sector": N_("Sector"),
    "skills": N_("Trade skills"),
    "japanese_level": N_("Japanese level (declared)"),
    "japanese_tests": N_("Japanese"),
    "japanese_tests.test": N_("Test"),
    "japanese_tests.level": N_("Level"),
    "japanese_tests.score": N_("Score"),
    "japanese_tests.date": N_("Date taken"),
    "japanese_tests.certificate_id": N_("Certificate number"),
    "training_hours": N_("Training hours"),
    "training_cohort": N_("Training cohort"),
    "health_check_status": N_("Health check"),
    "education.level": N_("Education"),
    "education.institution": N_("School"),
    "education.field_of_study": N_("Field of study"),
    "education.graduation_year": N_("Graduation year"),
    "work_history.employer": N_("Company"),
    "work_history.role": N_("Job title"),
    "work_history.sector": N_("Sector"),
    "work_history.from": N_("Start"),
    "work_history.to": N_("End"),
    "earlier_stays.track": N_("Track"),
    "earlier_stays.sector": N_("Sector"),
    "earlier_stays.from": N_("Start"),
    "earlier_stays.to": N_("End"),
    "earlier_stays.titp_stage_completed": N_("TITP stage completed"),
    "desired_tracks": N_("Tracks wanted"),
    "desired_sectors": N_("Sectors wanted"),
    "desired_prefectures": N_("Prefectures wanted"),
    "available_from": N_("Available from"),
    "notice_version": N_("Consent"),
    "consents": N_("Consent"),
}


def label_key(name: str) -> str:
    """The FIELD_LABELS key of a form field: its line number or skill code left out."""
    parts = name.split(".")
    if parts[0] == "skills":
        return "skills"
    if parts[0] in ROWS and len(parts) == 3:
        return f"{parts[0]}.{parts[2]}"
    return name


@dataclass
class FormState:
    """What the form shows: the values entered, the errors by field (translated), and which
    body index each filled line of a list became (to put an error next to its line)."""

    values: Values = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    lines: dict[str, list[str]] = field(default_factory=dict)  # list -> form keys, body order

    def rows(self, name: str) -> list[str]:
        """The form keys of a list's lines: the filled ones and SPARE_ROWS blank ones."""
        keys = sorted(
            {key.split(".")[1] for key in self.values if key.startswith(name + ".")}, key=int
        )
        filled = [k for k in keys if any(self.values.get(f"{name}.{k}.{f}") for f in ROWS[name])]
        start = max((int(k) for k in keys), default=-1) + 1
        return filled + [str(start + i) for i in range(SPARE_ROWS)]


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def values_of_form(form: FormData) -> Values:
    """The submitted fields, multiple choices as lists, text stripped."""
    values: Values = {}
    for key in set(form.keys()):
        if key == "csrf_token":
            continue
        if key in MULTIPLE:
            values[key] = [str(v) for v in form.getlist(key) if str(v).strip()]
        elif SKILL_TESTS.fullmatch(key):  # the tests ticked (or typed, for a sector without)
            values[key] = "; ".join(str(v).strip() for v in form.getlist(key) if str(v).strip())
        else:
            values[key] = str(form.get(key) or "").strip()
    return values


def values_of_candidate(row: Candidate) -> Values:
    """A stored candidate as the form's fields (for editing)."""
    values: Values = {name: _text(getattr(row, name)) for name in SIMPLE}
    values["japanese_level"] = _text(row.declared_japanese_level)
    for name in MULTIPLE:
        values[name] = list(getattr(row, name) or [])
    for name in EDUCATION:
        values[f"education.{name}"] = _text((row.education or {}).get(name))
    for name, fields in ROWS.items():
        for i, line in enumerate(getattr(row, name) or []):
            for part in fields:
                values[f"{name}.{i}.{part}"] = _text(line.get(part))
    for skill in row.skills:
        values[f"skills.{skill['code']}.level"] = str(skill["level"])
        values[f"skills.{skill['code']}.tests_passed"] = "; ".join(skill.get("tests_passed", []))
    return values


def _text(value: object) -> str:
    return "" if value is None else str(getattr(value, "value", value))


def body_of(values: Values, state: FormState) -> dict[str, Any]:
    """The registration body the form describes: blank fields left out, lines with nothing
    entered dropped (and which form line became which body index noted in `state`)."""
    body: dict[str, Any] = {name: values[name] for name in SIMPLE if not _blank(values.get(name))}
    for name in MULTIPLE:
        if values.get(name):
            body[name] = list(values[name])
    education = {
        part: values[f"education.{part}"]
        for part in EDUCATION
        if not _blank(values.get(f"education.{part}"))
    }
    if education:
        body["education"] = education
    for name, fields in ROWS.items():
        lines, keys = [], []
        for key in state.rows(name):
            line = {
                part: values[f"{name}.{key}.{part}"]
                for part in fields
                if not _blank(values.get(f"{name}.{key}.{part}"))
            }
            if line:
                lines.append(line)
                keys.append(key)
        body[name] = lines
        state.lines[name] = keys
    skills, codes = [], []
    for key, level in sorted(values.items()):
        found = SKILL_LEVEL.fullmatch(key)
        if found is None or _blank(level):
            continue
        code = found.group(1)
        tests = re.split(r"[;,\s]+", str(values.get(f"skills.{code}.tests_passed", "")))
        skills.append({"code": code, "level": level, "tests_passed": [t for t in tests if t]})
        codes.append(code)
    body["skills"] = skills
    state.lines["skills"] = codes
    return body


def field_of(location: Iterable[object], state: FormState) -> str:
    """The form field a body path names: `("japanese_tests", 0, "date")` ->
    `japanese_tests.<its form line>.date`, a skill's by its code."""
    parts = [str(p) for p in location if p not in ("body",)]
    if not parts:
        return FORM_ERROR
    name = parts[0]
    if name in state.lines and len(parts) > 1 and parts[1].isdigit():
        index = int(parts[1])
        keys = state.lines[name]
        key = keys[index] if index < len(keys) else parts[1]
        rest = parts[2:] or (["level"] if name == "skills" else [])
        return ".".join([name, key, *rest[:1]])
    if name in MULTIPLE:
        return name
    return ".".join(parts[:2])


def domain_field(path: str) -> list[str]:
    """A domain error's field (`work_history[1].to`) as a body path."""
    return [p for p in re.split(r"[\[\].]+", path) if p]


def pydantic_errors(
    error: ValidationError, state: FormState, gettext: Callable[[str], str]
) -> dict[str, str]:
    """Each refused field's first message, in the reader's language."""
    errors: dict[str, str] = {}
    for item in error.errors():
        name = field_of(item["loc"], state)
        if name in errors:
            continue
        template = MESSAGES.get(item["type"])
        context = {k: v for k, v in (item.get("ctx") or {}).items() if isinstance(v, str | int)}
        if template is None:
            reason = str(item["msg"]).removeprefix("Value error, ")
            errors[name] = gettext(REFUSED) % {"reason": reason}
        else:
            errors[name] = gettext(template) % context if context else gettext(template)
    return errors


def domain_error(
    error: DomainError, state: FormState, gettext: Callable[[str], str]
) -> dict[str, str]:
    name = field_of(domain_field(error.field), state)
    if error.field == "date_of_birth":
        for pattern, template in BIRTH_REFUSALS:
            found = pattern.match(error.message)
            if found is not None:
                return {name: gettext(template) % found.groupdict()}
    if error.field in DOMAIN_MESSAGES:
        # A code or name refused by the province list is a choice to make again on the form.
        return {"province": gettext(DOMAIN_MESSAGES[error.field])}
    return {name: gettext(REFUSED) % {"reason": error.message}}


def validate_create(
    values: Values,
    state: FormState,
    gettext: Callable[[str], str],
    consents: list[dict[str, str]] | None = None,
) -> tuple[CandidateCreate | None, dict[str, Any]]:
    """The registration body checked by the API's schema (None with `state.errors` filled), and
    the body itself."""
    body = body_of(values, state)
    if consents:
        body["consents"] = consents
    try:
        return CandidateCreate.model_validate(body), body
    except ValidationError as error:
        state.errors.update(pydantic_errors(error, state, gettext))
        birth_error(values, state, gettext)
        return None, body


def birth_date(values: Values) -> date | None:
    """The form's date of birth, if it is a date."""
    try:
        return date.fromisoformat(str(values.get("date_of_birth") or ""))
    except ValueError:
        return None


def available_date(values: Values) -> date | None:
    try:
        return date.fromisoformat(str(values.get("available_from") or ""))
    except ValueError:
        return None


def birth_error(values: Values, state: FormState, gettext: Callable[[str], str]) -> None:
    """The birth date's refusal among the other fields' (the domain's rules run only on a form
    the schema accepts, and a refused birth date must not wait for the next round)."""
    if "date_of_birth" in state.errors:
        return
    try:
        check_age(birth_date(values), None, today())
    except DomainError as error:
        state.errors.update(domain_error(error, state, gettext))


def under_age_warning(
    values: Values, gettext: Callable[[str], str], day_of: Callable[[date], str]
) -> str | None:
    """The warning the form shows for a person under 18 on the day they are available."""
    found = under_age_on_entry(birth_date(values), available_date(values), today())
    if found is None:
        return None
    named = {"day": day_of(found.on), "age": found.age, "birthday": day_of(found.of_age_on)}
    return gettext(UNDER_AGE_WARNING) % named


def patch_of(body: dict[str, Any]) -> CandidatePatch:
    """Every profile field of a checked form as a change: a blank field clears the stored value."""
    return CandidatePatch.model_validate(
        {name: body.get(name) for name in CandidatePatch.model_fields}
    )
