"""HTTP API of the employers service."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request, status
from fastapi.responses import JSONResponse, Response

from kakehashi.employers.adapters.kyujinhyo_xlsx import XLSX_MEDIA_TYPE
from kakehashi.employers.bootstrap import SPEC
from kakehashi.employers.domain.commands import TransitionJobOrder
from kakehashi.employers.domain.lifecycle import JobOrderStatus, StatusConflictError
from kakehashi.employers.entrypoints import portal
from kakehashi.employers.entrypoints.employer_profile import router as profile_router
from kakehashi.employers.entrypoints.kyujinhyo import kyujinhyo_download
from kakehashi.employers.entrypoints.responses import JobOrderPublic, TransitionPublic
from kakehashi.employers.entrypoints.schemas import JobOrderCreate, JobOrderUpdate, TransitionCreate
from kakehashi.employers.service_layer import handlers, queries
from kakehashi.employers.service_layer.handlers import JobOrderNotFoundError
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.clock import today
from kakehashi.shared.guards import require_roles
from kakehashi.shared.reference import Prefecture, Sector, Track
from kakehashi.shared.runtime import Runtime
from kakehashi.shared.schemas import MAX_OFFSET, Page
from kakehashi.shared.ui import dead_letter_pages
from kakehashi.shared.web import UowDep, create_service_app

router = APIRouter(prefix="/job-orders", tags=["job orders"])

Employer = Annotated[Principal, Depends(require_roles(Role.EMPLOYER))]
Reader = Annotated[
    Principal, Depends(require_roles(Role.EMPLOYER, Role.PROGRAM_MANAGER, Role.ADMIN))
]
# The owning employer moves its order along; program managers and admins may step in.
Mover = Reader

Responses = dict[int | str, dict[str, Any]]
NOT_FOUND: Responses = {404: {"description": "no such order, or another employer's"}}
CONFLICT: Responses = {409: {"description": "the order's current status does not allow this"}}


@router.post("", status_code=status.HTTP_201_CREATED)
def post_job_order(body: JobOrderCreate, principal: Employer, uow: UowDep) -> JobOrderPublic:
    """An employer posts a job order: open for matching at once, or a private draft."""
    return JobOrderPublic.of(handlers.post_job_order(uow, principal, body.command(), today()))


@router.get("/{job_order_id}", responses=NOT_FOUND)
def get_job_order(job_order_id: str, principal: Reader, uow: UowDep) -> JobOrderPublic:
    order = queries.get_job_order(uow, principal, job_order_id)
    if order is None:
        raise JobOrderNotFoundError(job_order_id)
    return JobOrderPublic.of(order)


WORKBOOK: Responses = {
    200: {"content": {XLSX_MEDIA_TYPE: {}}, "description": "the 求人票 workbook"}
}


@router.get("/{job_order_id}/export.xlsx", response_class=Response, responses=WORKBOOK | NOT_FOUND)
def export_job_order(job_order_id: str, principal: Reader, uow: UowDep) -> Response:
    """The order as a 求人票 workbook (Japanese, English in brackets), without any preferences."""
    download = kyujinhyo_download(uow, principal, job_order_id)
    if download is None:
        raise JobOrderNotFoundError(job_order_id)
    return download


@router.patch("/{job_order_id}", responses=NOT_FOUND | CONFLICT)
def patch_job_order(
    job_order_id: str, body: JobOrderUpdate, principal: Employer, uow: UowDep
) -> JobOrderPublic:
    """The owner changes a draft, open or interviewing order; the same rules apply as posting."""
    command = body.command(job_order_id)
    return JobOrderPublic.of(handlers.change_job_order(uow, principal, command, today()))


@router.post("/{job_order_id}/transitions", responses=NOT_FOUND | CONFLICT)
def post_transition(
    job_order_id: str, body: TransitionCreate, principal: Mover, uow: UowDep
) -> JobOrderPublic:
    """Move the order along draft → open → interviewing → filled → closed, or cancel it."""
    command = TransitionJobOrder(job_order_id, body.to, body.reason)
    return JobOrderPublic.of(handlers.transition_job_order(uow, principal, command))


@router.get("/{job_order_id}/transitions", responses=NOT_FOUND)
def list_transitions(job_order_id: str, principal: Reader, uow: UowDep) -> list[TransitionPublic]:
    """Who changed the order's status, when and why, oldest first."""
    rows = queries.job_order_history(uow, principal, job_order_id)
    if rows is None:
        raise JobOrderNotFoundError(job_order_id)
    return [TransitionPublic.of(row) for row in rows]


@router.get("")
def list_job_orders(
    principal: Reader,
    uow: UowDep,
    track: Track | None = None,
    sector: Sector | None = None,
    prefecture: Prefecture | None = None,
    status_: Annotated[JobOrderStatus | None, Query(alias="status")] = None,
    deadline_before: Annotated[
        date | None, Query(description="application deadline on or before")
    ] = None,
    deadline_after: Annotated[
        date | None, Query(description="application deadline on or after")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Page[JobOrderPublic]:
    filters = queries.JobOrderFilter(
        track=track,
        sector=sector,
        prefecture=prefecture,
        status=status_,
        deadline_before=deadline_before,
        deadline_after=deadline_after,
    )
    items, total = queries.list_job_orders(uow, principal, filters, limit=limit, offset=offset)
    return Page[JobOrderPublic](
        items=[JobOrderPublic.of(o) for o in items], total=total, limit=limit, offset=offset
    )


async def _not_found(_request: Request, _error: Exception) -> JSONResponse:
    return JSONResponse({"detail": "job order not found"}, status_code=status.HTTP_404_NOT_FOUND)


async def _conflict(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StatusConflictError)
    body = {"detail": error.message, "status": error.current.value}
    return JSONResponse(body, status_code=status.HTTP_409_CONFLICT)


def create_app(runtime: Runtime) -> FastAPI:
    """The employers API bound to one runtime (settings and database)."""
    app = create_service_app(runtime, "Kakehashi employers", [router, profile_router])
    app.add_exception_handler(JobOrderNotFoundError, _not_found)
    app.add_exception_handler(StatusConflictError, _conflict)
    portal.install(app)  # the employer portal's pages, at /portal
    dead_letter_pages.install(app, SPEC)  # /admin/dead-letters, administrators only
    return app
