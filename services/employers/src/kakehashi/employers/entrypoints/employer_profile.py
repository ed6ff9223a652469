"""`/employers/me`: an employer reads and replaces its own organisation's profile."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import AfterValidator, BaseModel, Field

from kakehashi.employers.adapters.tables import EmployerProfile
from kakehashi.employers.domain.employer import EmployerProfileData, IntermediaryKind
from kakehashi.employers.service_layer import employer_profile
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.guards import require_roles
from kakehashi.shared.reference import Prefecture, Sector
from kakehashi.shared.schemas import RequestModel, Timestamp
from kakehashi.shared.web import UowDep

router = APIRouter(prefix="/employers", tags=["employers"])

Employer = Annotated[Principal, Depends(require_roles(Role.EMPLOYER))]
Name = Annotated[str, Field(min_length=1, max_length=200)]


def _latin(value: str) -> str:
    if not value.isascii():
        raise ValueError("must be written in Latin letters (romaji)")
    return value


class EmployerProfileIn(RequestModel):
    company_name_ja: Name = Field(examples=["田中工業株式会社"])
    company_name_romaji: Annotated[Name, AfterValidator(_latin)] = Field(
        examples=["Tanaka Kogyo Co., Ltd."]
    )
    prefecture: Prefecture
    industry: Sector
    intermediary_kind: IntermediaryKind | None = None
    intermediary_name: Name | None = None


class EmployerProfilePublic(BaseModel):
    organisation_id: str
    company_name_ja: str
    company_name_romaji: str
    prefecture: str
    industry: Sector
    intermediary_kind: IntermediaryKind | None
    intermediary_name: str | None
    version: int
    updated_at: Timestamp

    @classmethod
    def of(cls, row: EmployerProfile) -> EmployerProfilePublic:
        return cls.model_validate(row, from_attributes=True)


@router.get("/me", responses={404: {"description": "no profile yet"}})
def get_my_profile(principal: Employer, uow: UowDep) -> EmployerProfilePublic:
    row = employer_profile.get_profile(uow, principal)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no profile yet; PUT one")
    return EmployerProfilePublic.of(row)


@router.put("/me")
def put_my_profile(
    body: EmployerProfileIn, principal: Employer, uow: UowDep
) -> EmployerProfilePublic:
    """Create or replace the caller's organisation's profile."""
    data = EmployerProfileData(**body.model_dump())
    return EmployerProfilePublic.of(employer_profile.put_profile(uow, principal, data))
