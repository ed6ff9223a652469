"""Use cases of the employers service, one transaction each."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import func
from sqlmodel import col, select

from kakehashi.employers.adapters.tables import JobOrder
from kakehashi.employers.domain.model import (
    JOB_ORDER_OPENED,
    PostJobOrder,
    check_job_order,
    opened_event_data,
)
from kakehashi.shared.auth import Principal
from kakehashi.shared.events import JOB_ORDER_EVENTS, EventEnvelope
from kakehashi.shared.unit_of_work import UnitOfWork

SOURCE = "kakehashi.employers"


def post_job_order(uow: UnitOfWork, command: PostJobOrder) -> JobOrder:
    """Save a new open job order and its `job_order.opened` event in one transaction."""
    check_job_order(command)
    job_order_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    order = JobOrder(
        id=job_order_id,
        employer_id=command.employer_id,
        title=command.title,
        sector=command.sector.value,
        prefecture=command.prefecture,
        headcount=command.headcount,
        min_japanese_level=command.min_japanese_level.value,
        required_skills=[
            {"code": s.code, "min_level": s.min_level, "must_have": s.must_have}
            for s in command.required_skills
        ],
        status="open",
        version=1,
        created_at=now,
        updated_at=now,
    )
    with uow:
        uow.session.add(order)
        uow.emit(
            JOB_ORDER_EVENTS,
            EventEnvelope.new(
                type=JOB_ORDER_OPENED,
                source=SOURCE,
                subject=job_order_id,
                data=opened_event_data(job_order_id, command, order.version),
            ),
        )
        uow.commit()
    return order


def get_job_order(uow: UnitOfWork, principal: Principal, job_order_id: str) -> JobOrder | None:
    """The order if the caller may see it; another employer's order is simply not found."""
    with uow:
        order = uow.session.get(JobOrder, job_order_id)
        if order is None:
            return None
        if not principal.sees_everything and order.employer_id != principal.organisation_id:
            return None
        return order


def list_job_orders(
    uow: UnitOfWork, principal: Principal, *, limit: int, offset: int
) -> tuple[list[JobOrder], int]:
    """A page of the orders the caller may see, newest first, and how many there are."""
    query = select(JobOrder)
    count = select(func.count()).select_from(JobOrder)
    if not principal.sees_everything:
        query = query.where(JobOrder.employer_id == principal.organisation_id)
        count = count.where(JobOrder.employer_id == principal.organisation_id)
    with uow:
        items = uow.session.exec(
            query.order_by(col(JobOrder.created_at).desc(), col(JobOrder.id))
            .offset(offset)
            .limit(limit)
        ).all()
        total = uow.session.exec(count).one()
    return list(items), int(total)
