"""Commands the candidates service carries out (what a caller asks for, named imperatively)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kakehashi.candidates.domain.consent import ConsentTerms
from kakehashi.candidates.domain.pipeline import Status
from kakehashi.candidates.domain.profile import CandidateProfile


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
