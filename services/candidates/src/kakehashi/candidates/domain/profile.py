"""A candidate's profile as the domain sees it: plain values, no storage or web types."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date
from enum import StrEnum

from kakehashi.candidates.domain.japanese import JapaneseTestResult
from kakehashi.shared.errors import DomainError
from kakehashi.shared.reference import JapaneseLevel, Sector, Track


class Sex(StrEnum):
    """As in the passport. Stored for the centre's records; never sent in events or scored."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


class HealthCheckStatus(StrEnum):
    """Sensitive: never sent in events."""

    NOT_DONE = "not_done"
    PENDING = "pending"
    FIT = "fit"
    UNFIT = "unfit"


class EducationLevel(StrEnum):
    PRIMARY = "primary"
    LOWER_SECONDARY = "lower_secondary"
    UPPER_SECONDARY = "upper_secondary"
    VOCATIONAL = "vocational"
    COLLEGE = "college"
    UNIVERSITY = "university"


@dataclass(frozen=True)
class Education:
    level: EducationLevel
    institution: str | None = None
    field_of_study: str | None = None
    graduation_year: int | None = None


@dataclass(frozen=True)
class TradeSkill:
    code: str
    level: int
    tests_passed: tuple[str, ...] = ()


@dataclass(frozen=True)
class WorkPeriod:
    employer: str
    role: str
    started_on: date
    sector: Sector | None = None
    ended_on: date | None = None  # None: still there


@dataclass(frozen=True)
class EarlierStay:
    """A former stay in Japan; a former technical intern is a special case for SSW i."""

    track: Track
    started_on: date
    ended_on: date
    sector: Sector | None = None
    titp_stage_completed: int | None = None  # 1-3, TITP stays only


@dataclass(frozen=True)
class CandidateProfile:
    """Everything a training centre records about a candidate (status and version aside)."""

    full_name: str  # as in the passport, Latin letters
    province: str  # display name of the province unit
    province_code: str | None
    sector: Sector
    name_vi: str | None = None
    name_katakana: str | None = None
    date_of_birth: date | None = None
    sex: Sex | None = None
    phone: str | None = None
    email: str | None = None
    passport_number: str | None = None
    education: Education | None = None
    work_history: tuple[WorkPeriod, ...] = ()
    skills: tuple[TradeSkill, ...] = ()
    japanese_tests: tuple[JapaneseTestResult, ...] = ()
    declared_japanese_level: JapaneseLevel | None = None
    training_hours: int | None = None
    training_cohort: str | None = None
    health_check_status: HealthCheckStatus | None = None
    desired_tracks: tuple[Track, ...] = ()
    desired_sectors: tuple[Sector, ...] = ()
    desired_prefectures: tuple[str, ...] = ()
    available_from: date | None = None
    earlier_stays: tuple[EarlierStay, ...] = field(default=())

    @property
    def tests_passed(self) -> frozenset[str]:
        """Every test recorded as passed on any trade skill (e.g. `ssw1_construction`)."""
        return frozenset(test for skill in self.skills for test in skill.tests_passed)


def reference_date(available_from: date | None, today: date) -> date:
    """The day rules are judged on: the availability date, or today if that is earlier or unknown."""
    return max(available_from, today) if available_from else today


def age_on(born: date, on: date) -> int:
    """Whole years between `born` and `on`."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def experience_years(history: tuple[WorkPeriod, ...], sector: Sector, today: date) -> float:
    """Years worked in `sector`, overlapping periods counted once, to one decimal."""
    periods = sorted(
        (p.started_on, min(p.ended_on or today, today)) for p in history if p.sector is sector
    )
    days = 0
    current_start: date | None = None
    current_end: date | None = None
    for start, end in periods:
        if current_end is None or start > current_end:
            if current_start is not None and current_end is not None:
                days += (current_end - current_start).days
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_start is not None and current_end is not None:
        days += (current_end - current_start).days
    return round(max(days, 0) / 365.25, 1)


_REQUIRED = ("full_name", "sector")


def apply_changes(profile: CandidateProfile, changes: dict[str, object]) -> CandidateProfile:
    """The profile with `changes` applied, ready to be normalised and checked again.

    A new province name drops the old code (and the reverse), so they are resolved afresh; new
    test results drop a self-declared level, which they replace.
    """
    known = {f.name for f in fields(CandidateProfile)}
    unknown = sorted(set(changes) - known)
    if unknown:
        raise DomainError(unknown[0], "not a profile field")
    for name in _REQUIRED:
        if name in changes and changes[name] is None:
            raise DomainError(name, "cannot be removed")
    updates = dict(changes)
    if "province" in updates or "province_code" in updates:
        updates.setdefault("province", "")
        updates.setdefault("province_code", None)
        updates["province"] = updates["province"] or ""
    if "japanese_tests" in updates:
        updates.setdefault("declared_japanese_level", None)
    return replace(profile, **updates)  # type: ignore[arg-type]
