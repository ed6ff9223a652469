"""Recording and withdrawing consent; giving or withdrawing the sharing consent publishes or
unpublishes the candidate in the same transaction."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from kakehashi.candidates.adapters.mapping import consent_of, consent_row
from kakehashi.candidates.adapters.tables import Candidate, CandidateConsent
from kakehashi.candidates.domain.consent import (
    ConsentTerms,
    check_new_consent,
    may_publish,
    withdraw,
)
from kakehashi.candidates.domain.events import CANDIDATE_UNPUBLISHED, CANDIDATE_UPDATED
from kakehashi.candidates.domain.privacy import AuditAction, CandidateErasedError
from kakehashi.candidates.service_layer import audit
from kakehashi.candidates.service_layer.handlers import (
    details,
    load_for_change,
    may_see,
    read_visible,
)
from kakehashi.candidates.service_layer.publication import emit_removal, emit_snapshot
from kakehashi.shared.auth import Principal
from kakehashi.shared.clock import today, utcnow
from kakehashi.shared.unit_of_work import UnitOfWork


def consents_of(session: Session, candidate_id: str) -> list[CandidateConsent]:
    """A candidate's consents, oldest first."""
    return list(
        session.exec(
            select(CandidateConsent)
            .where(col(CandidateConsent.candidate_id) == candidate_id)
            .order_by(col(CandidateConsent.given_at), col(CandidateConsent.id))
        ).all()
    )


def stamp_withdrawal(
    uow: UnitOfWork, consent: CandidateConsent, by: str, at: datetime, reason: str | None
) -> None:
    """Mark a stored consent withdrawn, by the domain's rule (a conflict if it already was)."""
    withdrawn = withdraw(consent_of(consent), by, at, reason)
    consent.status = withdrawn.status.value
    consent.withdrawn_at = withdrawn.withdrawn_at
    consent.withdrawn_by = withdrawn.withdrawn_by
    consent.withdrawal_reason = withdrawn.withdrawal_reason
    uow.session.add(consent)


def _republish(uow: UnitOfWork, row: Candidate, consents: list[CandidateConsent]) -> None:
    """Bring `published` in line with the consents; tell matching if it changed."""
    publish = may_publish(consent_of(c) for c in consents)
    if publish == row.published:
        return
    row.published = publish
    row.version += 1
    row.updated_at = utcnow()
    uow.session.add(row)
    if publish:
        on = today()
        emit_snapshot(uow, CANDIDATE_UPDATED, details(row, on), on)
    else:
        emit_removal(uow, CANDIDATE_UNPUBLISHED, row)


def _owned(uow: UnitOfWork, principal: Principal, candidate_id: str) -> Candidate | None:
    row = load_for_change(uow, principal, candidate_id)
    if row is None:
        return None
    if not may_see(principal, row):
        return None
    if row.erased_at is not None:
        raise CandidateErasedError(row.id)
    return row


def record_consent(
    uow: UnitOfWork, principal: Principal, candidate_id: str, terms: ConsentTerms
) -> CandidateConsent | None:
    """Record a given consent (None if the candidate is not the caller's); a sharing consent
    publishes the candidate with a full `candidate.updated` snapshot."""
    with uow:
        row = _owned(uow, principal, candidate_id)
        if row is None:
            return None
        consents = consents_of(uow.session, row.id)
        check_new_consent([consent_of(c) for c in consents], terms)
        consent = consent_row(row.id, terms, principal, utcnow())
        uow.session.add(consent)
        _republish(uow, row, [*consents, consent])
        audit.record(uow.session, principal, AuditAction.CONSENT_GIVEN, [row.id])
        uow.commit()
    return consent


def withdraw_consent(
    uow: UnitOfWork, principal: Principal, candidate_id: str, consent_id: str, reason: str | None
) -> CandidateConsent | None:
    """Stamp the consent withdrawn (None if not found); losing the last sharing consent sends
    `candidate.unpublished` so matching drops its copy."""
    with uow:
        row = _owned(uow, principal, candidate_id)
        if row is None:
            return None
        consents = consents_of(uow.session, row.id)
        consent = next((c for c in consents if c.id == consent_id), None)
        if consent is None:
            return None
        stamp_withdrawal(uow, consent, principal.subject, utcnow(), reason)
        _republish(uow, row, consents)
        audit.record(uow.session, principal, AuditAction.CONSENT_WITHDRAWN, [row.id])
        uow.commit()
    return consent


def list_consents(
    uow: UnitOfWork, principal: Principal, candidate_id: str
) -> list[CandidateConsent] | None:
    """Every consent of a candidate the caller may see, oldest first; None if not visible."""
    return read_visible(
        uow, principal, candidate_id, lambda session, row: consents_of(session, row.id)
    )
