"""The events employers consumes, their schemas and handlers: matching's decisions, counted per
order as selections; the order fills when they reach its headcount; candidates' names, so that
the order page names the people proposed (gone again once a candidate withdraws consent).

A selection the candidate's owner refused (candidates' `candidate.match_refused`, the saga's
compensating step) is not counted; a filled order that loses a selection so goes back to
interviewing.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, or_
from sqlmodel import col, select

from kakehashi.employers.adapters import mapping
from kakehashi.employers.adapters.tables import CandidateName, JobOrder, Selection
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
CANDIDATE_SNAPSHOTS = ("candidate.registered", "candidate.updated")
CANDIDATE_WITHHELD = ("candidate.unpublished", "candidate.erased")
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


class CandidateNameData(BaseModel):
    """What the order page needs of `candidate.registered` / `candidate.updated`: the name."""

    model_config = ConfigDict(extra="ignore")

    candidate_id: str = Field(min_length=1, max_length=36)
    version: int = Field(ge=1)
    full_name: str = Field(min_length=1, max_length=200)
    name_vi: str | None = Field(default=None, max_length=200)
    name_katakana: str | None = Field(default=None, max_length=200)


class CandidateWithheldData(BaseModel):
    """`candidate.unpublished` / `candidate.erased`: the name is no longer to be shown."""

    model_config = ConfigDict(extra="ignore")

    candidate_id: str = Field(min_length=1, max_length=36)
    version: int = Field(ge=1)


def candidate_snapshot(event: EventEnvelope, uow: UnitOfWork) -> None:
    """Keep the name (a republished candidate's snapshot shares it again)."""
    data = CandidateNameData.model_validate(event.data)
    fields = data.model_dump() | {"shared": True}
    upsert_versioned(uow.session, CandidateName, data.candidate_id, fields)


def candidate_withheld(event: EventEnvelope, uow: UnitOfWork) -> None:
    """Forget the name and hide the candidate's proposals: consent withdrawn, or data erased."""
    data = CandidateWithheldData.model_validate(event.data)
    nameless = {"full_name": None, "name_vi": None, "name_katakana": None, "shared": False}
    upsert_versioned(uow.session, CandidateName, data.candidate_id, data.model_dump() | nameless)


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


# The other event on candidate-events, which employers receives for the ones above.
NOT_OURS = ("candidate.status_changed",)
HANDLERS: dict[str, Handler] = {
    MATCH_STATUS_CHANGED: match_status_changed,
    CANDIDATE_MATCH_REFUSED: match_refused,
    **dict.fromkeys(CANDIDATE_SNAPSHOTS, candidate_snapshot),
    **dict.fromkeys(CANDIDATE_WITHHELD, candidate_withheld),
    **dict.fromkeys(NOT_OURS, not_ours),
    # identity's organisations, for their names (kakehashi.shared.organisations)
    **IDENTITY_HANDLERS,
}
