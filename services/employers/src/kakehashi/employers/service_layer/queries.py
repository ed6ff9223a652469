"""Read-only use cases: one order, a filtered page of orders, an order's history, the candidates
matching has put before its employer, and what the rules say about a 求人票 being written."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Float, cast, func
from sqlmodel import col, select

from kakehashi.employers.adapters import mapping
from kakehashi.employers.adapters.tables import (
    CandidateName,
    EmployerProfile,
    JobOrder,
    JobOrderTransition,
    Selection,
)
from kakehashi.employers.domain.employer import EmployerProfileData
from kakehashi.employers.domain.lifecycle import JobOrderStatus
from kakehashi.employers.domain.model import JobOrderTerms, JobOrderWarning, Preferences
from kakehashi.employers.domain.reference_data import (
    JapaneseFloor,
    MinimumWage,
    japanese_floor,
    minimum_wage,
)
from kakehashi.employers.domain.rules import (
    check_terms,
    default_japanese_level,
    hourly_pay,
    reference_date,
    warnings_for,
)
from kakehashi.shared.auth import Principal
from kakehashi.shared.errors import DomainError
from kakehashi.shared.reference import Sector, Track
from kakehashi.shared.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class JobOrderFilter:
    track: Track | None = None
    sector: Sector | None = None
    prefecture: str | None = None
    status: JobOrderStatus | None = None
    deadline_before: date | None = None  # application deadline on or before
    deadline_after: date | None = None  # application deadline on or after

    def conditions(self) -> list[Any]:
        conditions: list[Any] = []
        if self.track is not None:
            conditions.append(col(JobOrder.track) == self.track.value)
        if self.sector is not None:
            conditions.append(col(JobOrder.sector) == self.sector.value)
        if self.prefecture is not None:
            conditions.append(col(JobOrder.prefecture) == self.prefecture)
        if self.status is not None:
            conditions.append(col(JobOrder.status) == self.status.value)
        if self.deadline_before is not None:
            conditions.append(col(JobOrder.application_deadline) <= self.deadline_before)
        if self.deadline_after is not None:
            conditions.append(col(JobOrder.application_deadline) >= self.deadline_after)
        return conditions


def _visible(principal: Principal) -> list[Any]:
    if principal.sees_everything:
        return []
    return [col(JobOrder.employer_id) == principal.organisation_id]


def get_job_order(uow: UnitOfWork, principal: Principal, job_order_id: str) -> JobOrder | None:
    """The order if the caller may see it; another employer's order is simply not found."""
    with uow:
        return _visible_order(uow, principal, job_order_id)


def _visible_order(uow: UnitOfWork, principal: Principal, job_order_id: str) -> JobOrder | None:
    order = uow.session.get(JobOrder, job_order_id)
    if order is None:
        return None
    if not principal.may_access(order.employer_id):
        return None
    return order


def job_order_sheet(
    uow: UnitOfWork, principal: Principal, job_order_id: str
) -> tuple[JobOrderTerms, EmployerProfileData | None] | None:
    """What a printed 求人票 shows: the order's terms (never its preferences) and the employer's
    profile, None if it has none yet; None if the caller may not see the order."""
    with uow:
        order = _visible_order(uow, principal, job_order_id)
        if order is None:
            return None
        profile = uow.session.get(EmployerProfile, order.employer_id)
        return mapping.terms_of(order), mapping.profile_of(profile) if profile else None


class JobOrderSort(StrEnum):
    """How a list of orders is ordered (the id breaks ties, so pages never overlap)."""

    NEWEST = "newest"
    DEADLINE = "deadline"  # soonest application deadline first, orders without one last
    TITLE = "title"
    FILL = "fill"  # least filled first: the orders that need candidates most


def _ordering(sort: JobOrderSort) -> list[Any]:
    if sort is JobOrderSort.DEADLINE:
        deadline = col(JobOrder.application_deadline)
        return [deadline.is_(None), deadline, col(JobOrder.created_at).desc()]
    if sort is JobOrderSort.TITLE:
        return [col(JobOrder.title)]
    if sort is JobOrderSort.FILL:
        fill = cast(col(JobOrder.headcount_filled), Float) / col(JobOrder.headcount)
        return [
            fill,
            col(JobOrder.application_deadline).is_(None),
            col(JobOrder.application_deadline),
        ]
    return [col(JobOrder.created_at).desc()]


def list_job_orders(
    uow: UnitOfWork,
    principal: Principal,
    filters: JobOrderFilter,
    *,
    limit: int,
    offset: int,
    sort: JobOrderSort = JobOrderSort.NEWEST,
) -> tuple[list[JobOrder], int]:
    """A page of the orders the caller may see that match `filters`, in `sort` order (newest
    first by default), and a count."""
    conditions = _visible(principal) + filters.conditions()
    query = select(JobOrder).where(*conditions)
    count = select(func.count()).select_from(JobOrder).where(*conditions)
    with uow:
        items = uow.session.exec(
            query.order_by(*_ordering(sort), col(JobOrder.id)).offset(offset).limit(limit)
        ).all()
        total = uow.session.exec(count).one()
    return list(items), int(total)


def job_order_history(
    uow: UnitOfWork, principal: Principal, job_order_id: str
) -> list[JobOrderTransition] | None:
    """The order's status changes, oldest first; None if the caller may not see the order."""
    if get_job_order(uow, principal, job_order_id) is None:
        return None
    with uow:
        rows = uow.session.exec(
            select(JobOrderTransition)
            .where(col(JobOrderTransition.job_order_id) == job_order_id)
            .order_by(col(JobOrderTransition.id))
        ).all()
    return list(rows)


# What matching has put before the employer (its employer-visible pair statuses).
BEFORE_THE_EMPLOYER = ("proposed", "interviewed", "selected")


@dataclass(frozen=True)
class Proposal:
    """A candidate put before the employer: where they stand, since when, and their name in its
    three spellings (None until candidates' snapshot of them has arrived)."""

    candidate_id: str
    status: str
    updated_at: datetime
    full_name: str | None
    name_vi: str | None
    name_katakana: str | None


def proposals_of(uow: UnitOfWork, principal: Principal, job_order_id: str) -> list[Proposal] | None:
    """The candidates matching proposed to the order's employer and where each stands
    (proposed, interviewed, selected), oldest first; None if the caller may not see the order.

    Refused decisions (the candidate's owner did not follow) are left out: they hold no place.
    A candidate who withdrew consent to share their profile (or was erased) is never shown."""
    with uow:
        if _visible_order(uow, principal, job_order_id) is None:
            return None
        rows = uow.session.exec(
            select(Selection, CandidateName)
            .join(
                CandidateName,
                col(CandidateName.candidate_id) == col(Selection.candidate_id),
                isouter=True,
            )
            .where(
                col(Selection.job_order_id) == job_order_id,
                col(Selection.status).in_(BEFORE_THE_EMPLOYER),
            )
            .order_by(col(Selection.updated_at), col(Selection.candidate_id))
        ).all()
    return [
        Proposal(
            candidate_id=row.candidate_id,
            status=row.status,
            updated_at=row.updated_at,
            full_name=name.full_name if name else None,
            name_vi=name.name_vi if name else None,
            name_katakana=name.name_katakana if name else None,
        )
        for row, name in rows
        if row.refused_version != row.version and (name is None or name.shared)
    ]


@dataclass(frozen=True)
class DraftCheck:
    """What the rules say about a 求人票 while it is being written, before it is saved: the
    Japanese floor of its track (and whether it asks for less), the prefecture's minimum wage
    and the pay's hourly rate, and the warnings saving it would record."""

    on: date  # the day whose rules apply
    terms: JobOrderTerms  # as they would be saved (the floor put in when no level is named)
    japanese_floor: JapaneseFloor | None
    below_floor: bool
    minimum_wage: MinimumWage | None
    hourly_pay_yen: float | None
    warnings: list[JobOrderWarning]
    refusal: DomainError | None  # the first rule saving would refuse, naming its field


def check_draft(
    terms: JobOrderTerms, preferences: Preferences, today: date, *, japanese_level_given: bool
) -> DraftCheck:
    """The rules of `rules.py` applied to a draft, as posting would apply them, without saving
    nor refusing anything. An order that names no Japanese level asks for the floor."""
    on = reference_date(terms, today)
    floor = japanese_floor(terms.track, terms.sector, on)
    if not japanese_level_given:
        terms = replace(
            terms, min_japanese_level=default_japanese_level(terms.track, terms.sector, on)
        )
    pay = terms.monthly_base_pay_yen
    try:
        check_terms(terms, preferences, today)
        refusal = None
    except DomainError as error:
        refusal = error
    return DraftCheck(
        on=on,
        terms=terms,
        japanese_floor=floor,
        below_floor=floor is not None and terms.min_japanese_level.rank < floor.min_level.rank,
        minimum_wage=minimum_wage(terms.prefecture, on),
        hourly_pay_yen=hourly_pay(pay, terms.hours_per_week) if pay is not None else None,
        warnings=warnings_for(terms, preferences, today),
        refusal=refusal,
    )
