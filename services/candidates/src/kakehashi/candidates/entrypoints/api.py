"""HTTP API of the candidates service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, status

from kakehashi.candidates.domain.model import RegisterCandidate, TradeSkill
from kakehashi.candidates.entrypoints.schemas import CandidateCreate, CandidatePublic
from kakehashi.candidates.service_layer import handlers
from kakehashi.shared.auth import Principal, Role, require_roles
from kakehashi.shared.runtime import Runtime
from kakehashi.shared.schemas import Page
from kakehashi.shared.web import UowDep, create_service_app

router = APIRouter(prefix="/candidates", tags=["candidates"])

TrainingCentre = Annotated[Principal, Depends(require_roles(Role.TRAINING_CENTRE))]
Reader = Annotated[
    Principal, Depends(require_roles(Role.TRAINING_CENTRE, Role.PROGRAM_MANAGER, Role.ADMIN))
]


@router.post("", status_code=status.HTTP_201_CREATED)
def register_candidate(
    body: CandidateCreate, principal: TrainingCentre, uow: UowDep
) -> CandidatePublic:
    """A training centre registers one of its candidates."""
    command = RegisterCandidate(
        training_centre_id=principal.organisation_id,
        full_name=body.full_name,
        province=body.province,
        sector=body.sector,
        japanese_level=body.japanese_level,
        skills=tuple(TradeSkill(code=s.code, level=s.level) for s in body.skills),
    )
    candidate = handlers.register_candidate(uow, command)
    return CandidatePublic.model_validate(candidate, from_attributes=True)


@router.get("/{candidate_id}")
def get_candidate(candidate_id: str, principal: Reader, uow: UowDep) -> CandidatePublic:
    candidate = handlers.get_candidate(uow, principal, candidate_id)
    if candidate is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="candidate not found")
    return CandidatePublic.model_validate(candidate, from_attributes=True)


@router.get("")
def list_candidates(
    principal: Reader,
    uow: UowDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[CandidatePublic]:
    items, total = handlers.list_candidates(uow, principal, limit=limit, offset=offset)
    return Page[CandidatePublic](
        items=[CandidatePublic.model_validate(c, from_attributes=True) for c in items],
        total=total,
        limit=limit,
        offset=offset,
    )


def create_app(runtime: Runtime) -> FastAPI:
    """The candidates API bound to one runtime (settings and database)."""
    return create_service_app(runtime, "Kakehashi candidates", [router])
