"""Response bodies of the privacy endpoints: the data export and the audit log."""

from __future__ import annotations

from pydantic import BaseModel

from kakehashi.candidates.domain.privacy import AuditAction
from kakehashi.candidates.entrypoints.schemas import (
    CandidatePublic,
    ConsentPublic,
    TransitionPublic,
)
from kakehashi.shared.auth import Role
from kakehashi.shared.schemas import Timestamp


class AuditEntryPublic(BaseModel):
    at: Timestamp
    subject: str
    role: Role
    organisation_id: str
    action: AuditAction
    candidate_id: str
    correlation_id: str | None


class CandidateExportPublic(BaseModel):
    """Everything held about one candidate (PDPL right of access)."""

    exported_at: Timestamp
    candidate: CandidatePublic
    consents: list[ConsentPublic]
    transitions: list[TransitionPublic]
    audit: list[AuditEntryPublic]
