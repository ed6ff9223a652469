"""Searching the candidates a caller may see."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, UnaryExpression, and_, false, func, or_
from sqlmodel import col, select

from kakehashi.candidates.adapters.tables import Candidate
from kakehashi.candidates.domain.names import DuplicateCandidateError, search_terms
from kakehashi.candidates.domain.pipeline import Status
from kakehashi.candidates.domain.privacy import AuditAction
from kakehashi.candidates.domain.provinces import find_province, related_codes
from kakehashi.candidates.service_layer import audit
from kakehashi.candidates.service_layer.handlers import details, same_person
from kakehashi.candidates.service_layer.publication import CandidateDetails
from kakehashi.shared.auth import Principal
from kakehashi.shared.clock import today
from kakehashi.shared.errors import DomainError
from kakehashi.shared.reference import JapaneseLevel, Sector, Track
from kakehashi.shared.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class CandidateFilters:
    """What a search may narrow by; None means "any"."""

    name: str | None = None
    status: Status | None = None
    sector: Sector | None = None
    eligible_for: Track | None = None
    min_japanese_level: JapaneseLevel | None = None
    province: str | None = None  # a name or a code; merged units also find their predecessors
    available_from: date | None = None  # window on the candidate's availability date
    available_until: date | None = None
    training_centre_id: str | None = None  # program managers and admins only
    # The portal's search box: a name in any script (Latin, Vietnamese with or without
    # diacritics, katakana) or the start of an id.
    text: str | None = None


class FilterNotAllowedError(Exception):
    """A filter the caller's role may not use (the API answers 403)."""


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _conditions(principal: Principal, filters: CandidateFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if not principal.sees_everything:
        where.append(col(Candidate.training_centre_id) == principal.organisation_id)
    elif filters.training_centre_id:
        where.append(col(Candidate.training_centre_id) == filters.training_centre_id)
    for term in search_terms(filters.name or ""):
        where.append(col(Candidate.name_search).like(f"%{_like_escape(term)}%", escape="\\"))
    if filters.text and filters.text.strip():
        where.append(_text_condition(filters.text.strip()))
    if filters.status:
        where.append(col(Candidate.status) == filters.status.value)
    if filters.sector:
        where.append(col(Candidate.sector) == filters.sector.value)
    if filters.eligible_for:
        where.append(col(Candidate.eligible_tracks).contains(f",{filters.eligible_for.value},"))
    if filters.min_japanese_level:
        where.append(col(Candidate.japanese_rank) >= filters.min_japanese_level.rank)
    if filters.province:
        unit = find_province(filters.province, today())
        if unit is None:
            raise DomainError("province", f"unknown Vietnamese province {filters.province!r}")
        where.append(col(Candidate.province_code).in_(sorted(related_codes(unit.code))))
    if filters.available_from:
        where.append(col(Candidate.available_from) >= filters.available_from)
    if filters.available_until:
        where.append(col(Candidate.available_from) <= filters.available_until)
    return where


# Katakana (full and half width): only such a text can be part of a name written in katakana.
_KATAKANA = re.compile(r"[\u30a0-\u30ff\u31f0-\u31ff\uff65-\uff9f]")
# The start of an id (ids are UUIDs): only such a text can find a candidate by id.
_ID_START = re.compile(r"[0-9a-fA-F-]+")


def _text_condition(text: str) -> ColumnElement[bool]:
    """Every folded word in the Latin or Vietnamese names, or the katakana as written (folding
    would drop its voicing marks), or an id starting with the text.

    A list of 100k candidates evaluates this on every row of the centre, so a comparison that
    cannot match (katakana for a Latin text, an id for a text that is not hexadecimal) is left
    out rather than run on each row.
    """
    found: list[ColumnElement[bool]] = []
    by_name = [
        col(Candidate.name_search).like(f"%{_like_escape(term)}%", escape="\\")
        for term in search_terms(text)
    ]
    if by_name:
        found.append(and_(*by_name))
    if _KATAKANA.search(text):
        katakana = _like_escape(text.replace(" ", "").replace("\u3000", ""))
        found.append(col(Candidate.name_katakana).like(f"%{katakana}%", escape="\\"))
    if _ID_START.fullmatch(text):
        found.append(col(Candidate.id).like(f"{_like_escape(text.lower())}%", escape="\\"))
    return or_(*found) if found else false()


# The orders a list may be sorted in; the id breaks ties so pages never overlap.
SORTS: dict[str, tuple[UnaryExpression[Any], ...]] = {
    "newest": (col(Candidate.created_at).desc(),),
    "oldest": (col(Candidate.created_at).asc(),),
    "name": (col(Candidate.name_key).asc(),),
    "japanese_level": (col(Candidate.japanese_rank).desc(), col(Candidate.name_key).asc()),
    "status": (col(Candidate.status).asc(), col(Candidate.name_key).asc()),
    "updated": (col(Candidate.updated_at).desc(),),
}


def status_counts(
    uow: UnitOfWork, principal: Principal, filters: CandidateFilters
) -> dict[str, int]:
    """How many of the candidates the caller may see stand at each pipeline status, with every
    filter but the status applied (the counts beside a list filtered by status)."""
    where = _allowed_conditions(principal, replace(filters, status=None))
    query = select(Candidate.status, func.count()).where(*where).group_by(col(Candidate.status))
    with uow:
        return {str(status): int(count) for status, count in uow.session.exec(query).all()}


def search_candidates(
    uow: UnitOfWork,
    principal: Principal,
    filters: CandidateFilters,
    *,
    limit: int,
    offset: int,
    sort: str = "newest",
) -> tuple[list[CandidateDetails], int]:
    """A page of matching candidates the caller may see (newest first unless `sort` names one
    of SORTS), and how many match."""
    where = _allowed_conditions(principal, filters)
    count = select(func.count()).select_from(Candidate).where(*where)
    with uow:
        total = uow.session.exec(count).one()
        return _page(uow, principal, where, limit, offset, sort), int(total)


@dataclass(frozen=True)
class CandidateList:
    """A page of the portal's list, how many match, and how many stand at each status."""

    found: list[CandidateDetails]
    total: int
    counts: dict[str, int]


def candidate_list(
    uow: UnitOfWork,
    principal: Principal,
    filters: CandidateFilters,
    *,
    limit: int,
    offset: int,
    sort: str = "newest",
) -> CandidateList:
    """What the portal's list shows: `search_candidates` and `status_counts` in one, counting
    once (with 100k candidates each count is a pass over the centre's rows): the total is the
    count of the status filtered on, or of every status."""
    counts = status_counts(uow, principal, filters)
    total = counts.get(filters.status.value, 0) if filters.status else sum(counts.values())
    where = _allowed_conditions(principal, filters)
    with uow:
        return CandidateList(_page(uow, principal, where, limit, offset, sort), total, counts)


def _allowed_conditions(
    principal: Principal, filters: CandidateFilters
) -> list[ColumnElement[bool]]:
    if filters.training_centre_id is not None and not principal.sees_everything:
        raise FilterNotAllowedError("only program managers filter by training centre")
    return _conditions(principal, filters)


def _page(
    uow: UnitOfWork,
    principal: Principal,
    where: list[ColumnElement[bool]],
    limit: int,
    offset: int,
    sort: str,
) -> list[CandidateDetails]:
    """One page of the candidates `where` selects, audited as seen; runs inside `uow`."""
    query = select(Candidate).where(*where)
    rows = uow.session.exec(
        query.order_by(*SORTS.get(sort, SORTS["newest"]), col(Candidate.id))
        .offset(offset)
        .limit(limit)
    ).all()
    on = today()
    found = [details(row, on) for row in rows]
    audit.record(uow.session, principal, AuditAction.SEARCH, [row.id for row in rows])
    uow.commit()
    return found


def possible_duplicate(
    uow: UnitOfWork,
    principal: Principal,
    full_name: str,
    date_of_birth: date | None,
    passport_number: str | None,
    exclude_id: str | None = None,
) -> DuplicateCandidateError | None:
    """The refusal registering this person would meet, to warn while the form is filled in
    (the id of the record only if the caller may see it); None if the person is new."""
    with uow:
        existing = same_person(uow.session, full_name, date_of_birth, passport_number, exclude_id)
    if existing is None:
        return None
    visible = principal.may_access(existing.training_centre_id)
    return DuplicateCandidateError(existing.id if visible else None)
