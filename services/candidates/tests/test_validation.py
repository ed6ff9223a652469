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
from kakehashi.candidates.domain.validation import (
    UnderAge,
    check_age,
    normalise_profile,
    under_age_on_entry,
)
from kakehashi.shared.errors import DomainError
from kakehashi.shared.reference import JapaneseLevel, Sector, Track

TODAY = date(2026, 11, 23)
BASE = CandidateProfile(
    full_name="Nguyen Van An", province="tay ninh", province_code=None, sector=Sector.CONSTRUCTION
)


def test_a_birth_date_is_refused_only_in_the_future_under_15_or_over_100() -> None:
    """Centres train people before they turn 18: 15 to 17 is registered (and warned about),
    younger is a child or a typing mistake."""
    check_age(date(2008, 11, 23), None, TODAY)
    check_age(date(2009, 1, 2), date(2027, 1, 1), TODAY)  # 17 on the day: a warning, not a refusal
    check_age(date(2011, 11, 23), None, TODAY)  # 15 today
    check_age(None, None, TODAY)
    for born in (date(2011, 11, 24), date(2012, 5, 1), date(2027, 1, 1), date(1900, 1, 1)):
        with pytest.raises(DomainError) as error:
            check_age(born, None, TODAY)
        assert error.value.field == "date_of_birth"


def test_under_18_on_the_day_available_is_told_with_the_18th_birthday() -> None:
    assert under_age_on_entry(date(2008, 11, 23), None, TODAY) is None
    assert under_age_on_entry(date(2009, 1, 1), date(2027, 1, 1), TODAY) is None
    assert under_age_on_entry(None, None, TODAY) is None
    warned = under_age_on_entry(date(2009, 1, 2), date(2027, 1, 1), TODAY)
    assert warned == UnderAge(17, date(2027, 1, 1), date(2027, 1, 2))
    leap = under_age_on_entry(date(2012, 2, 29), None, TODAY)
    assert leap == UnderAge(14, TODAY, date(2030, 3, 1))


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
        ({"date_of_birth": date(2012, 1, 1)}, "date_of_birth"),
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
