"""Vietnamese provinces as reference data with effective dates (63 before the 2025 merger, 34 after).

The list lives in `reference_data/provinces.json`; a unit is found by its code or by its name
(case, diacritics and a leading "Tỉnh"/"Thành phố" ignored).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from kakehashi.candidates.domain.names import fold
from kakehashi.shared.errors import DomainError

_PREFIXES = ("tinh ", "thanh pho ", "tp. ", "tp ")


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    valid_from: date | None
    valid_to: date | None
    successor: str | None = None
    merged_from: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    name_ja: str | None = None  # the name Japanese readers know (units in force)

    def label(self, language: str) -> str:
        """The unit as a reader of `language` finds it in a list: its Vietnamese name, which
        Vietnamese and English readers use, with the katakana first for Japanese readers."""
        if language == "ja" and self.name_ja:
            return f"{self.name_ja}（{self.name}）"  # noqa: RUF001 (Japanese brackets)
        return self.name

    def in_force(self, on: date) -> bool:
        """Whether this unit existed on `on`."""
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to
        )


def _date(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(str(value))


@lru_cache(maxsize=4096)  # an import asks for the same few names on every row
def _key(name: str) -> str:
    folded = fold(name)
    for prefix in _PREFIXES:
        if folded.startswith(prefix):
            return folded[len(prefix) :]
    return folded


@cache
def provinces() -> dict[str, Province]:
    """Every unit of the reference list, old and new, by code."""
    raw = json.loads(
        resources.files("kakehashi.candidates")
        .joinpath("reference_data/provinces.json")
        .read_text(encoding="utf-8")
    )
    units = [
        Province(
            code=str(u["code"]),
            name=str(u["name"]),
            valid_from=_date(u.get("valid_from")),
            valid_to=_date(u.get("valid_to")),
            successor=u.get("successor"),
            merged_from=tuple(u.get("merged_from", ())),
            aliases=tuple(u.get("aliases", ())),
            name_ja=u.get("name_ja"),
        )
        for u in raw["units"]
    ]
    return {unit.code: unit for unit in units}


@cache
def _by_name() -> dict[str, tuple[Province, ...]]:
    index: dict[str, list[Province]] = {}
    for unit in provinces().values():
        for name in (unit.name, *unit.aliases):
            index.setdefault(_key(name), []).append(unit)
    return {key: tuple(units) for key, units in index.items()}


def find_province(name_or_code: str, on: date) -> Province | None:
    """The unit with this code, or with this name (the one in force on `on` if both eras have it)."""
    text = name_or_code.strip()
    by_code = provinces().get(text.upper())
    if by_code is not None:
        return by_code
    units = _by_name().get(_key(text), ())
    if not units:
        return None
    in_force = [unit for unit in units if unit.in_force(on)]
    return (in_force or sorted(units, key=lambda u: u.valid_to or date.max))[-1]


def resolve_province(province: str | None, province_code: str | None, on: date) -> Province:
    """The unit a candidate comes from, given its name, its code or both (which must agree)."""
    if not province and not province_code:
        raise DomainError("province", "give the province's name or code")
    by_code = None
    if province_code:
        by_code = provinces().get(province_code.strip().upper())
        if by_code is None:
            raise DomainError("province_code", f"unknown province code {province_code!r}")
    if province:
        by_name = find_province(province, on)
        if by_name is None:
            raise DomainError("province", f"unknown Vietnamese province {province!r}")
        if (
            by_code is not None
            and by_code.code != by_name.code
            and fold(by_code.name) != _key(province)
        ):
            raise DomainError("province_code", f"{province_code!r} is not the code of {province!r}")
        return by_code or by_name
    assert by_code is not None
    return by_code


def provinces_in_force(on: date) -> list[Province]:
    """The units in force on `on` (the 34 since the 2025 merger), in alphabetical order of their
    names as Vietnamese readers sort them (diacritics ignored): the choices a form offers."""
    units = [unit for unit in provinces().values() if unit.in_force(on)]
    return sorted(units, key=lambda unit: (fold(unit.name), unit.name))


def related_codes(code: str) -> frozenset[str]:
    """A unit's code with the codes of every unit merged into it (for searching by province)."""
    unit = provinces().get(code)
    if unit is None:
        return frozenset({code})
    return frozenset({code, *unit.merged_from})
