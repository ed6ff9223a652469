"""Job orders (求人票) as the domain sees them: the terms an employer offers and asks for.

The terms are what matching and candidates may see. Preferences on sex, age and marital status
are kept apart, in `Preferences`, so that no event builder can reach them by accident: they are
stored only to warn about them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from kakehashi.shared.reference import JapaneseLevel, Sector, Track

DEFAULT_TRACK = Track.SSW1  # most new orders are SSW i; TITP is being replaced


class Education(StrEnum):
    """Highest education the order asks for, lowest first."""

    NONE = "none"
    LOWER_SECONDARY = "lower_secondary"
    UPPER_SECONDARY = "upper_secondary"
    VOCATIONAL = "vocational"
    COLLEGE = "college"
    UNIVERSITY = "university"


class InterviewFormat(StrEnum):
    ONLINE = "online"
    IN_PERSON = "in_person"
    VIDEO_RECORDED = "video_recorded"


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class MaritalStatus(StrEnum):
    SINGLE = "single"
    MARRIED = "married"


@dataclass(frozen=True)
class RequiredSkill:
    code: str
    min_level: int
    must_have: bool = True


@dataclass(frozen=True)
class Housing:
    provided: bool
    monthly_cost_yen: int | None = None


@dataclass(frozen=True)
class Interview:
    format: InterviewFormat
    on: date | None = None


@dataclass(frozen=True)
class JobOrderTerms:
    """Everything a job order offers and asks for, except the preferences we only warn about."""

    title: str
    sector: Sector
    prefecture: str
    headcount: int
    min_japanese_level: JapaneseLevel
    track: Track = DEFAULT_TRACK
    required_skills: tuple[RequiredSkill, ...] = field(default=())
    job_category: str | None = None
    experience_years_min: int = 0
    education: Education = Education.NONE
    monthly_base_pay_yen: int | None = None
    hours_per_week: float | None = None
    overtime_hours_per_month: int | None = None
    days_off_per_year: int | None = None
    housing: Housing | None = None
    contract_months: int | None = None
    interview: Interview | None = None
    expected_departure_date: date | None = None
    application_deadline: date | None = None


@dataclass(frozen=True)
class Preferences:
    """Filters common in practice that clash with fair-selection rules: stored, warned, never sent."""

    preferred_sex: Sex | None = None
    age_min: int | None = None
    age_max: int | None = None
    preferred_marital_status: MaritalStatus | None = None


@dataclass(frozen=True)
class JobOrderWarning:
    """Something a program manager should look at; the order is saved nevertheless."""

    code: str
    message: str
