"""Base classes for API schemas: request models refuse unknown fields, control characters,
surprising coercions and implausible dates; pages are typed."""

from __future__ import annotations

import re
import types
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Generic, TypeVar, Union, get_args, get_origin

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationInfo, field_validator

from kakehashi.shared.clock import today

T = TypeVar("T")

# C0 and C1 control characters except tab, line feed and carriage return: no page, spreadsheet
# (XLSX forbids them) or log line can show them, and they are never typed on purpose.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Any date a person or an order can carry: nobody alive was born before, no plan reaches after.
EARLIEST_DAY = date(1930, 1, 1)
PLAUSIBLE_YEARS_AHEAD = 10


def _scalar_kinds(annotation: Any) -> set[Any]:
    """The scalar types a field's annotation accepts (through Optional, unions and Annotated,
    not into containers)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _scalar_kinds(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return set().union(*(_scalar_kinds(arg) for arg in get_args(annotation)))
    return {annotation} if isinstance(annotation, type) else set()


def control_character_in(value: Any) -> str | None:
    """The first control character in `value` (a string, or strings inside lists and dicts)."""
    if isinstance(value, str):
        found = CONTROL_CHARACTERS.search(value)
        return found.group() if found else None
    if isinstance(value, (list, tuple, set, frozenset)):
        items: Any = value
    elif isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    else:
        return None
    for item in items:
        found_in = control_character_in(item)
        if found_in is not None:
            return found_in
    return None


def latest_plausible_day() -> date:
    return today() + timedelta(days=365 * PLAUSIBLE_YEARS_AHEAD)


class RequestModel(BaseModel):
    """A request body: unknown fields are refused with a 422 naming them, and so are

    - control characters in any text (U+0000 to U+001F but tab and line breaks, U+007F to U+009F);
    - a boolean where a number or a date is expected (`"headcount": true`), and a number where a
      date is expected (`"date_of_birth": 0` is not 1970-01-01);
    - a date before 1930 or more than ten years ahead (`0001-01-01`, `9999-12-31`): fields with a
      narrower window check it in the domain.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_surprising_coercion(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, (bool, int, float)) or info.field_name is None:
            return value
        kinds = _scalar_kinds(cls.model_fields[info.field_name].annotation)
        if isinstance(value, bool) and bool not in kinds and kinds & {int, float, date, datetime}:
            raise ValueError("a boolean is not a number or a date")
        if not isinstance(value, bool) and kinds & {date, datetime} and not kinds & {int, float}:
            raise ValueError("a date is written as text, YYYY-MM-DD")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _plain_text_and_plausible_dates(cls, value: Any) -> Any:
        control = control_character_in(value)
        if control is not None:
            raise ValueError(f"the control character U+{ord(control):04X} is not allowed in text")
        day = value.date() if isinstance(value, datetime) else value
        if isinstance(day, date) and not EARLIEST_DAY <= day <= latest_plausible_day():
            raise ValueError(
                f"an implausible date: give one from {EARLIEST_DAY} to {latest_plausible_day()}"
            )
        return value


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


# Paging bounds every list route shares: an offset beyond a million rows is a mistake (and one
# past 2^63 would overflow the database's integer), a page beyond 500 rows is a download.
MAX_OFFSET = 1_000_000
MAX_PAGE = 500


def _as_utc(value: datetime) -> datetime:
    """Every instant we store is UTC: a naive value read from a zone-less column is given it."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# A moment in a response: always RFC 3339 with its offset ("2026-11-30T07:00:00Z" style), never a
# naive time a reader in Hà Nội or Tokyo would take for local.
Timestamp = Annotated[datetime, AfterValidator(_as_utc)]
