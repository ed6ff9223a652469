"""Rules a profile must keep beyond field formats; each broken rule is a DomainError naming the field."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from kakehashi.candidates.domain.japanese import check_result, effective_level
from kakehashi.candidates.domain.profile import CandidateProfile, age_on, reference_date
from kakehashi.candidates.domain.provinces import resolve_province
from kakehashi.shared.errors import DomainError
from kakehashi.shared.reference import PREFECTURES, Track

MINIMUM_AGE = 18  # Law 69/2020/QH14: contract workers abroad are at least 18
# Centres enrol and train people before they turn 18 (a 17-year-old who will be 18 by departure),
# so under 18 is a warning and each track's eligibility says "too young" (the age_min rules of
# reference_data/eligibility_rules.json). Under 15 (the Labour Code's minimum working age) is a
# child or a typing mistake: refused.
MINIMUM_REGISTRATION_AGE = 15
MAXIMUM_AGE = 100  # anything older is a typing mistake
_PREFECTURES = frozenset(PREFECTURES)


def _repeated(values: list[str]) -> list[str]:
    return sorted({value for value in values if values.count(value) > 1})


def check_age(born: date | None, available_from: date | None, today: date) -> None:
    """A birth date that can be a trainee's: not in the future, at least 15 today, at most 100.
    Being under 18 on the day the person is available is not refused here (see
    `under_age_on_entry`): the tracks' eligibility says it."""
    if born is None:
        return
    if born > today:
        raise DomainError("date_of_birth", "cannot be in the future")
    age = age_on(born, today)
    if age < MINIMUM_REGISTRATION_AGE:
        raise DomainError(
            "date_of_birth",
            f"younger than {MINIMUM_REGISTRATION_AGE} ({age} today); check the date",
        )
    if age > MAXIMUM_AGE:
        raise DomainError("date_of_birth", f"more than {MAXIMUM_AGE} years ago; check the date")


@dataclass(frozen=True)
class UnderAge:
    """A person too young to work abroad on the day they are available: their age that day,
    the day, and their 18th birthday (from when a track may take them)."""

    age: int
    on: date
    of_age_on: date


def under_age_on_entry(
    born: date | None, available_from: date | None, today: date
) -> UnderAge | None:
    """`UnderAge` when the person is under MINIMUM_AGE on the day they are available (today if
    that is unknown or past), else None: what the form warns about."""
    if born is None or born > today:
        return None
    on = reference_date(available_from, today)
    age = age_on(born, on)
    if age >= MINIMUM_AGE:
        return None
    return UnderAge(age, on, _birthday(born, MINIMUM_AGE))


def _birthday(born: date, years: int) -> date:
    """The day the person turns `years` (29 February birthdays on 1 March)."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return date(born.year + years, 3, 1)


def check_profile(profile: CandidateProfile, today: date) -> None:
    """Raise DomainError for the first broken rule: age, skills, tests, periods, lists."""
    check_age(profile.date_of_birth, profile.available_from, today)
    repeated = _repeated([skill.code for skill in profile.skills])
    if repeated:
        raise DomainError("skills", f"listed more than once: {', '.join(repeated)}")
    for i, result in enumerate(profile.japanese_tests):
        check_result(result, f"japanese_tests[{i}]", today)
    effective_level(profile.japanese_tests, profile.declared_japanese_level)
    for i, period in enumerate(profile.work_history):
        if period.started_on > today:
            raise DomainError(f"work_history[{i}].from", "cannot start in the future")
        if period.ended_on is not None and period.ended_on < period.started_on:
            raise DomainError(f"work_history[{i}].to", "ends before it starts")
    for i, stay in enumerate(profile.earlier_stays):
        if stay.ended_on < stay.started_on:
            raise DomainError(f"earlier_stays[{i}].to", "ends before it starts")
        if stay.started_on > today:
            raise DomainError(f"earlier_stays[{i}].from", "an earlier stay cannot be in the future")
        if stay.titp_stage_completed is not None and stay.track is not Track.TITP:
            raise DomainError(
                f"earlier_stays[{i}].titp_stage_completed",
                "only technical intern stays have stages",
            )
    unknown = sorted(set(profile.desired_prefectures) - _PREFECTURES)
    if unknown:
        raise DomainError("desired_prefectures", f"not Japanese prefectures: {', '.join(unknown)}")
    for name, values in (
        ("desired_tracks", [t.value for t in profile.desired_tracks]),
        ("desired_sectors", [s.value for s in profile.desired_sectors]),
        ("desired_prefectures", list(profile.desired_prefectures)),
    ):
        repeated = _repeated(values)
        if repeated:
            raise DomainError(name, f"listed more than once: {', '.join(repeated)}")


def normalise_profile(profile: CandidateProfile, today: date) -> CandidateProfile:
    """The profile with its province resolved to a reference unit, once every rule is checked."""
    unit = resolve_province(profile.province, profile.province_code, today)
    normalised = replace(profile, province=unit.name, province_code=unit.code)
    check_profile(normalised, today)
    return normalised
