"""HTTP API of the employers service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, status

from kakehashi.employers.domain.model import PostJobOrder, RequiredSkill
from kakehashi.employers.entrypoints.schemas import JobOrderCreate, JobOrderPublic
from kakehashi.employers.service_layer import handlers
from kakehashi.shared.auth import Principal, Role, require_roles
from kakehashi.shared.runtime import Runtime
from kakehashi.shared.schemas import Page
from kakehashi.shared.web import UowDep, create_service_app

router = APIRouter(prefix="/job-orders", tags=["job orders"])

Employer = Annotated[Principal, Depends(require_roles(Role.EMPLOYER))]
Reader = Annotated[
    Principal, Depends(require_roles(Role.EMPLOYER, Role.PROGRAM_MANAGER, Role.ADMIN))
]


@router.post("", status_code=status.HTTP_201_CREATED)
def post_job_order(body: JobOrderCreate, principal: Employer, uow: UowDep) -> JobOrderPublic:
    """An employer posts a job order; it is open for matching at once."""
    command = PostJobOrder(
        employer_id=principal.organisation_id,
        title=body.title,
        sector=body.sector,
        prefecture=body.prefecture,
        headcount=body.headcount,
        min_japanese_level=body.min_japanese_level,
        required_skills=tuple(
            RequiredSkill(code=s.code, min_level=s.min_level, must_have=s.must_have)
            for s in body.required_skills
        ),
    )
    order = handlers.post_job_order(uow, command)
    return JobOrderPublic.model_validate(order, from_attributes=True)


@router.get("/{job_order_id}")
def get_job_order(job_order_id: str, principal: Reader, uow: UowDep) -> JobOrderPublic:
    order = handlers.get_job_order(uow, principal, job_order_id)
    if order is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="job order not found")
    return JobOrderPublic.model_validate(order, from_attributes=True)


@router.get("")
def list_job_orders(
    principal: Reader,
    uow: UowDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[JobOrderPublic]:
    items, total = handlers.list_job_orders(uow, principal, limit=limit, offset=offset)
    return Page[JobOrderPublic](
        items=[JobOrderPublic.model_validate(o, from_attributes=True) for o in items],
        total=total,
        limit=limit,
        offset=offset,
    )


def create_app(runtime: Runtime) -> FastAPI:
    """The employers API bound to one runtime (settings and database)."""
    return create_service_app(runtime, "Kakehashi employers", [router])
