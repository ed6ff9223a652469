"""Read-only use cases: one order, a filtered page of orders, an order's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from kakehashi.employers.adapters import mapping
from kakehashi.employers.adapters.tables import EmployerProfile, JobOrder, JobOrderTransition
from kakehashi.employers.domain.employer import EmployerProfileData
from kakehashi.employers.domain.lifecycle import JobOrderStatus
from kakehashi.employers.domain.model import JobOrderTerms
from kakehashi.shared.auth import Principal
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


def list_job_orders(
    uow: UnitOfWork,
    principal: Principal,
    filters: JobOrderFilter,
    *,
    limit: int,
    offset: int,
) -> tuple[list[JobOrder], int]:
    """A page of the orders the caller may see that match `filters`, newest first, and a count."""
    conditions = _visible(principal) + filters.conditions()
    query = select(JobOrder).where(*conditions)
    count = select(func.count()).select_from(JobOrder).where(*conditions)
    with uow:
        items = uow.session.exec(
            query.order_by(col(JobOrder.created_at).desc(), col(JobOrder.id))
            .offset(offset)
            .limit(limit)
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
