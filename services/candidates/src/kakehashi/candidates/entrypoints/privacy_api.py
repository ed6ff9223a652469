"""Privacy endpoints: consents, export, erasure and the audit log (thin over the service layer)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse

from kakehashi.candidates.adapters.tables import AuditEntry
from kakehashi.candidates.domain.consent import ConsentConflictError
from kakehashi.candidates.domain.privacy import CandidateErasedError
from kakehashi.candidates.entrypoints.convert import (
    candidate_public,
    consent_public,
    consent_terms,
)
from kakehashi.candidates.entrypoints.deps import CentreOrAdmin, Overseer, Reader, TrainingCentre
from kakehashi.candidates.entrypoints.privacy_schemas import (
    AuditEntryPublic,
    CandidateExportPublic,
)
from kakehashi.candidates.entrypoints.schemas import (
    CandidatePublic,
    ConsentIn,
    ConsentPublic,
    TransitionPublic,
    WithdrawalIn,
)
from kakehashi.candidates.service_layer import audit, consents, privacy
from kakehashi.shared.schemas import MAX_OFFSET, Page
from kakehashi.shared.web import UowDep

router = APIRouter(prefix="/candidates", tags=["privacy"])
audit_router = APIRouter(prefix="/audit", tags=["privacy"])

NOT_FOUND = "candidate not found"


def _not_found(what: str = NOT_FOUND) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=what)


@router.post("/{candidate_id}/consents", status_code=status.HTTP_201_CREATED, responses={409: {}})
def record_consent(
    candidate_id: str, body: ConsentIn, principal: TrainingCentre, uow: UowDep
) -> ConsentPublic:
    """The owning centre records a consent; a sharing consent publishes the candidate."""
    consent = consents.record_consent(uow, principal, candidate_id, consent_terms(body))
    if consent is None:
        raise _not_found()
    return consent_public(consent)


@router.get("/{candidate_id}/consents")
def list_consents(candidate_id: str, principal: Reader, uow: UowDep) -> list[ConsentPublic]:
    """Every consent of the candidate, given and withdrawn, oldest first."""
    found = consents.list_consents(uow, principal, candidate_id)
    if found is None:
        raise _not_found()
    return [consent_public(c) for c in found]


@router.post("/{candidate_id}/consents/{consent_id}/withdraw", responses={409: {}})
def withdraw_consent(
    candidate_id: str,
    consent_id: str,
    principal: CentreOrAdmin,
    uow: UowDep,
    body: WithdrawalIn | None = None,
) -> ConsentPublic:
    """Withdraw a consent; without a sharing consent left, matching drops the candidate."""
    reason = body.reason if body else None
    consent = consents.withdraw_consent(uow, principal, candidate_id, consent_id, reason)
    if consent is None:
        raise _not_found("consent not found")
    return consent_public(consent)


@router.get("/{candidate_id}/export")
def export_candidate(candidate_id: str, principal: Reader, uow: UowDep) -> CandidateExportPublic:
    """Everything held about the candidate, as JSON (recorded in the audit log)."""
    export = privacy.export_candidate(uow, principal, candidate_id)
    if export is None:
        raise _not_found()
    return CandidateExportPublic(
        exported_at=export.exported_at,
        candidate=candidate_public(export.candidate),
        consents=[consent_public(c) for c in export.consents],
        transitions=[
            TransitionPublic.model_validate(t, from_attributes=True) for t in export.transitions
        ],
        audit=[_audit_public(e) for e in export.audit],
    )


@router.post("/{candidate_id}/erase")
def erase_candidate(candidate_id: str, principal: CentreOrAdmin, uow: UowDep) -> CandidatePublic:
    """Anonymise the candidate and tell matching to drop them (`candidate.erased`)."""
    erased = privacy.erase_candidate(uow, principal, candidate_id)
    if erased is None:
        raise _not_found()
    return candidate_public(erased)


def _audit_public(entry: AuditEntry) -> AuditEntryPublic:
    return AuditEntryPublic.model_validate(entry.model_dump())


@audit_router.get("")
def audit_log(
    principal: Overseer,
    uow: UowDep,
    candidate_id: Annotated[str | None, Query(max_length=36)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Page[AuditEntryPublic]:
    """Who read, changed, exported or erased which candidate, newest first (managers, admins)."""
    rows, total = audit.audit_log(uow, candidate_id, limit=limit, offset=offset)
    return Page[AuditEntryPublic](
        items=[_audit_public(e) for e in rows], total=total, limit=limit, offset=offset
    )


async def conflict(_request: Request, error: Exception) -> JSONResponse:
    """409 for a consent conflict or a change to an erased candidate."""
    assert isinstance(error, ConsentConflictError | CandidateErasedError)
    return JSONResponse({"detail": error.message}, status_code=status.HTTP_409_CONFLICT)


EXCEPTION_HANDLERS = {ConsentConflictError: conflict, CandidateErasedError: conflict}
