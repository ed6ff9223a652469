"""Rules a profile must keep beyond field formats; each broken rule is a DomainError naming the field."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from kakehashi.candidates.domain.japanese import check_result, effective_level
from kakehashi.candidates.domain.profile import CandidateProfile, age_on, reference_date
from kakehashi.candidates.domain.provinces import resolve_province
from kakehashi.shared.errors import DomainError
from kakehashi.shared.reference import PREFECTURES, Track

MINIMUM_AGE = 18  # Law 69/2020/QH14: contract workers abroad are at least 18
MAXIMUM_AGE = 100  # anything older is a typing mistake
_PREFECTURES = frozenset(PREFECTURES)


def _repeated(values: list[str]) -> list[str]:
    return sorted({value for value in values if values.count(value) > 1})


def check_age(born: date | None, available_from: date | None, today: date) -> None:
    """At least 18 on the day the candidate is available (today if that is unknown or past)."""
    if born is None:
        return
    if born > today:
        raise DomainError("date_of_birth", "cannot be in the future")
    on = reference_date(available_from, today)
    age = age_on(born, on)
    if age < MINIMUM_AGE:
        raise DomainError(
            "date_of_birth",
            f"a candidate must be at least {MINIMUM_AGE} on {on.isoformat()} (would be {age})",
        )
    if age_on(born, today) > MAXIMUM_AGE:
        raise DomainError("date_of_birth", f"more than {MAXIMUM_AGE} years ago; check the date")


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
