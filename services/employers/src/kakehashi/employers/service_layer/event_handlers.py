"""The events employers consumes, their schemas and handlers: matching's decisions, counted per
order as selections; the order fills when they reach its headcount."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func
from sqlmodel import select

from kakehashi.employers.adapters import mapping
from kakehashi.employers.adapters.tables import JobOrder, Selection
from kakehashi.employers.domain.lifecycle import steps_to_filled
from kakehashi.employers.service_layer.handlers import emit_change, history_row
from kakehashi.shared.applier import Handler
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.clock import utcnow
from kakehashi.shared.events import EventEnvelope
from kakehashi.shared.unit_of_work import UnitOfWork
from kakehashi.shared.versioned import upsert_versioned

# Consumed from matching (its producer keeps its own constant; services share no code).
MATCH_STATUS_CHANGED = "match.status_changed"
SELECTED = "selected"
# Who the history names when an order fills because of decisions taken in matching.
MATCHING_DECISIONS = Principal(
    subject="matching-decisions", role=Role.ADMIN, organisation_id="kakehashi"
)


class MatchStatusData(BaseModel):
    """`match.status_changed`: where one candidate stands for one order."""

    model_config = ConfigDict(extra="ignore")

    job_order_id: str
    candidate_id: str
    status: str
    version: int = Field(ge=1)


def match_status_changed(event: EventEnvelope, uow: UnitOfWork) -> None:
    data = MatchStatusData.model_validate(event.data)
    key = (data.job_order_id, data.candidate_id)
    now = utcnow()
    fields = data.model_dump(include={"job_order_id", "candidate_id", "status", "version"})
    if upsert_versioned(uow.session, Selection, key, fields | {"updated_at": now}) is None:
        return  # a late or repeated decision
    uow.session.flush()
    order = uow.session.get(JobOrder, data.job_order_id, with_for_update=True)
    if order is None:
        return  # a decision on an order this service never had: nothing to count
    selected = uow.session.exec(
        select(func.count())
        .select_from(Selection)
        .where(Selection.job_order_id == order.id, Selection.status == SELECTED)
    ).one()
    order.headcount_filled = int(selected)
    for step in steps_to_filled(mapping.status_of(order), order.headcount_filled, order.headcount):
        before = mapping.status_of(order)
        order.status = step.value
        order.version += 1
        order.updated_at = now
        uow.session.add(
            history_row(order.id, before, step, MATCHING_DECISIONS, now, "headcount reached")
        )
        emit_change(uow, order, before, step, mapping.terms_of(order))
    uow.session.add(order)


HANDLERS: dict[str, Handler] = {MATCH_STATUS_CHANGED: match_status_changed}
