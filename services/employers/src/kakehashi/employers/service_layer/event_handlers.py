"""The events employers consumes, their schemas and handlers: matching's decisions, counted per
order as selections; the order fills when they reach its headcount.

A selection the candidate's owner refused (candidates' `candidate.match_refused`, the saga's
compensating step) is not counted; a filled order that loses a selection so goes back to
interviewing.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, or_
from sqlmodel import col, select

from kakehashi.employers.adapters import mapping
from kakehashi.employers.adapters.tables import JobOrder, Selection
from kakehashi.employers.domain.lifecycle import JobOrderStatus, steps_to_filled
from kakehashi.employers.service_layer.handlers import emit_change, history_row
from kakehashi.shared.applier import Handler
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.clock import utcnow
from kakehashi.shared.events import EventEnvelope
from kakehashi.shared.organisations import IDENTITY_HANDLERS
from kakehashi.shared.unit_of_work import UnitOfWork
from kakehashi.shared.versioned import upsert_versioned

# Consumed from matching (its producer keeps its own constant; services share no code).
MATCH_STATUS_CHANGED = "match.status_changed"
CANDIDATE_MATCH_REFUSED = "candidate.match_refused"
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


class MatchRefusedData(BaseModel):
    """`candidate.match_refused`: the candidate's pipeline did not follow one decision."""

    model_config = ConfigDict(extra="ignore")

    job_order_id: str
    candidate_id: str
    match_version: int = Field(ge=1)
    reason_code: str = Field(max_length=32)


def match_status_changed(event: EventEnvelope, uow: UnitOfWork) -> None:
    data = MatchStatusData.model_validate(event.data)
    key = (data.job_order_id, data.candidate_id)
    now = utcnow()
    fields = data.model_dump(include={"job_order_id", "candidate_id", "status", "version"})
    if upsert_versioned(uow.session, Selection, key, fields | {"updated_at": now}) is None:
        return  # a late or repeated decision
    recount(uow, data.job_order_id)


def match_refused(event: EventEnvelope, uow: UnitOfWork) -> None:
    """Stop counting the refused decision; the refusal may come before the decision itself (the
    topics differ), so a placeholder row waits for it."""
    data = MatchRefusedData.model_validate(event.data)
    key = (data.job_order_id, data.candidate_id)
    row = uow.session.get(Selection, key, with_for_update=True)
    if row is None:
        row = Selection(
            job_order_id=data.job_order_id,
            candidate_id=data.candidate_id,
            status="unknown",
            version=0,  # any decision is newer
            updated_at=utcnow(),
        )
    elif row.version > data.match_version:
        return  # the pair was decided on since; that decision is judged on its own
    row.refused_version, row.refusal_code = data.match_version, data.reason_code
    uow.session.add(row)
    recount(uow, data.job_order_id)


def recount(uow: UnitOfWork, job_order_id: str) -> None:
    """Count the order's selections that nobody refused; fill or reopen the order to match."""
    now = utcnow()
    uow.session.flush()
    order = uow.session.get(JobOrder, job_order_id, with_for_update=True)
    if order is None:
        return  # a decision on an order this service never had: nothing to count
    selected = uow.session.exec(
        select(func.count())
        .select_from(Selection)
        .where(
            Selection.job_order_id == order.id,
            Selection.status == SELECTED,
            or_(
                col(Selection.refused_version).is_(None),
                col(Selection.refused_version) != col(Selection.version),
            ),
        )
    ).one()
    order.headcount_filled = int(selected)
    for step in steps_to_filled(mapping.status_of(order), order.headcount_filled, order.headcount):
        before = mapping.status_of(order)
        order.status = step.value
        order.version += 1
        order.updated_at = now
        uow.session.add(history_row(order.id, before, step, MATCHING_DECISIONS, now, _why(step)))
        emit_change(uow, order, before, step, mapping.terms_of(order))
    uow.session.add(order)


def _why(step: JobOrderStatus) -> str:
    return "headcount reached" if step is JobOrderStatus.FILLED else "a selection was released"


def not_ours(event: EventEnvelope, uow: UnitOfWork) -> None:
    """Candidate events employers reads past: named, so that they are not logged as unknown."""


# The other events on candidate-events, which employers receives for `candidate.match_refused`.
NOT_OURS = (
    "candidate.registered",
    "candidate.updated",
    "candidate.status_changed",
    "candidate.unpublished",
    "candidate.erased",
)
HANDLERS: dict[str, Handler] = {
    MATCH_STATUS_CHANGED: match_status_changed,
    CANDIDATE_MATCH_REFUSED: match_refused,
    **dict.fromkeys(NOT_OURS, not_ours),
    # identity's organisations, for their names (kakehashi.shared.organisations)
    **IDENTITY_HANDLERS,
}
