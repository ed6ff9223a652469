"""One registration's writes, prepared outside the transaction and inserted in bulk.

POST /candidates writes one; an import writes a chunk of them with one INSERT per table. Rows
are column values, not ORM objects: building 100k SQLModel objects costs more than the inserts.
What is written (`RegistrationRows`) is plain values only, the event already its outbox row, so
an import's helper process hands it over cheaply (docs/operations.md, "Fifth round").
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Table
from sqlmodel import SQLModel

from kakehashi.candidates.adapters.mapping import profile_columns
from kakehashi.candidates.adapters.tables import (
    AuditEntry,
    Candidate,
    CandidateConsent,
    CandidateTransition,
)
from kakehashi.candidates.domain.commands import RegisterCandidate
from kakehashi.candidates.domain.consent import (
    ConsentRecord,
    ConsentStatus,
    check_new_consent,
    may_publish,
)
from kakehashi.candidates.domain.eligibility import TrackEligibility, evaluate
from kakehashi.candidates.domain.events import CANDIDATE_REGISTERED, SOURCE, snapshot_data
from kakehashi.candidates.domain.pipeline import Status
from kakehashi.candidates.domain.privacy import AuditAction
from kakehashi.candidates.domain.profile import CandidateProfile
from kakehashi.candidates.domain.validation import normalise_profile
from kakehashi.candidates.service_layer import audit
from kakehashi.candidates.service_layer.publication import CandidateDetails
from kakehashi.shared.auth import Principal
from kakehashi.shared.clock import utcnow
from kakehashi.shared.db import insert_many, insert_together, is_postgres
from kakehashi.shared.events import CANDIDATE_EVENTS, EventEnvelope
from kakehashi.shared.ids import new_id
from kakehashi.shared.outbox import OutboxMessage, outbox_values
from kakehashi.shared.relay_wakeup import NOTIFY_CHANNEL
from kakehashi.shared.unit_of_work import UnitOfWork


@dataclass
class RegistrationRows:
    """The rows one registration writes: the candidate's, its first history entry's, its
    consents' and, if it is published, its event's outbox row."""

    candidate: dict[str, Any]
    history: dict[str, Any]
    consents: list[dict[str, Any]]
    outbox: dict[str, Any] | None

    @property
    def id(self) -> str:
        return str(self.candidate["id"])


@dataclass
class Registration:
    """Column values of the candidate, its first history entry and consents; the event if the
    candidate is published (a sharing consent came with it)."""

    candidate: dict[str, Any]
    profile: CandidateProfile
    eligibility: tuple[TrackEligibility, ...]
    history: dict[str, Any]
    consents: list[dict[str, Any]] = field(default_factory=list)
    event: EventEnvelope | None = None

    @property
    def id(self) -> str:
        return str(self.candidate["id"])

    def details(self) -> CandidateDetails:
        return CandidateDetails(Candidate(**self.candidate), self.profile, self.eligibility)

    def rows(self) -> RegistrationRows:
        """What is written. An import's helper sends these, not the registration: its profile,
        eligibility and event pickled both ways cost 0.23 ms a row, two thirds of preparing it."""
        outbox = None if self.event is None else outbox_values(CANDIDATE_EVENTS, self.event)
        return RegistrationRows(self.candidate, self.history, self.consents, outbox)


def prepare_registration(
    principal: Principal, command: RegisterCandidate, on: date
) -> Registration:
    """Check the profile and consents (DomainError) and build the rows and the event, if any."""
    profile = normalise_profile(command.profile, on)
    eligibility = evaluate(profile, on)
    now = utcnow()
    # Random, not time-ordered (shared/ids.py): its first 8 digits are the candidate's short
    # reference on the portal's pages and in its search.
    candidate_id = str(uuid.uuid4())
    records: list[ConsentRecord] = []
    for terms in command.consents:
        check_new_consent(records, terms)
        records.append(
            ConsentRecord(
                id=new_id(),
                terms=terms,
                status=ConsentStatus.GIVEN,
                given_at=now,
                recorded_by=principal.subject,
                recorded_by_organisation_id=principal.organisation_id,
            )
        )
    published = may_publish(records)
    candidate = {
        "id": candidate_id,
        "training_centre_id": command.training_centre_id,
        "status": Status.REGISTERED.value,
        "training_status": Status.REGISTERED.value,
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "published": published,
        "erased_at": None,
        **profile_columns(profile, eligibility),
    }
    history = {
        "candidate_id": candidate_id,
        "from_status": None,
        "to_status": Status.REGISTERED.value,
        "reason": "registered",
        "actor": principal.subject,
        "actor_organisation_id": principal.organisation_id,
        "at": now,
    }
    event = None
    if published:
        data = snapshot_data(
            candidate_id=candidate_id,
            version=1,
            training_centre_id=command.training_centre_id,
            status=Status.REGISTERED,
            training_status=Status.REGISTERED,
            profile=profile,
            eligibility=eligibility,
            today=on,
        )
        event = EventEnvelope.new(
            type=CANDIDATE_REGISTERED, source=SOURCE, subject=candidate_id, data=data
        )
    consents = [_consent_values(candidate_id, r) for r in records]
    return Registration(candidate, profile, eligibility, history, consents, event)


def _consent_values(candidate_id: str, record: ConsentRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "candidate_id": candidate_id,
        "purpose": record.terms.purpose.value,
        "scope": record.terms.scope.value,
        "notice_version": record.terms.notice_version,
        "language": record.terms.language.value,
        "status": record.status.value,
        "given_at": record.given_at,
        "recorded_by": record.recorded_by,
        "recorded_by_organisation_id": record.recorded_by_organisation_id,
        "withdrawn_at": None,
        "withdrawn_by": None,
        "withdrawal_reason": None,
    }


def table(model: type[SQLModel]) -> Table:
    """The Core table behind a SQLModel table class."""
    found: Table = model.__table__  # type: ignore[attr-defined]
    return found


# Up to this many registrations go to PostgreSQL as one statement (POST /candidates writes
# one); an import's chunks stay an INSERT per table, whose executemany suits thousands of rows.
ONE_STATEMENT_MAX = 20


def write_registrations(
    uow: UnitOfWork, principal: Principal, action: AuditAction, batch: Sequence[RegistrationRows]
) -> None:
    """Insert the batch's rows, outbox rows and audit rows in the caller's transaction."""
    if not batch:
        return
    events = [r.outbox for r in batch if r.outbox is not None]
    writes = [
        (table(Candidate), [r.candidate for r in batch]),
        (table(CandidateTransition), [r.history for r in batch]),
        (table(CandidateConsent), [c for r in batch for c in r.consents]),
        (table(OutboxMessage), events),
        (table(AuditEntry), audit.entry_values(principal, action, [r.id for r in batch])),
    ]
    session = uow.session
    if is_postgres(session.get_bind()) and len(batch) <= ONE_STATEMENT_MAX:
        # Five INSERTs and the relay's NOTIFY were six round trips of a registration's ten;
        # one statement does them all (docs/operations.md, "Scaling the write path"). The
        # NOTIFY rides in it, so the unit of work sees no outbox INSERT and rings no more.
        insert_together(session, writes, notify=NOTIFY_CHANNEL if events else None)
        return
    # Not ORM bulk inserts (a third of the cost at 100k rows), nor Core's executemany.
    for written, rows in writes:
        insert_many(session, written, rows)
