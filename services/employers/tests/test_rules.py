"""The job order rules and reference tables, without a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from kakehashi.employers.domain.model import (
    Housing,
    Interview,
    InterviewFormat,
    JobOrderTerms,
    MaritalStatus,
    Preferences,
    RequiredSkill,
    Sex,
)
from kakehashi.employers.domain.reference_data import (
    japanese_floor,
    japanese_floors,
    minimum_wage,
    minimum_wages,
)
from kakehashi.employers.domain.rules import (
    check_terms,
    default_japanese_level,
    hourly_pay,
    warnings_for,
)
from kakehashi.shared.errors import DomainError
from kakehashi.shared.reference import PREFECTURES, JapaneseLevel, Sector, Track

TODAY = date(2026, 11, 24)
N = JapaneseLevel
ORDER = JobOrderTerms(
    title="溶接工 / Welder",
    track=Track.SSW1,
    sector=Sector.CONSTRUCTION,
    prefecture="Aichi",
    headcount=3,
    min_japanese_level=N.N4,
    required_skills=(RequiredSkill("welding", 3),),
)


def _field_of(terms: JobOrderTerms, preferences: Preferences = Preferences()) -> str | None:
    try:
        check_terms(terms, preferences, TODAY)
    except DomainError as error:
        return error.field
    return None


@pytest.mark.parametrize(
    ("track", "sector", "level", "allowed"),
    [
        (Track.SSW1, Sector.CONSTRUCTION, N.N4, True),
        (Track.SSW1, Sector.CONSTRUCTION, N.N5, False),
        (Track.SSW1, Sector.NURSING_CARE, N.NONE, False),
        (Track.SSW2, Sector.CONSTRUCTION, N.NONE, True),
        (Track.SSW2, Sector.FOOD_SERVICE, N.N4, False),
        (Track.SSW2, Sector.FOOD_SERVICE, N.N3, True),
        (Track.SSW2, Sector.FISHERIES, N.N4, False),
        (Track.TITP, Sector.CONSTRUCTION, N.NONE, True),
        (Track.TITP, Sector.NURSING_CARE, N.N5, False),
        (Track.TITP, Sector.NURSING_CARE, N.N4, True),
    ],
)
def test_the_track_floor_is_enforced_on_min_japanese_level(
    track: Track, sector: Sector, level: JapaneseLevel, allowed: bool
) -> None:
    terms = replace(ORDER, track=track, sector=sector, min_japanese_level=level)
    assert _field_of(terms) == (None if allowed else "min_japanese_level")


def test_the_floor_in_force_on_the_departure_date_applies() -> None:
    # Employment for Skill Development starts on 2027-04-01 with an N5 floor.
    esd = replace(ORDER, track=Track.ESD, min_japanese_level=N.NONE)
    assert _field_of(replace(esd, expected_departure_date=date(2027, 3, 31))) is None
    assert _field_of(replace(esd, expected_departure_date=date(2027, 4, 1))) == (
        "min_japanese_level"
    )
    assert (
        _field_of(replace(esd, expected_departure_date=date(2027, 4, 1), min_japanese_level=N.N5))
        is None
    )


def test_a_sector_row_wins_over_the_tracks_catch_all_and_the_default_level_is_the_floor() -> None:
    floor = japanese_floor(Track.SSW2, Sector.FOOD_SERVICE, TODAY)
    assert floor is not None
    assert floor.min_level is N.N3
    assert japanese_floor(Track.SSW2, Sector.CONSTRUCTION, TODAY) is None
    assert default_japanese_level(Track.SSW1, Sector.AGRICULTURE, TODAY) is N.N4
    assert default_japanese_level(Track.TITP, Sector.AGRICULTURE, TODAY) is N.NONE


def test_reference_tables_are_complete() -> None:
    assert {floor.track for floor in japanese_floors()} == set(Track)
    fy2025 = {w.prefecture for w in minimum_wages() if w.fiscal_year == 2025}
    assert fy2025 == set(PREFECTURES)
    assert all(900 < w.hourly_yen < 1300 for w in minimum_wages())


def test_the_minimum_wage_in_force_follows_the_effective_date() -> None:
    before, after = (
        minimum_wage("Akita", date(2026, 3, 30)),
        minimum_wage("Akita", date(2026, 3, 31)),
    )
    assert before is not None
    assert after is not None
    assert (before.fiscal_year, after.fiscal_year) == (2024, 2025)
    assert minimum_wage("Tokyo", date(2020, 1, 1)) is None


def test_monthly_pay_is_turned_into_hourly_pay_over_52_weeks() -> None:
    assert hourly_pay(208_000, 40) == pytest.approx(1200)
    assert hourly_pay(208_000, None) == pytest.approx(1200)  # 40 h assumed
    assert hourly_pay(156_000, 30) == pytest.approx(1200)


def test_pay_below_the_prefectures_minimum_wage_is_a_warning_not_an_error() -> None:
    low = replace(ORDER, monthly_base_pay_yen=180_000, hours_per_week=40)
    assert _field_of(low) is None
    [warning] = warnings_for(low, Preferences(), TODAY)
    assert warning.code == "below_minimum_wage"
    assert "1140" in warning.message  # Aichi, FY2025
    assert warnings_for(replace(low, monthly_base_pay_yen=230_000), Preferences(), TODAY) == []


def test_preferences_on_sex_age_and_marital_status_are_warned_about() -> None:
    preferences = Preferences(Sex.MALE, 20, 30, MaritalStatus.SINGLE)
    codes = [w.code for w in warnings_for(ORDER, preferences, TODAY)]
    assert codes == ["sex_preference", "age_preference", "marital_status_preference"]
    assert warnings_for(ORDER, Preferences(), TODAY) == []


def test_long_overtime_is_warned_about() -> None:
    codes = [
        w.code
        for w in warnings_for(replace(ORDER, overtime_hours_per_month=60), Preferences(), TODAY)
    ]
    assert codes == ["overtime_above_standard_limit"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"headcount": 0}, "headcount"),
        (
            {"required_skills": (RequiredSkill("welding", 1), RequiredSkill("welding", 2))},
            "required_skills",
        ),
        ({"housing": Housing(provided=False, monthly_cost_yen=20_000)}, "monthly_cost_yen"),
        (
            {
                "application_deadline": date(2027, 2, 1),
                "interview": Interview(InterviewFormat.ONLINE, date(2027, 1, 15)),
            },
            "date",
        ),
        (
            {
                "interview": Interview(InterviewFormat.ONLINE, date(2027, 3, 1)),
                "expected_departure_date": date(2027, 2, 1),
            },
            "expected_departure_date",
        ),
        (
            {"application_deadline": date(2027, 5, 1), "expected_departure_date": date(2027, 4, 1)},
            "expected_departure_date",
        ),
    ],
)
def test_broken_rules_name_the_field(change: dict[str, object], field: str) -> None:
    assert _field_of(replace(ORDER, **change)) == field  # type: ignore[arg-type]


def test_an_inverted_age_range_is_refused() -> None:
    assert _field_of(ORDER, Preferences(age_min=40, age_max=20)) == "age_max"
    assert _field_of(ORDER, Preferences(age_min=20, age_max=40)) is None
