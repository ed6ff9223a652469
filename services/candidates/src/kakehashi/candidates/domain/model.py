"""Commands the candidates service carries out, and the names of the events they cause."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kakehashi.candidates.domain.consent import ConsentTerms
from kakehashi.candidates.domain.pipeline import Status
from kakehashi.candidates.domain.profile import CandidateProfile

CANDIDATE_REGISTERED = "candidate.registered"
CANDIDATE_UPDATED = "candidate.updated"
CANDIDATE_STATUS_CHANGED = "candidate.status_changed"
# Matching drops its copy on both; only erasure is final (matching keeps a tombstone for it).
CANDIDATE_UNPUBLISHED = "candidate.unpublished"
CANDIDATE_ERASED = "candidate.erased"


@dataclass(frozen=True)
class RegisterCandidate:
    """A training centre registers a worker it trains."""

    training_centre_id: str
    profile: CandidateProfile
    consents: tuple[ConsentTerms, ...] = ()


@dataclass(frozen=True)
class UpdateCandidate:
    """The owning centre changes some profile fields; `changes` maps CandidateProfile fields."""

    candidate_id: str
    changes: dict[str, Any]


@dataclass(frozen=True)
class MoveCandidate:
    """Move a candidate along the pipeline, with the reason."""

    candidate_id: str
    to_status: Status
    reason: str | None


class DuplicateCandidateError(Exception):
    """The person is registered already; `existing_id` is set only when the caller may see it."""

    def __init__(self, existing_id: str | None) -> None:
        super().__init__("duplicate candidate")
        self.existing_id = existing_id
