"""Response bodies of the employers API: job orders and their history as callers see them."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from kakehashi.employers.adapters import mapping
from kakehashi.employers.adapters.tables import JobOrder, JobOrderTransition
from kakehashi.employers.domain.lifecycle import JobOrderStatus
from kakehashi.employers.domain.model import Education, InterviewFormat, MaritalStatus, Sex
from kakehashi.shared.reference import JapaneseLevel, Sector, Track
from kakehashi.shared.schemas import Timestamp


class RequiredSkillPublic(BaseModel):
    code: str
    min_level: int
    must_have: bool


class HousingPublic(BaseModel):
    provided: bool
    monthly_cost_yen: int | None


class InterviewPublic(BaseModel):
    date: dt.date | None
    format: InterviewFormat


class WarningPublic(BaseModel):
    code: str
    message: str


class JobOrderPublic(BaseModel):
    id: str
    employer_id: str
    title: str
    track: Track
    sector: Sector
    job_category: str | None
    prefecture: str
    headcount: int
    min_japanese_level: JapaneseLevel
    required_skills: list[RequiredSkillPublic]
    experience_years_min: int
    education: Education
    monthly_base_pay_yen: int | None
    hours_per_week: float | None
    overtime_hours_per_month: int | None
    days_off_per_year: int | None
    housing: HousingPublic | None
    contract_months: int | None
    interview: InterviewPublic | None
    expected_departure_date: dt.date | None
    application_deadline: dt.date | None
    preferred_sex: Sex | None
    age_min: int | None
    age_max: int | None
    preferred_marital_status: MaritalStatus | None
    warnings: list[WarningPublic]
    status: JobOrderStatus
    headcount_filled: int
    version: int
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, row: JobOrder) -> JobOrderPublic:
        terms = mapping.terms_of(row)
        housing, interview = terms.housing, terms.interview
        return cls.model_validate(
            row.model_dump()
            | {
                "housing": HousingPublic(**vars(housing)) if housing else None,
                "interview": (
                    InterviewPublic(date=interview.on, format=interview.format)
                    if interview
                    else None
                ),
            }
        )


class TransitionPublic(BaseModel):
    from_status: JobOrderStatus | None
    to_status: JobOrderStatus
    by_subject: str
    by_role: str
    by_organisation_id: str
    at: Timestamp
    reason: str | None

    @classmethod
    def of(cls, row: JobOrderTransition) -> TransitionPublic:
        return cls.model_validate(row, from_attributes=True)
