"""Request bodies of the employers API (distinct from the tables); responses are in responses.py."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, Field, create_model, field_validator

from kakehashi.employers.domain.commands import ChangeJobOrder, PostJobOrder
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

Model = TypeVar("Model", bound=BaseModel)


def optional_fields(model: type[Model]) -> type[Model]:
    """`model` with every field optional and None by default, as a PATCH body takes them: the
    fields are the parent's, each keeping its type, constraints and description."""
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        inner: Any = (
            Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        )
        fields[name] = (
            inner | None,
            Field(default=None, description=info.description, examples=info.examples),
        )
    return create_model(
        model.__name__, __base__=model, __module__=model.__module__, __doc__=model.__doc__, **fields
    )


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


class JobOrderFields(RequestModel):
    """Every field of a 求人票 as posted; JobOrderCreate and JobOrderUpdate both derive from it."""

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


class JobOrderCreate(JobOrderFields):
    """A 求人票. Only the original fields are required; `track` defaults to ssw1 and
    `min_japanese_level` to the track's floor. Sex, age and marital-status preferences are
    accepted but only stored to warn about: they never reach matching."""

    status: Literal["draft", "open"] = "open"

    def command(self) -> PostJobOrder:
        """The posting this body asks for."""
        return PostJobOrder(
            terms=self.terms(),
            preferences=Preferences(**{name: getattr(self, name) for name in PREFERENCES}),
            japanese_level_given=self.min_japanese_level is not None,
            status=JobOrderStatus(self.status),
        )

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


# Type checkers see the class as written; FastAPI gets its optional form from the decorator.
@optional_fields
class JobOrderUpdate(JobOrderFields):
    """Fields to change; the ones left out keep their value, `null` clears an optional one."""

    @field_validator(*REQUIRED_TERMS)
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Leaving a required field out keeps it; sending null would erase it.
        if value is None:
            raise ValueError("may be left out but not null")
        return value

    def command(self, job_order_id: str) -> ChangeJobOrder:
        """The change this body asks for: (term changes, preference changes) of the fields sent."""
        sent = self.model_fields_set
        terms: dict[str, Any] = {n: getattr(self, n) for n in sent if n not in PREFERENCES}
        if "required_skills" in sent:
            terms["required_skills"] = _skills(self.required_skills or [])
        if "housing" in sent:
            terms["housing"] = _housing(self.housing)
        if "interview" in sent:
            terms["interview"] = _interview(self.interview)
        preferences = {n: getattr(self, n) for n in sent if n in PREFERENCES}
        return ChangeJobOrder(job_order_id, terms, preferences)


class TransitionCreate(RequestModel):
    to: JobOrderStatus
    reason: Reason | None = None


def _skills(skills: list[RequiredSkillIn]) -> tuple[RequiredSkill, ...]:
    return tuple(RequiredSkill(s.code, s.min_level, s.must_have) for s in skills)


def _housing(housing: HousingIn | None) -> Housing | None:
    return Housing(housing.provided, housing.monthly_cost_yen) if housing else None


def _interview(interview: InterviewIn | None) -> Interview | None:
    return Interview(interview.format, interview.date) if interview else None
