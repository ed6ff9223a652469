"""The pipeline state machine and eligibility judged from rules kept as data."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date

import pytest

from kakehashi.candidates.domain.eligibility import (
    default_rules,
    eligibility_windows,
    eligible_tracks,
    evaluate,
    parse_rules,
)
from kakehashi.candidates.domain.japanese import JapaneseTest, JapaneseTestResult
from kakehashi.candidates.domain.pipeline import (
    TRANSITIONS,
    HeldByMatchError,
    Status,
    TransitionNotAllowedError,
    check_manual_move,
    check_transition,
)
from kakehashi.candidates.domain.profile import (
    CandidateProfile,
    EarlierStay,
    TradeSkill,
    WorkPeriod,
    experience_years,
)
from kakehashi.shared.reference import JapaneseLevel, Sector, Track

TODAY = date(2026, 11, 23)
HAPPY_PATH = [
    Status.REGISTERED,
    Status.IN_TRAINING,
    Status.READY,
    Status.SHORTLISTED,
    Status.INTERVIEWED,
    Status.SELECTED,
    Status.CONTRACTED,
    Status.VISA_PROCESSING,
    Status.DEPARTED,
    Status.WORKING,
    Status.RETURNED,
]


def test_the_happy_path_is_allowed_step_by_step() -> None:
    for current, target in itertools.pairwise(HAPPY_PATH):
        check_transition(current, target, ("ssw1",))


@pytest.mark.parametrize("current", [s for s in Status if s is not Status.WITHDRAWN])
def test_withdrawal_is_possible_from_every_state_and_final(current: Status) -> None:
    check_transition(current, Status.WITHDRAWN, ())
    with pytest.raises(TransitionNotAllowedError):
        check_transition(Status.WITHDRAWN, current, ("ssw1",))


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (Status.REGISTERED, Status.SELECTED),
        (Status.READY, Status.DEPARTED),
        (Status.WORKING, Status.READY),
        (Status.IN_TRAINING, Status.IN_TRAINING),
    ],
)
def test_skipping_steps_is_refused(current: Status, target: Status) -> None:
    with pytest.raises(TransitionNotAllowedError) as error:
        check_transition(current, target, ("ssw1",))
    assert "allowed" in error.value.message


def test_ready_needs_eligibility_for_a_track() -> None:
    with pytest.raises(TransitionNotAllowedError):
        check_transition(Status.IN_TRAINING, Status.READY, ())
    assert Status.WITHDRAWN in TRANSITIONS[Status.RETURNED]


BASE = CandidateProfile(
    full_name="Nguyen Van An",
    province="Tây Ninh",
    province_code="M72",
    sector=Sector.CONSTRUCTION,
    date_of_birth=date(2000, 5, 1),
)
JFT_A2 = JapaneseTestResult(JapaneseTest.JFT_BASIC, date(2026, 3, 1), score=205)
SKILLS_TEST = TradeSkill("welding", 3, ("ssw1_construction",))


def _track(profile: CandidateProfile, track: Track, today: date = TODAY) -> tuple[bool, str]:
    [result] = [r for r in evaluate(profile, today) if r.track is track]
    return result.eligible, " / ".join(result.reasons)


def test_ssw1_needs_a2_japanese_and_the_sector_skills_test() -> None:
    ready = replace(BASE, japanese_tests=(JFT_A2,), skills=(SKILLS_TEST,))
    assert _track(ready, Track.SSW1)[0]
    eligible, reasons = _track(replace(ready, skills=(TradeSkill("welding", 3),)), Track.SSW1)
    assert not eligible
    assert "ssw1_construction not passed" in reasons
    low = JapaneseTestResult(JapaneseTest.JFT_BASIC, date(2026, 3, 1), score=180)
    assert not _track(replace(ready, japanese_tests=(low,)), Track.SSW1)[0]
    assert _track(
        replace(BASE, declared_japanese_level=JapaneseLevel.N4, skills=(SKILLS_TEST,)), Track.SSW1
    )[0]


def test_titp_stage_2_in_the_same_sector_exempts_both_ssw1_tests() -> None:
    stay = EarlierStay(
        Track.TITP, date(2019, 1, 1), date(2022, 1, 1), Sector.CONSTRUCTION, titp_stage_completed=2
    )
    assert _track(replace(BASE, earlier_stays=(stay,)), Track.SSW1)[0]
    elsewhere = replace(stay, sector=Sector.AGRICULTURE)
    assert not _track(replace(BASE, earlier_stays=(elsewhere,)), Track.SSW1)[0]
    stage_1 = replace(stay, titp_stage_completed=1)
    assert not _track(replace(BASE, earlier_stays=(stage_1,)), Track.SSW1)[0]


def test_nursing_care_adds_the_care_japanese_test_and_has_no_ssw2() -> None:
    care = replace(
        BASE,
        sector=Sector.NURSING_CARE,
        japanese_tests=(JFT_A2,),
        skills=(TradeSkill("bathing_assistance", 2, ("ssw1_nursing_care",)),),
    )
    eligible, reasons = _track(care, Track.SSW1)
    assert not eligible
    assert "nursing_care_japanese not passed" in reasons
    both = replace(
        care,
        skills=(
            TradeSkill("bathing_assistance", 2, ("ssw1_nursing_care", "nursing_care_japanese")),
        ),
    )
    assert _track(both, Track.SSW1)[0]
    assert not _track(both, Track.SSW2)[0]


def test_esd_opens_in_april_2027_with_a1_or_the_required_course() -> None:
    course = replace(BASE, training_hours=150)
    assert not _track(course, Track.ESD)[0]
    assert _track(course, Track.TITP)[0]
    later = replace(course, available_from=date(2027, 5, 1))
    assert _track(later, Track.ESD)[0]
    assert not _track(later, Track.TITP)[0]  # replaced by ESD for new entrants
    assert not _track(replace(later, training_hours=100), Track.ESD)[0]
    with_n5 = replace(later, training_hours=None, declared_japanese_level=JapaneseLevel.N5)
    assert _track(with_n5, Track.ESD)[0]


def test_without_a_date_of_birth_eligibility_asks_for_it() -> None:
    unknown = replace(BASE, date_of_birth=None, japanese_tests=(JFT_A2,), skills=(SKILLS_TEST,))
    results = evaluate(unknown, TODAY)
    assert eligible_tracks(results) == ()
    assert all("date_of_birth" in r.needs_data for r in results if r.track is not Track.ESD)


def test_eligibility_windows_open_esd_on_1_april_2027_whatever_the_availability() -> None:
    # The walk's bug: a candidate available before 2027-04-01 was refused for an ESD order
    # departing after it, because eligibility was judged on the availability date.
    course = replace(BASE, training_hours=150, available_from=date(2027, 1, 15))
    assert not _track(course, Track.ESD)[0]  # the profile page: as of the availability date
    windows = eligibility_windows(course, TODAY)
    assert windows["esd"] == [(date(2027, 4, 1), None)]
    assert windows["titp"] == [(None, date(2027, 3, 31))]


def test_eligibility_windows_open_at_the_18th_birthday() -> None:
    young = replace(
        BASE, date_of_birth=date(2009, 6, 10), japanese_tests=(JFT_A2,), skills=(SKILLS_TEST,)
    )
    assert eligibility_windows(young, TODAY)["ssw1"] == [(date(2027, 6, 10), None)]
    adult = replace(young, date_of_birth=date(2000, 6, 10))
    assert eligibility_windows(adult, TODAY)["ssw1"] == [(None, None)]


def test_the_age_rule_is_judged_on_the_availability_date() -> None:
    young = replace(
        BASE, date_of_birth=date(2009, 1, 10), japanese_tests=(JFT_A2,), skills=(SKILLS_TEST,)
    )
    assert not _track(young, Track.SSW1)[0]
    assert _track(replace(young, available_from=date(2027, 2, 1)), Track.SSW1)[0]


def test_rules_are_data_a_changed_threshold_changes_the_outcome() -> None:
    rules = parse_rules(
        [
            {"track": "ssw1", "requirement": "open", "kind": "offered"},
            {"track": "ssw1", "requirement": "japanese", "kind": "japanese_min", "threshold": "N3"},
        ]
    )
    n4 = replace(BASE, declared_japanese_level=JapaneseLevel.N4)
    [ssw1] = [r for r in evaluate(n4, TODAY, rules) if r.track is Track.SSW1]
    assert not ssw1.eligible
    assert eligible_tracks(
        evaluate(replace(n4, declared_japanese_level=JapaneseLevel.N3), TODAY, rules)
    ) == ("ssw1",)


def test_bad_rules_are_refused_and_the_shipped_rules_load() -> None:
    with pytest.raises(ValueError, match="mining"):
        parse_rules([{"track": "ssw1", "sector": "mining", "requirement": "x", "kind": "offered"}])
    with pytest.raises(ValueError, match="N6"):
        parse_rules(
            [{"track": "ssw1", "requirement": "j", "kind": "japanese_min", "threshold": "N6"}]
        )
    assert {rule.track for rule in default_rules()} == set(Track)


def test_experience_counts_overlapping_periods_in_the_sector_once() -> None:
    history = (
        WorkPeriod("A", "welder", date(2020, 1, 1), Sector.CONSTRUCTION, date(2022, 1, 1)),
        WorkPeriod("B", "welder", date(2021, 1, 1), Sector.CONSTRUCTION, date(2023, 1, 1)),
        WorkPeriod("C", "cook", date(2015, 1, 1), Sector.FOOD_SERVICE, date(2019, 1, 1)),
        WorkPeriod("D", "fitter", date(2025, 11, 23), Sector.CONSTRUCTION),
    )
    assert experience_years(history, Sector.CONSTRUCTION, TODAY) == 4.0
    assert experience_years((), Sector.CONSTRUCTION, TODAY) == 0.0


@pytest.mark.parametrize("current", [Status.SHORTLISTED, Status.INTERVIEWED, Status.SELECTED])
def test_a_held_candidate_goes_back_to_training_only_when_matching_lets_go(current: Status) -> None:
    for target in (Status.REGISTERED, Status.IN_TRAINING, Status.READY):
        with pytest.raises(HeldByMatchError, match="withdraw"):
            check_manual_move(current, target, live_pairs=1)
        check_manual_move(current, target, live_pairs=0)  # no order holds them: allowed
    check_manual_move(current, Status.WITHDRAWN, live_pairs=2)  # withdrawing is always open
