"""HTTP API of the candidates service: thin routes over the service layer."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse

from kakehashi.candidates.bootstrap import SPEC
from kakehashi.candidates.domain.commands import MoveCandidate, UpdateCandidate
from kakehashi.candidates.domain.names import DuplicateCandidateError
from kakehashi.candidates.domain.pipeline import (
    HeldByMatchError,
    Status,
    TransitionNotAllowedError,
)
from kakehashi.candidates.entrypoints import imports_api, portal, privacy_api
from kakehashi.candidates.entrypoints.convert import (
    candidate_public,
    profile_changes,
    register_command,
)
from kakehashi.candidates.entrypoints.deps import Reader, TrainingCentre
from kakehashi.candidates.entrypoints.schemas import (
    CandidateCreate,
    CandidatePatch,
    CandidatePublic,
    TransitionIn,
    TransitionPublic,
)
from kakehashi.candidates.service_layer import handlers, queries
from kakehashi.shared.errors import DomainError
from kakehashi.shared.reference import JapaneseLevel, Sector, Track
from kakehashi.shared.runtime import Runtime
from kakehashi.shared.schemas import MAX_OFFSET, Page
from kakehashi.shared.ui import dead_letter_pages
from kakehashi.shared.web import UowDep, create_service_app

router = APIRouter(prefix="/candidates", tags=["candidates"])

NOT_FOUND = "candidate not found"


@router.post("", status_code=status.HTTP_201_CREATED, responses={409: {}})
def register_candidate(
    body: CandidateCreate, principal: TrainingCentre, uow: UowDep
) -> CandidatePublic:
    """A training centre registers one of its candidates (409 if the person is registered).

    Matching hears of the candidate only if a sharing consent is among `consents`."""
    command = register_command(principal.organisation_id, body)
    return candidate_public(handlers.register_candidate(uow, principal, command))


@router.get("/{candidate_id}")
def get_candidate(candidate_id: str, principal: Reader, uow: UowDep) -> CandidatePublic:
    found = handlers.get_candidate(uow, principal, candidate_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NOT_FOUND)
    return candidate_public(found)


@router.patch("/{candidate_id}", responses={409: {}})
def update_candidate(
    candidate_id: str, body: CandidatePatch, principal: TrainingCentre, uow: UowDep
) -> CandidatePublic:
    """The owning centre changes profile fields; the version goes up by one."""
    command = UpdateCandidate(candidate_id, profile_changes(body))
    found = handlers.update_candidate(uow, principal, command)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NOT_FOUND)
    return candidate_public(found)


@router.post("/{candidate_id}/transitions", responses={409: {}})
def move_candidate(
    candidate_id: str, body: TransitionIn, principal: Reader, uow: UowDep
) -> CandidatePublic:
    """Move a candidate along the pipeline (409 if the move is not allowed from its status)."""
    command = MoveCandidate(candidate_id, body.to, body.reason)
    found = handlers.move_candidate(uow, principal, command)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NOT_FOUND)
    return candidate_public(found)


@router.get("/{candidate_id}/transitions")
def candidate_history(candidate_id: str, principal: Reader, uow: UowDep) -> list[TransitionPublic]:
    """The candidate's pipeline history, oldest first, starting with the registration."""
    history = handlers.candidate_history(uow, principal, candidate_id)
    if history is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NOT_FOUND)
    return [TransitionPublic.model_validate(t, from_attributes=True) for t in history]


@router.get("")
def search_candidates(
    principal: Reader,
    uow: UowDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    name: Annotated[str | None, Query(max_length=200, description="diacritics ignored")] = None,
    status_: Annotated[Status | None, Query(alias="status")] = None,
    sector: Sector | None = None,
    eligible_for: Track | None = None,
    min_japanese_level: JapaneseLevel | None = None,
    province: Annotated[str | None, Query(max_length=100, description="name or code")] = None,
    available_from: Annotated[date | None, Query(description="available on or after")] = None,
    available_until: Annotated[date | None, Query(description="available on or before")] = None,
    training_centre_id: Annotated[str | None, Query(description="program managers only")] = None,
) -> Page[CandidatePublic]:
    """A page of the candidates the caller may see, newest first, narrowed by the filters."""
    filters = queries.CandidateFilters(
        name=name,
        status=status_,
        sector=sector,
        eligible_for=eligible_for,
        min_japanese_level=min_japanese_level,
        province=province,
        available_from=available_from,
        available_until=available_until,
        training_centre_id=training_centre_id,
    )
    try:
        items, total = queries.search_candidates(
            uow, principal, filters, limit=limit, offset=offset
        )
    except DomainError as error:
        detail = [{"loc": ["query", error.field], "msg": error.message, "type": "domain_rule"}]
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=detail) from None
    return Page[CandidatePublic](
        items=[candidate_public(c) for c in items], total=total, limit=limit, offset=offset
    )


async def _duplicate(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DuplicateCandidateError)
    if error.existing_id is None:
        # Another centre's candidate: say that the person exists, nothing about the record.
        body = {"detail": "this person is already registered at another training centre"}
    else:
        body = {"detail": "this person is already registered", "existing_id": error.existing_id}
    return JSONResponse(body, status_code=status.HTTP_409_CONFLICT)


async def _forbidden_filter(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, queries.FilterNotAllowedError)
    return JSONResponse({"detail": str(error)}, status_code=status.HTTP_403_FORBIDDEN)


async def _not_allowed(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, TransitionNotAllowedError)
    body: dict[str, str] = {"detail": error.message}
    if isinstance(error, HeldByMatchError):
        body |= {"field": error.field, "code": error.code}
    return JSONResponse(body, status_code=status.HTTP_409_CONFLICT)


def create_app(runtime: Runtime) -> FastAPI:
    """The candidates API bound to one runtime (settings and database)."""
    routers = [router, privacy_api.router, privacy_api.audit_router, imports_api.router]
    upload = imports_api.MAX_UPLOAD_BYTES + 64 * 1024  # the file and its form
    uploads = {"/imports": upload, "/portal/imports": upload}  # the API's and the portal's
    app = create_service_app(runtime, "Kakehashi candidates", routers, body_limits=uploads)
    for error, handler in privacy_api.EXCEPTION_HANDLERS.items():
        app.add_exception_handler(error, handler)
    app.add_exception_handler(DuplicateCandidateError, _duplicate)
    app.add_exception_handler(TransitionNotAllowedError, _not_allowed)
    app.add_exception_handler(queries.FilterNotAllowedError, _forbidden_filter)
    portal.install(app)  # the training-centre portal's pages
    dead_letter_pages.install(app, SPEC)  # /admin/dead-letters, administrators only
    return app
