"""The events identity consumes, for notification mails: matching's decisions (what to tell),
and the candidates' and job orders' snapshots (whom a decision concerns, and their names).

Identity is the source of organisations and users, so it reads none of identity-events. The
other types on the consumed topics are read past by name, so they are neither logged as unknown
nor dead-lettered.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from kakehashi.identity.adapters.tables import Notice, NotifiedCandidate, NotifiedJobOrder
from kakehashi.identity.domain.notifications import (
    RETRACTING,
    Audience,
    NoticeKind,
    notices_for,
)
from kakehashi.identity.service_layer import notifications
from kakehashi.shared.applier import Handler
from kakehashi.shared.events import EventEnvelope
from kakehashi.shared.unit_of_work import UnitOfWork
from kakehashi.shared.versioned import upsert_versioned

# Consumed types (each producer keeps its own constants; services share no code).
CANDIDATE_SNAPSHOTS = ("candidate.registered", "candidate.updated")
CANDIDATE_ERASED = "candidate.erased"
JOB_ORDER_SNAPSHOTS = ("job_order.opened", "job_order.updated")
MATCH_STATUS_CHANGED = "match.status_changed"
# The statuses in which a pair's proposal stands, as its mails told: leaving one of them back to
# RETRACTING takes the proposal back (a rejected pair's own mail told the end already).
STANDING = ("proposed", "interviewed", "selected")
READ_PAST = (
    "candidate.status_changed",
    "candidate.unpublished",
    "candidate.match_refused",
    "job_order.filled",
    "job_order.closed",
    "job_order.cancelled",
)


class CandidateSnapshot(BaseModel):
    """What a mail needs of `candidate.registered` / `candidate.updated`."""

    model_config = ConfigDict(extra="ignore")

    candidate_id: str = Field(min_length=1, max_length=36)
    version: int = Field(ge=1)
    training_centre_id: str = Field(min_length=1, max_length=64)
    full_name: str = Field(min_length=1, max_length=200)
    name_vi: str | None = Field(default=None, max_length=200)
    name_katakana: str | None = Field(default=None, max_length=200)


class CandidateErased(BaseModel):
    model_config = ConfigDict(extra="ignore")

    candidate_id: str = Field(min_length=1, max_length=36)
    version: int = Field(ge=1)


class JobOrderSnapshot(BaseModel):
    """What a mail needs of `job_order.opened` / `job_order.updated`."""

    model_config = ConfigDict(extra="ignore")

    job_order_id: str = Field(min_length=1, max_length=36)
    version: int = Field(ge=1)
    employer_id: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=200)


class MatchStatusData(BaseModel):
    """`match.status_changed`: where one candidate stands for one order, and why if rejected."""

    model_config = ConfigDict(extra="ignore")

    job_order_id: str = Field(min_length=1, max_length=36)
    candidate_id: str = Field(min_length=1, max_length=36)
    status: str = Field(min_length=1, max_length=32)
    action: str | None = Field(default=None, max_length=32)
    previous_status: str | None = Field(default=None, max_length=32)
    reason_code: str | None = Field(default=None, max_length=32)
    version: int = Field(ge=1)


def on_candidate_snapshot(event: EventEnvelope, uow: UnitOfWork) -> None:
    data = CandidateSnapshot.model_validate(event.data)
    fields = data.model_dump() | {"erased": False}
    if upsert_versioned(uow.session, NotifiedCandidate, data.candidate_id, fields) is not None:
        uow.session.flush()
        notifications.fan_out_waiting(uow.session, candidate_id=data.candidate_id)


def on_candidate_erased(event: EventEnvelope, uow: UnitOfWork) -> None:
    """Keep a nameless tombstone, and drop what was still to be mailed about the candidate."""
    data = CandidateErased.model_validate(event.data)
    tombstone = {
        "candidate_id": data.candidate_id,
        "version": data.version,
        "training_centre_id": None,
        "full_name": None,
        "name_vi": None,
        "name_katakana": None,
        "erased": True,
    }
    upsert_versioned(uow.session, NotifiedCandidate, data.candidate_id, tombstone)
    uow.session.flush()
    notifications.drop_pending_about(uow.session, data.candidate_id)
    notifications.fan_out_waiting(uow.session, candidate_id=data.candidate_id)


def on_job_order_snapshot(event: EventEnvelope, uow: UnitOfWork) -> None:
    data = JobOrderSnapshot.model_validate(event.data)
    if upsert_versioned(uow.session, NotifiedJobOrder, data.job_order_id, data.model_dump()):
        uow.session.flush()
        notifications.fan_out_waiting(uow.session, job_order_id=data.job_order_id)


def on_match_status_changed(event: EventEnvelope, uow: UnitOfWork) -> None:
    """A notice per audience the decision concerns (none for the program office's own steps);
    a pair going back from a proposal (undone, or the candidate withdrawn) corrects the
    proposal's mails, or drops them if they were not sent yet."""
    data = MatchStatusData.model_validate(event.data)
    for audience, kind in notices_for(data.status, data.action):
        notice = Notice(
            event_id=str(event.id),
            audience=audience.value,
            kind=kind.value,
            candidate_id=data.candidate_id,
            job_order_id=data.job_order_id,
            reason_code=data.reason_code,
            occurred_at=event.time,
        )
        notifications.take_notice(uow.session, notice)
    if data.status in RETRACTING and data.previous_status in STANDING:
        for audience in Audience:
            correction = Notice(
                event_id=str(event.id),
                audience=audience.value,
                kind=NoticeKind.PROPOSAL_WITHDRAWN.value,
                candidate_id=data.candidate_id,
                job_order_id=data.job_order_id,
                occurred_at=event.time,
            )
            notifications.retract_proposal(uow.session, correction)


def _read_past(_event: EventEnvelope, _uow: UnitOfWork) -> None:
    """An event on a consumed topic that tells no one anything."""


HANDLERS: dict[str, Handler] = {
    **dict.fromkeys(CANDIDATE_SNAPSHOTS, on_candidate_snapshot),
    CANDIDATE_ERASED: on_candidate_erased,
    **dict.fromkeys(JOB_ORDER_SNAPSHOTS, on_job_order_snapshot),
    MATCH_STATUS_CHANGED: on_match_status_changed,
    **dict.fromkeys(READ_PAST, _read_past),
}
