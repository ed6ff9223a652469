"""Eligibility with the shipped rules reuses what an import recomputed per row (every track's
plan per sector and day, the windows per facts, turning days and ages): the verdicts and
windows must be exactly those the rules give when judged afresh, for people who differ only in
what the memo ignores."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date

from kakehashi.candidates.domain.eligibility import (
    default_rules,
    eligibility_windows,
    evaluate,
)
from kakehashi.candidates.domain.japanese import JapaneseTest, JapaneseTestResult
from kakehashi.candidates.domain.profile import CandidateProfile, EarlierStay, TradeSkill
from kakehashi.shared.reference import JapaneseLevel, Sector, Track

TODAY = date(2026, 11, 23)
BASE = CandidateProfile(
    full_name="Nguyen Van An",
    province="Tây Ninh",
    province_code="M72",
    sector=Sector.CONSTRUCTION,
    date_of_birth=date(2000, 5, 1),
)
JFT_A2 = JapaneseTestResult(JapaneseTest.JFT_BASIC, date(2026, 3, 1), score=205)


def _people() -> list[CandidateProfile]:
    """Profiles around every turning point: 18th birthdays before, on and after today and the
    rule changes of 2027-04-01, with and without tests, hours, stays and availability."""
    births = [
        date(2000, 5, 1),
        date(2008, 11, 23),  # 18 today
        date(2008, 11, 24),  # 18 tomorrow
        date(2009, 4, 1),  # 18 on the day ESD opens
        date(2009, 6, 10),
        date(2008, 2, 29),  # a leap-day birthday
        None,
    ]
    variants = [
        {},
        {
            "japanese_tests": (JFT_A2,),
            "skills": (TradeSkill("welding", 3, ("ssw1_construction",)),),
        },
        {"declared_japanese_level": JapaneseLevel.N5, "training_hours": 150},
        {"sector": Sector.NURSING_CARE, "declared_japanese_level": JapaneseLevel.N4},
        {"sector": Sector.LINEN_SUPPLY, "declared_japanese_level": JapaneseLevel.N3},
        {
            "earlier_stays": (
                EarlierStay(
                    Track.TITP,
                    date(2019, 1, 1),
                    date(2022, 1, 1),
                    sector=Sector.CONSTRUCTION,
                    titp_stage_completed=2,
                ),
            )
        },
    ]
    availability = [None, date(2027, 1, 15), date(2027, 6, 1)]
    return [
        replace(BASE, date_of_birth=born, available_from=available, **variant)  # type: ignore[arg-type]
        for born, variant, available in itertools.product(births, variants, availability)
    ]


def test_remembered_verdicts_are_those_judged_afresh() -> None:
    rules = default_rules()  # passed explicitly, the rules are judged without the memo
    for profile in _people() * 2:  # the second round is answered from the memo
        assert evaluate(profile, TODAY) == evaluate(profile, TODAY, rules)


def test_remembered_windows_are_those_judged_afresh() -> None:
    rules = default_rules()
    for profile in _people() * 2:
        assert eligibility_windows(profile, TODAY) == eligibility_windows(profile, TODAY, rules)


def test_people_of_the_same_facts_but_birthdays_keep_their_own_windows() -> None:
    # Both turn 18 after today, on different days: the memo must not hand one the other's.
    ready = {
        "japanese_tests": (JFT_A2,),
        "skills": (TradeSkill("welding", 3, ("ssw1_construction",)),),
    }
    first = replace(BASE, date_of_birth=date(2009, 6, 10), **ready)  # type: ignore[arg-type]
    second = replace(first, date_of_birth=date(2009, 8, 20))
    assert eligibility_windows(first, TODAY)["ssw1"] == [(date(2027, 6, 10), None)]
    assert eligibility_windows(second, TODAY)["ssw1"] == [(date(2027, 8, 20), None)]


def test_a_caller_changing_its_windows_does_not_change_the_next_persons() -> None:
    windows = eligibility_windows(BASE, TODAY)
    windows["titp"].append((date(2030, 1, 1), None))
    windows.pop("ssw2", None)
    assert eligibility_windows(BASE, TODAY) == eligibility_windows(BASE, TODAY, default_rules())
