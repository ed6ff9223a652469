"""A data subject's rights: export of everything held about them, and erasure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kakehashi.candidates.adapters.mapping import consent_of, profile_columns, profile_of
from kakehashi.candidates.adapters.tables import (
    AuditEntry,
    Candidate,
    CandidateConsent,
    CandidateTransition,
)
from kakehashi.candidates.domain.eligibility import evaluate
from kakehashi.candidates.domain.events import CANDIDATE_ERASED
from kakehashi.candidates.domain.pipeline import Status
from kakehashi.candidates.domain.privacy import AuditAction, anonymise
from kakehashi.candidates.service_layer import audit
from kakehashi.candidates.service_layer.consents import consents_of, stamp_withdrawal
from kakehashi.candidates.service_layer.handlers import (
    details,
    history_entry,
    load_for_change,
    may_see,
    transitions_of,
)
from kakehashi.candidates.service_layer.publication import CandidateDetails, emit_removal
from kakehashi.shared.auth import Principal
from kakehashi.shared.clock import today, utcnow
from kakehashi.shared.unit_of_work import UnitOfWork

ERASURE_REASON = "erased at the person's request"


@dataclass(frozen=True)
class CandidateExport:
    """Everything the service holds about one candidate."""

    exported_at: datetime
    candidate: CandidateDetails
    consents: list[CandidateConsent]
    transitions: list[CandidateTransition]
    audit: list[AuditEntry]


def export_candidate(
    uow: UnitOfWork, principal: Principal, candidate_id: str
) -> CandidateExport | None:
    """The candidate's profile, consents, pipeline history and audit trail (this export
    included); None if the caller may not see the candidate."""
    with uow:
        row = uow.session.get(Candidate, candidate_id)
        if row is None or not may_see(principal, row):
            return None
        audit.record(uow.session, principal, AuditAction.EXPORT, [row.id])
        uow.session.flush()
        export = CandidateExport(
            exported_at=utcnow(),
            candidate=details(row, today()),
            consents=consents_of(uow.session, row.id),
            transitions=transitions_of(uow.session, row.id),
            audit=audit.entries_of(uow.session, row.id),
        )
        uow.commit()
        return export


def erase_candidate(
    uow: UnitOfWork, principal: Principal, candidate_id: str
) -> CandidateDetails | None:
    """Anonymise the candidate, withdraw their consents, clear free-text history reasons, and
    send `candidate.erased` so matching drops its copy. Erasing twice changes nothing more."""
    now = utcnow()
    with uow:
        row = load_for_change(uow, principal, candidate_id)
        if row is None:
            return None
        if not may_see(principal, row):
            return None
        if row.erased_at is not None:
            return details(row, today())
        profile = anonymise(profile_of(row))
        eligibility = evaluate(profile, today())
        row.sqlmodel_update(profile_columns(profile, eligibility))
        previous = row.status
        row.status = Status.WITHDRAWN.value
        row.published = False
        row.erased_at = now
        row.version += 1
        row.updated_at = now
        uow.session.add(row)
        # Reasons are free text and may name the person; who moved them and when is kept.
        for transition in transitions_of(uow.session, row.id):
            transition.reason = None
            uow.session.add(transition)
        if previous != Status.WITHDRAWN.value:
            uow.session.add(history_entry(row, principal, previous, ERASURE_REASON))
        # Consent records stay as proof of what was agreed and when; they end here.
        for consent in consents_of(uow.session, row.id):
            if consent_of(consent).active:
                stamp_withdrawal(uow, consent, principal.subject, now, ERASURE_REASON)
        emit_removal(uow, CANDIDATE_ERASED, row)
        audit.record(uow.session, principal, AuditAction.ERASE, [row.id])
        uow.commit()
        return CandidateDetails(row, profile, eligibility)
