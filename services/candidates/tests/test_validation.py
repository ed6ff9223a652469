"""Profile rules beyond field formats; each names the field it concerns."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from kakehashi.candidates.domain.japanese import JapaneseTest, JapaneseTestResult
from kakehashi.candidates.domain.profile import (
    CandidateProfile,
    EarlierStay,
    TradeSkill,
    WorkPeriod,
    apply_changes,
)
from kakehashi.candidates.domain.validation import check_age, normalise_profile
from kakehashi.shared.errors import DomainError
from kakehashi.shared.reference import JapaneseLevel, Sector, Track

TODAY = date(2026, 11, 23)
BASE = CandidateProfile(
    full_name="Nguyen Van An", province="tay ninh", province_code=None, sector=Sector.CONSTRUCTION
)


def test_age_is_at_least_18_on_the_availability_date_or_today() -> None:
    check_age(date(2008, 11, 23), None, TODAY)
    check_age(date(2009, 1, 1), date(2027, 1, 1), TODAY)
    check_age(None, None, TODAY)
    for born, available in [(date(2008, 11, 24), None), (date(2009, 1, 2), date(2027, 1, 1))]:
        with pytest.raises(DomainError) as error:
            check_age(born, available, TODAY)
        assert error.value.field == "date_of_birth"
    with pytest.raises(DomainError):
        check_age(date(2027, 1, 1), None, TODAY)
    with pytest.raises(DomainError):
        check_age(date(1900, 1, 1), None, TODAY)


def test_normalising_resolves_the_province() -> None:
    profile = normalise_profile(BASE, TODAY)
    assert (profile.province, profile.province_code) == ("Tây Ninh", "M72")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"skills": (TradeSkill("welding", 2), TradeSkill("welding", 3))}, "skills"),
        (
            {"japanese_tests": (JapaneseTestResult(JapaneseTest.JLPT, date(2026, 1, 1)),)},
            "japanese_tests[0].level",
        ),
        (
            {"work_history": (WorkPeriod("A", "B", date(2024, 1, 1), None, date(2023, 1, 1)),)},
            "work_history[0].to",
        ),
        (
            {
                "earlier_stays": (
                    EarlierStay(Track.SSW1, date(2020, 1, 1), date(2021, 1, 1), None, 2),
                )
            },
            "earlier_stays[0].titp_stage_completed",
        ),
        ({"desired_prefectures": ("Aichi", "Atlantis")}, "desired_prefectures"),
        ({"desired_tracks": (Track.SSW1, Track.SSW1)}, "desired_tracks"),
        ({"province": "Atlantis"}, "province"),
        ({"date_of_birth": date(2010, 1, 1)}, "date_of_birth"),
    ],
)
def test_broken_rules_name_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(DomainError) as error:
        normalise_profile(replace(BASE, **change), TODAY)
    assert error.value.field == field


def test_applying_changes() -> None:
    stored = normalise_profile(replace(BASE, declared_japanese_level=JapaneseLevel.N2), TODAY)
    moved = apply_changes(stored, {"province": "Nghệ An"})
    assert normalise_profile(moved, TODAY).province_code == "40"
    result = JapaneseTestResult(JapaneseTest.JLPT, date(2026, 1, 1), JapaneseLevel.N4)
    tested = apply_changes(stored, {"japanese_tests": (result,)})
    assert tested.declared_japanese_level is None  # replaced by the result, not in conflict
    with pytest.raises(DomainError) as error:
        apply_changes(stored, {"full_name": None})
    assert error.value.field == "full_name"
