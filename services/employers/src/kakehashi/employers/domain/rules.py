"""Rules a job order must follow (a 422 naming the field) and the ones it is only warned about."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

from kakehashi.employers.domain.model import JobOrderTerms, JobOrderWarning, Preferences
from kakehashi.employers.domain.reference_data import japanese_floor, minimum_wage
from kakehashi.shared.errors import DomainError
from kakehashi.shared.reference import JapaneseLevel, Sector, Track

STANDARD_HOURS_PER_WEEK = 40.0  # Labour Standards Act art. 32; used when the order gives none
WEEKS_PER_MONTH = 52 / 12
OVERTIME_STANDARD_LIMIT = 45  # hours a month under an ordinary article 36 agreement

TRACK_NAMES = {
    Track.TITP: "TITP",
    Track.ESD: "Employment for Skill Development",
    Track.SSW1: "SSW i",
    Track.SSW2: "SSW ii",
}


def reference_date(terms: JobOrderTerms, today: date) -> date:
    """The day whose rules apply: when the worker is expected to leave, else today."""
    return terms.expected_departure_date or today


def default_japanese_level(track: Track, sector: Sector, on: date) -> JapaneseLevel:
    """What an order asks for when it names no level: the track's floor, or none."""
    floor = japanese_floor(track, sector, on)
    return floor.min_level if floor else JapaneseLevel.NONE


def check_terms(terms: JobOrderTerms, preferences: Preferences, today: date) -> None:
    """Raise DomainError naming the first field that breaks a rule."""
    if terms.headcount < 1:
        raise DomainError("headcount", "must be at least 1")
    codes = [skill.code for skill in terms.required_skills]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise DomainError("required_skills", f"listed more than once: {', '.join(duplicates)}")
    _check_japanese_floor(terms, reference_date(terms, today))
    if terms.housing and not terms.housing.provided and terms.housing.monthly_cost_yen:
        raise DomainError("monthly_cost_yen", "housing that is not provided cannot cost anything")
    _check_dates(terms)
    if (
        preferences.age_min is not None
        and preferences.age_max is not None
        and preferences.age_min > preferences.age_max
    ):
        raise DomainError("age_max", "must not be below age_min")


def _check_japanese_floor(terms: JobOrderTerms, on: date) -> None:
    floor = japanese_floor(terms.track, terms.sector, on)
    if floor and terms.min_japanese_level.rank < floor.min_level.rank:
        scope = "" if floor.sector == "*" else f" in {terms.sector.value}"
        raise DomainError(
            "min_japanese_level",
            f"a {TRACK_NAMES[terms.track]} order{scope} cannot ask below "
            f"{floor.min_level.value} (rule in force on {on.isoformat()}: {floor.basis})",
        )


def _check_dates(terms: JobOrderTerms) -> None:
    """Deadline, then interview, then departure, for whichever of them are given."""
    interview_on = terms.interview.on if terms.interview else None
    steps = [
        ("application_deadline", terms.application_deadline),
        ("interview.date", interview_on),
        ("expected_departure_date", terms.expected_departure_date),
    ]
    given = [(name, day) for name, day in steps if day is not None]
    for (earlier_name, earlier), (later_name, later) in pairwise(given):
        if later < earlier:
            field = later_name.rsplit(".", 1)[-1]
            raise DomainError(field, f"{later_name} must not be before {earlier_name}")


def warnings_for(
    terms: JobOrderTerms, preferences: Preferences, today: date
) -> list[JobOrderWarning]:
    """What a program manager should look at; none of it stops the order."""
    warnings = _preference_warnings(preferences)
    pay = _minimum_wage_warning(terms, reference_date(terms, today))
    if pay:
        warnings.append(pay)
    overtime = terms.overtime_hours_per_month
    if overtime is not None and overtime > OVERTIME_STANDARD_LIMIT:
        warnings.append(
            JobOrderWarning(
                "overtime_above_standard_limit",
                f"{overtime} h of overtime a month is above the {OVERTIME_STANDARD_LIMIT} h "
                "an ordinary article 36 agreement allows; a special clause is needed",
            )
        )
    return warnings


_FAIR_SELECTION = (
    "clashes with Japan's fair-selection guidance and Vietnam's anti-discrimination rules; "
    "it is kept out of matching and never shared"
)


def _preference_warnings(preferences: Preferences) -> list[JobOrderWarning]:
    warnings = []
    if preferences.preferred_sex is not None:
        warnings.append(JobOrderWarning("sex_preference", f"a preference on sex {_FAIR_SELECTION}"))
    if preferences.age_min is not None or preferences.age_max is not None:
        warnings.append(JobOrderWarning("age_preference", f"an age range {_FAIR_SELECTION}"))
    if preferences.preferred_marital_status is not None:
        warnings.append(
            JobOrderWarning(
                "marital_status_preference", f"a preference on marital status {_FAIR_SELECTION}"
            )
        )
    return warnings


def hourly_pay(monthly_pay_yen: int, hours_per_week: float | None) -> float:
    """Monthly base pay as an hourly rate: pay / (hours a week x 52 / 12)."""
    hours = hours_per_week or STANDARD_HOURS_PER_WEEK
    return monthly_pay_yen / (hours * WEEKS_PER_MONTH)


def _minimum_wage_warning(terms: JobOrderTerms, on: date) -> JobOrderWarning | None:
    if terms.monthly_base_pay_yen is None:
        return None
    floor = minimum_wage(terms.prefecture, on)
    if floor is None:
        return None
    hourly = hourly_pay(terms.monthly_base_pay_yen, terms.hours_per_week)
    if hourly >= floor.hourly_yen:
        return None
    hours = terms.hours_per_week or STANDARD_HOURS_PER_WEEK
    return JobOrderWarning(
        "below_minimum_wage",
        f"{terms.monthly_base_pay_yen} yen a month for {hours:g} h a week is {hourly:.0f} yen an "
        f"hour, below {terms.prefecture}'s minimum wage of {floor.hourly_yen} yen "
        f"(FY{floor.fiscal_year}, in force from {floor.effective_from.isoformat()})",
    )
