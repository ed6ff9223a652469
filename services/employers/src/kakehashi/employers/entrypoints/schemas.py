"""Request and response bodies of the employers API (distinct from the tables)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator

from kakehashi.employers.adapters import mapping
from kakehashi.employers.adapters.tables import JobOrder, JobOrderTransition
from kakehashi.employers.domain.lifecycle import JobOrderStatus
from kakehashi.employers.domain.model import (
    DEFAULT_TRACK,
    Education,
    Housing,
    Interview,
    InterviewFormat,
    JobOrderTerms,
    MaritalStatus,
    Preferences,
    RequiredSkill,
    Sex,
)
from kakehashi.shared.reference import (
    JapaneseLevel,
    Prefecture,
    Sector,
    SkillCode,
    SkillLevel,
    Track,
)
from kakehashi.shared.schemas import RequestModel

Title = Annotated[str, Field(min_length=1, max_length=200, examples=["溶接工 / Welder"])]
Headcount = Annotated[int, Field(ge=1, le=500)]
JobCategory = Annotated[
    str, Field(pattern=r"^[a-z][a-z0-9_]{1,63}$", description="job category code, e.g. welding")
]
Years = Annotated[int, Field(ge=0, le=40)]
Yen = Annotated[int, Field(ge=0, le=10_000_000)]
MonthlyPay = Annotated[int, Field(ge=1, le=10_000_000, description="monthly base pay, yen")]
HoursPerWeek = Annotated[float, Field(gt=0, le=44, description="scheduled hours a week")]
Overtime = Annotated[int, Field(ge=0, lt=100, description="expected overtime hours a month")]
DaysOff = Annotated[int, Field(ge=0, le=366)]
ContractMonths = Annotated[int, Field(ge=1, le=120)]
Age = Annotated[int, Field(ge=18, le=99)]
Reason = Annotated[str, Field(min_length=1, max_length=500)]


class RequiredSkillIn(RequestModel):
    code: SkillCode
    min_level: SkillLevel = 1
    must_have: bool = True


class HousingIn(RequestModel):
    provided: bool
    monthly_cost_yen: Yen | None = None


class InterviewIn(RequestModel):
    date: dt.date | None = None
    format: InterviewFormat


# Term fields every order may carry besides title, sector, prefecture, headcount and skills.
OPTIONAL_TERMS = (
    "job_category",
    "experience_years_min",
    "education",
    "monthly_base_pay_yen",
    "hours_per_week",
    "overtime_hours_per_month",
    "days_off_per_year",
    "contract_months",
    "expected_departure_date",
    "application_deadline",
)
REQUIRED_TERMS = (
    "title",
    "track",
    "sector",
    "prefecture",
    "headcount",
    "min_japanese_level",
    "required_skills",
    "experience_years_min",
    "education",
)
PREFERENCES = ("preferred_sex", "age_min", "age_max", "preferred_marital_status")


class JobOrderCreate(RequestModel):
    """A 求人票. Only the original fields are required; `track` defaults to ssw1 and
    `min_japanese_level` to the track's floor. Sex, age and marital-status preferences are
    accepted but only stored to warn about: they never reach matching."""

    title: Title
    track: Track = DEFAULT_TRACK
    sector: Sector
    job_category: JobCategory | None = None
    prefecture: Prefecture
    headcount: Headcount
    min_japanese_level: JapaneseLevel | None = None
    required_skills: list[RequiredSkillIn] = Field(default_factory=list, max_length=30)
    experience_years_min: Years = 0
    education: Education = Education.NONE
    monthly_base_pay_yen: MonthlyPay | None = None
    hours_per_week: HoursPerWeek | None = None
    overtime_hours_per_month: Overtime | None = None
    days_off_per_year: DaysOff | None = None
    housing: HousingIn | None = None
    contract_months: ContractMonths | None = None
    interview: InterviewIn | None = None
    expected_departure_date: dt.date | None = None
    application_deadline: dt.date | None = None
    preferred_sex: Sex | None = None
    age_min: Age | None = None
    age_max: Age | None = None
    preferred_marital_status: MaritalStatus | None = None
    status: Literal["draft", "open"] = "open"

    def terms(self) -> JobOrderTerms:
        return JobOrderTerms(
            title=self.title,
            track=self.track,
            sector=self.sector,
            prefecture=self.prefecture,
            headcount=self.headcount,
            # Placeholder when absent: the handler puts in the track's floor.
            min_japanese_level=self.min_japanese_level or JapaneseLevel.NONE,
            required_skills=_skills(self.required_skills),
            housing=_housing(self.housing),
            interview=_interview(self.interview),
            **{name: getattr(self, name) for name in OPTIONAL_TERMS},
        )

    def preferences(self) -> Preferences:
        return Preferences(**{name: getattr(self, name) for name in PREFERENCES})


class JobOrderUpdate(RequestModel):
    """Fields to change; the ones left out keep their value, `null` clears an optional one."""

    title: Title | None = None
    track: Track | None = None
    sector: Sector | None = None
    job_category: JobCategory | None = None
    prefecture: Prefecture | None = None
    headcount: Headcount | None = None
    min_japanese_level: JapaneseLevel | None = None
    required_skills: Annotated[list[RequiredSkillIn], Field(max_length=30)] | None = None
    experience_years_min: Years | None = None
    education: Education | None = None
    monthly_base_pay_yen: MonthlyPay | None = None
    hours_per_week: HoursPerWeek | None = None
    overtime_hours_per_month: Overtime | None = None
    days_off_per_year: DaysOff | None = None
    housing: HousingIn | None = None
    contract_months: ContractMonths | None = None
    interview: InterviewIn | None = None
    expected_departure_date: dt.date | None = None
    application_deadline: dt.date | None = None
    preferred_sex: Sex | None = None
    age_min: Age | None = None
    age_max: Age | None = None
    preferred_marital_status: MaritalStatus | None = None

    @field_validator(*REQUIRED_TERMS)
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Leaving a required field out keeps it; sending null would erase it.
        if value is None:
            raise ValueError("may be left out but not null")
        return value

    def changes(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """(term changes, preference changes), for the fields the caller sent."""
        sent = self.model_fields_set
        terms: dict[str, Any] = {n: getattr(self, n) for n in sent if n not in PREFERENCES}
        if "required_skills" in sent:
            terms["required_skills"] = _skills(self.required_skills or [])
        if "housing" in sent:
            terms["housing"] = _housing(self.housing)
        if "interview" in sent:
            terms["interview"] = _interview(self.interview)
        return terms, {n: getattr(self, n) for n in sent if n in PREFERENCES}


class TransitionCreate(RequestModel):
    to: JobOrderStatus
    reason: Reason | None = None


def _skills(skills: list[RequiredSkillIn]) -> tuple[RequiredSkill, ...]:
    return tuple(RequiredSkill(s.code, s.min_level, s.must_have) for s in skills)


def _housing(housing: HousingIn | None) -> Housing | None:
    return Housing(housing.provided, housing.monthly_cost_yen) if housing else None


def _interview(interview: InterviewIn | None) -> Interview | None:
    return Interview(interview.format, interview.date) if interview else None


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
    created_at: dt.datetime
    updated_at: dt.datetime

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
    at: dt.datetime
    reason: str | None

    @classmethod
    def of(cls, row: JobOrderTransition) -> TransitionPublic:
        return cls.model_validate(row, from_attributes=True)
