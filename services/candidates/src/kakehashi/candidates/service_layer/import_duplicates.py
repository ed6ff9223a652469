"""Which rows of an import chunk are people already registered, by the registration's rule:
same passport number, or same folded name and date of birth. One chunk costs a few queries."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy import TextualSelect, text
from sqlmodel import Session

from kakehashi.candidates.service_layer.registration import RegistrationRows
from kakehashi.shared.auth import Principal
from kakehashi.shared.db import is_postgres

ALREADY_REGISTERED = "already registered"
PAIRS_PER_QUERY = 200  # SQLite's expression depth limit is 1000
# Statement sizes are rounded up to a multiple of this (by repeating the last value, which
# matches nothing new), so a few statements, each compiled once, serve every chunk.
SIZE_STEP = 50
_T = TypeVar("_T")
_STORED = "SELECT id, training_centre_id, passport_key, name_key, date_of_birth FROM candidate"


@dataclass(frozen=True)
class Stored:
    id: str
    training_centre_id: str
    passport_key: str | None
    name_key: str
    date_of_birth: date | None


class Held(Protocol):
    """A stored record of a person, as far as a duplicate's reason names it."""

    @property
    def id(self) -> str: ...
    @property
    def training_centre_id(self) -> str: ...


def duplicate_reason(principal: Principal, existing: Held | RegistrationRows | None) -> str:
    """What a failed row says: the record if the caller may see it, else only that it exists."""
    if isinstance(existing, RegistrationRows):
        return f"{ALREADY_REGISTERED} (candidate {existing.id}, earlier in this file)"
    if existing is None or not principal.may_access(existing.training_centre_id):
        return f"{ALREADY_REGISTERED} at another training centre"
    return f"{ALREADY_REGISTERED} (candidate {existing.id})"


def _padded(values: list[_T], step: int = SIZE_STEP) -> list[_T]:
    return values + values[-1:] * (-len(values) % step)


@lru_cache(maxsize=128)
def _by_passports(count: int) -> TextualSelect:
    marks = ", ".join(f":p{i}" for i in range(count))
    return text(f"{_STORED} WHERE passport_key IN ({marks})").columns(date_of_birth=sa.Date)


@lru_cache(maxsize=8)
def _by_names(count: int) -> TextualSelect:
    where = " OR ".join(f"(name_key = :n{i} AND date_of_birth = :d{i})" for i in range(count))
    return text(f"{_STORED} WHERE {where}").columns(date_of_birth=sa.Date)


# PostgreSQL takes each list as one array parameter. It planned the OR-ed pairs above afresh
# for every statement: 22 ms a query, 13 s of a 100k-row import.
_PASSPORTS_IN_ARRAY = text(f"{_STORED} WHERE passport_key = ANY(CAST(:keys AS varchar[]))").columns(
    date_of_birth=sa.Date
)
_NAMES_IN_ARRAYS = text(
    f"{_STORED} JOIN unnest(CAST(:names AS varchar[]), CAST(:births AS date[]))"
    " AS asked(asked_name, asked_birth)"
    " ON name_key = asked_name AND date_of_birth = asked_birth"
).columns(date_of_birth=sa.Date)


def _stored_matches_postgres(
    session: Session, passports: set[str], names: set[tuple[str, date]]
) -> Iterator[Stored]:
    if passports:
        for found in session.execute(_PASSPORTS_IN_ARRAY, {"keys": sorted(passports)}):
            yield Stored(*found)
    if names:
        asked = {"names": [n for n, _ in names], "births": [b for _, b in names]}
        for found in session.execute(_NAMES_IN_ARRAYS, asked):
            yield Stored(*found)


def _stored_matches(
    session: Session, passports: set[str], names: set[tuple[str, date]]
) -> Iterator[Stored]:
    """Stored candidates with one of the passports or (folded name, birth date) pairs.

    On SQLite, pairs are asked as OR-ed equalities in slices of textual SQL: SQLite answers a
    row-value IN by scanning the table, and building 100k SQLAlchemy expressions costs seconds.
    The statements are built and compiled once per size.
    """
    if is_postgres(session.get_bind()):
        yield from _stored_matches_postgres(session, passports, names)
        return
    if passports:
        keys = _padded(sorted(passports))
        query = _by_passports(len(keys))
        for found in session.execute(query, {f"p{i}": key for i, key in enumerate(keys)}):
            yield Stored(*found)
    pairs = sorted(names)
    for start in range(0, len(pairs), PAIRS_PER_QUERY):
        part = _padded(pairs[start : start + PAIRS_PER_QUERY])
        params: dict[str, object] = {}
        for i, (name, born) in enumerate(part):
            params[f"n{i}"], params[f"d{i}"] = name, born
        for found in session.execute(_by_names(len(part)), params):
            yield Stored(*found)


class ChunkDuplicates:
    """The stored people a chunk could repeat, plus the chunk's own new people as they come."""

    def __init__(
        self, session: Session, principal: Principal, batch: Sequence[RegistrationRows]
    ) -> None:
        self._principal = principal
        self._by_passport: dict[str, Stored | RegistrationRows] = {}
        self._by_name: dict[tuple[str, date], Stored | RegistrationRows] = {}
        passports = {r.candidate["passport_key"] for r in batch if r.candidate["passport_key"]}
        names = {
            (r.candidate["name_key"], r.candidate["date_of_birth"])
            for r in batch
            if r.candidate["date_of_birth"]
        }
        for stored in _stored_matches(session, passports, names):
            self._remember(stored, stored.passport_key, stored.name_key, stored.date_of_birth)

    def _remember(
        self, who: Stored | RegistrationRows, passport: str | None, name: str, born: date | None
    ) -> None:
        if passport:
            self._by_passport[passport] = who
        if born:
            self._by_name[(name, born)] = who

    def reason(self, registration: RegistrationRows) -> str | None:
        """Why the registration repeats someone, or None (and it counts as registered now)."""
        new = registration.candidate
        passport, name, born = new["passport_key"], new["name_key"], new["date_of_birth"]
        existing = (self._by_passport.get(passport) if passport else None) or (
            self._by_name.get((name, born)) if born else None
        )
        if existing is not None:
            return duplicate_reason(self._principal, existing)
        self._remember(registration, passport, name, born)
        return None
