"""The events candidates consumes, their schemas and handlers: matching's decisions, which the
candidate's pipeline follows pair by pair; employers' job orders, kept as a small directory
(title, employer) so the portal names orders; identity's organisations, for their names.

Each move goes through `change_status`, as a manual one does: history entry, audit row and
`candidate.status_changed` in the consumer's transaction. A placing decision the pipeline
cannot follow (the candidate withdrew, was erased, is selected for another order, is past
selection…) is noted on the pair and answered with `candidate.match_refused`, in the same
transaction: matching marks the pair refused and employers stop counting it (the saga's
compensating step). It is never retried: a person settles it.
"""

from __future__ import annotations

import logging

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col, select

from kakehashi.candidates.adapters.tables import CandidateMatch, JobOrderEntry
from kakehashi.candidates.domain.eligibility import eligible_tracks
from kakehashi.candidates.domain.events import (
    CANDIDATE_MATCH_REFUSED,
    SOURCE,
    MoveCause,
    match_refused_data,
)
from kakehashi.candidates.domain.match_decisions import (
    DECIDER_ROLE,
    LIVE,
    PairStatus,
    RefusalReason,
    plan_moves,
)
from kakehashi.candidates.domain.pipeline import Status
from kakehashi.candidates.service_layer.handlers import (
    change_status,
    details,
    lock_candidate,
)
from kakehashi.shared.applier import Handler
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.clock import today, utcnow
from kakehashi.shared.events import CANDIDATE_EVENTS, EventEnvelope
from kakehashi.shared.organisations import IDENTITY_HANDLERS
from kakehashi.shared.unit_of_work import UnitOfWork
from kakehashi.shared.versioned import is_stale, upsert_versioned

log = logging.getLogger(__name__)

# Consumed from matching and employers (producers keep their own constants; no shared code).
MATCH_STATUS_CHANGED = "match.status_changed"
JOB_ORDER_SNAPSHOTS = ("job_order.opened", "job_order.updated")
JOB_ORDER_STATUSES = ("job_order.filled", "job_order.closed", "job_order.cancelled")

# Who the history names when the event does not say who decided.
MATCHING = "matching"
MATCHING_ORGANISATION = "kakehashi"
PAIR_STATUSES = frozenset(PairStatus)


class MatchStatusData(BaseModel):
    """`match.status_changed`: where one candidate stands for one order, and who decided it."""

    model_config = ConfigDict(extra="ignore")

    match_id: str = Field(min_length=1, max_length=100)
    job_order_id: str = Field(min_length=1, max_length=36)
    candidate_id: str = Field(min_length=1, max_length=36)
    # Plain strings: a status added in matching later is noted and skipped, not dead-lettered.
    status: str
    previous_status: str | None = None
    version: int = Field(ge=1)
    decided_by: str | None = Field(default=None, max_length=200)
    decided_by_role: str | None = None
    decided_by_organisation_id: str | None = Field(default=None, max_length=100)


def decider(data: MatchStatusData) -> Principal:
    """The person the event names as having decided, else matching itself in the role that
    takes such a decision (`DECIDER_ROLE`: the program manager proposes, the employer selects),
    so the history can say who decided even when the event names nobody."""
    role = Role(DECIDER_ROLE.get(data.status, Role.PROGRAM_MANAGER))
    if data.decided_by_role in {r.value for r in Role}:
        role = Role(data.decided_by_role)
    return Principal(
        subject=data.decided_by or MATCHING,
        role=role,
        organisation_id=data.decided_by_organisation_id or MATCHING_ORGANISATION,
    )


def match_status_changed(event: EventEnvelope, uow: UnitOfWork) -> None:
    """Record the pair's latest decision and move the candidate as it implies (or note why not)."""
    data = MatchStatusData.model_validate(event.data)
    row = lock_candidate(uow.session, data.candidate_id)
    if row is None:
        log.info("decision on an unknown candidate refused", extra={"match_id": data.match_id})
        if data.status in LIVE:
            refuse(uow, data, RefusalReason.UNKNOWN_CANDIDATE, "no such candidate")
        return
    pair = uow.session.get(CandidateMatch, data.match_id)
    if is_stale(pair, data.version):
        return  # a late or repeated decision
    pair_was = {
        PairStatus(s)
        for s in (pair.status if pair else None, data.previous_status)
        if s in PAIR_STATUSES
    }
    others_live = [
        PairStatus(other.status)
        for other in uow.session.exec(
            select(CandidateMatch).where(
                col(CandidateMatch.candidate_id) == row.id,
                col(CandidateMatch.match_id) != data.match_id,
                col(CandidateMatch.status).in_([s.value for s in LIVE]),
            )
        )
    ]
    now = utcnow()
    if pair is None:
        pair = CandidateMatch(
            match_id=data.match_id,
            candidate_id=row.id,
            job_order_id=data.job_order_id,
            status=data.status,
            version=data.version,
            updated_at=now,
        )
    pair.status, pair.version, pair.updated_at = data.status, data.version, now
    if data.status not in PAIR_STATUSES:
        pair.note = f"unknown match status {data.status!r}"
        uow.session.add(pair)
        log.warning("decision with an unknown status skipped", extra={"match_id": data.match_id})
        return
    if row.erased_at is not None:
        pair.note = "the candidate's data was erased"
        pair.refusal = RefusalReason.ERASED.value if data.status in LIVE else None
        uow.session.add(pair)
        if pair.refusal:
            refuse(uow, data, RefusalReason.ERASED, pair.note)
        return
    found = details(row, today())
    plan = plan_moves(
        Status(row.status),
        Status(row.training_status),
        PairStatus(data.status),
        pair_was,
        others_live,
        eligible_tracks(found.eligibility),
    )
    principal = decider(data)
    reason = f"match {data.status} for job order {data.job_order_id}"
    for step in plan.steps:
        change_status(uow, principal, found, step, reason, MoveCause.MATCH_DECISION)
    pair.note = plan.note
    pair.refusal = plan.refusal.value if plan.refusal else None
    uow.session.add(pair)
    if plan.refusal is not None:
        log.warning(
            "decision refused: the pipeline cannot follow it",
            extra={"match_id": data.match_id, "version": data.version, "note": plan.note},
        )
        refuse(uow, data, plan.refusal, plan.note or plan.refusal.value)


def refuse(uow: UnitOfWork, data: MatchStatusData, reason: RefusalReason, message: str) -> None:
    """Answer a decision the pipeline cannot follow with `candidate.match_refused` (keyed by the
    candidate, like every candidate event, so it follows the candidate's own changes in order)."""
    uow.emit(
        CANDIDATE_EVENTS,
        EventEnvelope.new(
            type=CANDIDATE_MATCH_REFUSED,
            source=SOURCE,
            subject=data.candidate_id,
            data=match_refused_data(
                match_id=data.match_id,
                job_order_id=data.job_order_id,
                candidate_id=data.candidate_id,
                match_version=data.version,
                status=data.status,
                reason_code=reason.value,
                message=message,
            ),
        ),
    )


class JobOrderStatusData(BaseModel):
    """`job_order.filled` / `closed` / `cancelled`: an order's new status."""

    model_config = ConfigDict(extra="ignore")

    job_order_id: str = Field(min_length=1, max_length=36)
    version: int = Field(ge=1)
    status: str = Field(min_length=1, max_length=32)


class JobOrderData(JobOrderStatusData):
    """`job_order.opened` / `updated`: of the order's snapshot, what the portal names it by."""

    employer_id: str = Field(min_length=1, max_length=100)
    title: str = Field(min_length=1, max_length=200)


def job_order_snapshot(event: EventEnvelope, uow: UnitOfWork) -> None:
    """Keep the order's newest title and employer. A snapshot older than a status event already
    kept still gives a title the directory lacks (the decisions naming it may be waiting)."""
    data = JobOrderData.model_validate(event.data)
    fields = data.model_dump() | {"updated_at": utcnow()}
    if upsert_versioned(uow.session, JobOrderEntry, data.job_order_id, fields) is None:
        row = uow.session.get(JobOrderEntry, data.job_order_id)
        if row is not None and row.title is None:
            row.title, row.employer_id = data.title, data.employer_id
            uow.session.add(row)


def job_order_status(event: EventEnvelope, uow: UnitOfWork) -> None:
    """Note a filled, closed or cancelled order (its title comes with a snapshot)."""
    data = JobOrderStatusData.model_validate(event.data)
    fields = data.model_dump() | {"updated_at": utcnow()}
    upsert_versioned(uow.session, JobOrderEntry, data.job_order_id, fields)


HANDLERS: dict[str, Handler] = {
    MATCH_STATUS_CHANGED: match_status_changed,
    # employers' orders, for their titles on the portal
    **dict.fromkeys(JOB_ORDER_SNAPSHOTS, job_order_snapshot),
    **dict.fromkeys(JOB_ORDER_STATUSES, job_order_status),
    # identity's organisations, for their names (kakehashi.shared.organisations)
    **IDENTITY_HANDLERS,
}
