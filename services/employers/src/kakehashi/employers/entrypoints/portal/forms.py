"""Between the portal's HTML forms and the API's request models: a 求人票 form is read into the
body `JobOrderCreate` / `JobOrderUpdate` take (so the page and the API share every rule), and
the errors those models and the domain raise are put next to the form's fields, in the reader's
language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import ImmutableMultiDict

from kakehashi.employers.adapters.tables import JobOrder
from kakehashi.employers.entrypoints.schemas import PREFERENCES, REQUIRED_TERMS, JobOrderCreate
from kakehashi.shared.errors import DomainError
from kakehashi.shared.ui.navigation import N_

Translate = Callable[[str], str]
FieldErrors = dict[str, str]  # form field name -> message in the reader's language

# The form's flat fields that are plain values of the body (the nested ones are below).
PLAIN = (
    "title",
    "track",
    "sector",
    "job_category",
    "prefecture",
    "headcount",
    "min_japanese_level",
    "experience_years_min",
    "education",
    "monthly_base_pay_yen",
    "hours_per_week",
    "overtime_hours_per_month",
    "days_off_per_year",
    "contract_months",
    "expected_departure_date",
    "application_deadline",
    *PREFERENCES,
)
NESTED = ("housing_provided", "housing_monthly_cost_yen", "interview_format", "interview_date")
# A body location (or a domain rule's field) -> the form field shown next to it.
FORM_FIELD = {
    ("housing", "provided"): "housing_provided",
    ("housing", "monthly_cost_yen"): "housing_monthly_cost_yen",
    ("interview", "date"): "interview_date",
    ("interview", "format"): "interview_format",
    ("monthly_cost_yen",): "housing_monthly_cost_yen",
    ("date",): "interview_date",
}

# Messages for pydantic's error types; `%(limit)s` is filled from the error's context.
TYPE_MESSAGES = {
    "missing": N_("Required."),
    "string_too_short": N_("Required."),
    "string_too_long": N_("Too long: at most %(limit)s characters."),
    "greater_than_equal": N_("Must be at least %(limit)s."),
    "greater_than": N_("Must be more than %(limit)s."),
    "less_than_equal": N_("Must be at most %(limit)s."),
    "less_than": N_("Must be less than %(limit)s."),
    "int_parsing": N_("Enter a whole number."),
    "int_from_float": N_("Enter a whole number."),
    "float_parsing": N_("Enter a number."),
    "date_parsing": N_("Enter a date."),
    "date_from_datetime_parsing": N_("Enter a date."),
    "literal_error": N_("Choose one of the options."),
    "enum": N_("Choose one of the options."),
    "string_pattern_mismatch": N_("Use lowercase letters, digits and underscores, e.g. welding."),
    "too_long": N_("Too many: at most %(limit)s."),
}
NOT_VALID = N_("Not valid.")
LIMIT_KEYS = ("ge", "gt", "le", "lt", "max_length")
# Field-specific messages of validators written in Python (value_error).
VALUE_MESSAGES = {"company_name_romaji": N_("Write it in Latin letters (romaji).")}
# The domain's rules (`rules.py`, `employer.py`, `lifecycle.py`) by the field they name.
DOMAIN_MESSAGES = {
    "min_japanese_level": N_("Below the Japanese floor of this track: see the checks."),
    "required_skills": N_("A skill is listed more than once."),
    "housing_monthly_cost_yen": N_("Housing that is not provided cannot cost anything."),
    "interview_date": N_("Dates go in order: application deadline, interview, departure."),
    "expected_departure_date": N_("Dates go in order: application deadline, interview, departure."),
    "age_max": N_("Must not be below the minimum age."),
    "headcount": N_("Must be at least %(limit)s."),
    "intermediary_kind": N_("Say whether the intermediary supervises or supports."),
    "intermediary_name": N_("Name the intermediary."),
    "reason": N_("Say why the order is cancelled."),
}


@dataclass
class OrderForm:
    """What the reader typed, kept as text to show the form again, and the skills chosen."""

    values: dict[str, str]
    skills: dict[str, tuple[int, bool]] = field(default_factory=dict)  # code -> (level, must)

    @classmethod
    def read(cls, form: ImmutableMultiDict[str, Any]) -> OrderForm:
        """A posted form, or the query of the skills fragment (same field names)."""
        values = {
            name: value.strip()
            for name in (*PLAIN, *NESTED, "status")
            if isinstance(value := form.get(name, ""), str)
        }
        chosen: dict[str, tuple[int, bool]] = {}
        for code in form.getlist("skill"):
            if not isinstance(code, str) or not code or code in chosen:
                continue
            level = form.get(f"level_{code}", "1")
            chosen[code] = (
                int(level) if isinstance(level, str) and level.isdigit() else 1,
                form.get(f"must_{code}") == "on",
            )
        return cls(values, chosen)

    @classmethod
    def of_order(cls, order: JobOrder) -> OrderForm:
        """The stored order, as its edit form shows it."""
        data = order.model_dump()
        values = {name: _text(data.get(name)) for name in PLAIN}
        if order.housing_provided is not None:
            values["housing_provided"] = "yes" if order.housing_provided else "no"
        values["housing_monthly_cost_yen"] = _text(order.housing_monthly_cost_yen)
        values["interview_format"] = _text(order.interview_format)
        values["interview_date"] = _text(order.interview_date)
        chosen = {
            s["code"]: (int(s["min_level"]), bool(s["must_have"])) for s in order.required_skills
        }
        return cls(values, chosen)

    def body(self) -> dict[str, Any]:
        """The JSON body the API takes: blank fields left out (a default applies)."""
        body: dict[str, Any] = {n: self.values[n] for n in PLAIN if self.values.get(n)}
        body["required_skills"] = [
            {"code": code, "min_level": level, "must_have": must}
            for code, (level, must) in self.skills.items()
        ]
        provided = self.values.get("housing_provided", "")
        cost = self.values.get("housing_monthly_cost_yen") or None
        if provided in ("yes", "no"):
            body["housing"] = {"provided": provided == "yes", "monthly_cost_yen": cost}
        elif cost:
            body["housing"] = {"monthly_cost_yen": cost}  # refused: say whether it is provided
        interview_format = self.values.get("interview_format") or None
        interview_date = self.values.get("interview_date") or None
        if interview_format or interview_date:
            body["interview"] = {"format": interview_format, "date": interview_date}
            if interview_format is None:
                del body["interview"]["format"]  # refused as missing, next to the format
        return body

    def create_body(self) -> dict[str, Any]:
        status = self.values.get("status") or "open"
        return self.body() | {"status": status}

    def update_body(self) -> dict[str, Any]:
        """Every field, a blank optional one cleared (null); a blank required one kept as it is."""
        body = self.body()
        for name in PLAIN:
            if name not in body and name not in REQUIRED_TERMS:
                body[name] = None
        body.setdefault("housing", None)
        body.setdefault("interview", None)
        return body

    def level_given(self) -> bool:
        return bool(self.values.get("min_japanese_level"))


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def form_field(location: tuple[Any, ...]) -> str:
    """The form field an error's location names (`("housing", "provided")` -> housing_provided)."""
    names = tuple(part for part in location if isinstance(part, str) and part != "body")
    if names in FORM_FIELD:
        return FORM_FIELD[names]
    return names[0] if names else "form"


def validation_errors(error: ValidationError, translate: Translate) -> FieldErrors:
    """The first error of each field, in the reader's language (never echoing the input)."""
    errors: FieldErrors = {}
    for item in error.errors():
        name = form_field(tuple(item["loc"]))
        if name in errors:
            continue
        context: Mapping[str, Any] = item.get("ctx") or {}
        limit = next((context[key] for key in LIMIT_KEYS if key in context), "")
        if item["type"] == "value_error":
            message = VALUE_MESSAGES.get(name, NOT_VALID)
        else:
            message = TYPE_MESSAGES.get(item["type"], NOT_VALID)
        errors[name] = (
            translate(message) % {"limit": limit} if "%(" in message else translate(message)
        )
    return errors


def domain_errors(error: DomainError, translate: Translate) -> FieldErrors:
    """A broken domain rule, next to the field it names; an unknown rule keeps its own words."""
    name = form_field((error.field,))
    message = DOMAIN_MESSAGES.get(name)
    if message is None:
        return {name: error.message}
    return {name: translate(message) % {"limit": 1} if "%(" in message else translate(message)}


def validate_create(form: OrderForm) -> JobOrderCreate:
    """The posting the form asks for (raises ValidationError)."""
    return JobOrderCreate.model_validate(form.create_body())


LENIENT_PLACEHOLDERS = {"title": "…", "headcount": 1}


def lenient_draft(form: OrderForm) -> JobOrderCreate | None:
    """The form as far as it can be read while it is being typed: fields still invalid are left
    out (title and headcount get placeholders), for the live checks only; None while the
    sector or the prefecture, which the checks need, is missing or invalid."""
    body = form.create_body() | {
        key: value for key, value in LENIENT_PLACEHOLDERS.items() if not form.values.get(key)
    }
    for _attempt in range(4):
        try:
            return JobOrderCreate.model_validate(body)
        except ValidationError as error:
            bad = {str(item["loc"][0]) for item in error.errors() if item["loc"]}
            if bad & {"sector", "prefecture"}:
                return None
            for name in bad:
                body.pop(name, None)
                if name in LENIENT_PLACEHOLDERS:
                    body[name] = LENIENT_PLACEHOLDERS[name]
    return None
