"""Japanese results and the level derived from them on the shared ordinal scale."""

from __future__ import annotations

from datetime import date

import pytest

from kakehashi.candidates.domain.japanese import (
    JapaneseTest,
    JapaneseTestResult,
    check_result,
    derived_level,
    effective_level,
)
from kakehashi.shared.errors import DomainError
from kakehashi.shared.reference import JapaneseLevel

TAKEN = date(2026, 6, 1)
TODAY = date(2026, 11, 23)


def jft(score: int) -> JapaneseTestResult:
    return JapaneseTestResult(JapaneseTest.JFT_BASIC, TAKEN, score=score)


def leveled(test: JapaneseTest, level: JapaneseLevel) -> JapaneseTestResult:
    return JapaneseTestResult(test, TAKEN, level=level)


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (250, JapaneseLevel.N4),
        (200, JapaneseLevel.N4),
        (199, JapaneseLevel.N5),
        (145, JapaneseLevel.N5),
        (144, JapaneseLevel.NONE),
        (10, JapaneseLevel.NONE),
    ],
)
def test_jft_basic_scores_place_on_the_scale(score: int, level: JapaneseLevel) -> None:
    assert derived_level((jft(score),)) is level


@pytest.mark.parametrize("test", [JapaneseTest.JLPT, JapaneseTest.NAT_TEST, JapaneseTest.J_TEST])
def test_level_based_tests_mirror_the_jlpt(test: JapaneseTest) -> None:
    assert derived_level((leveled(test, JapaneseLevel.N3),)) is JapaneseLevel.N3


def test_the_best_result_counts_and_none_without_results() -> None:
    results = (jft(210), leveled(JapaneseTest.JLPT, JapaneseLevel.N5))
    assert derived_level(results) is JapaneseLevel.N4
    assert derived_level(()) is JapaneseLevel.NONE


def test_results_win_over_a_declared_level_which_must_then_agree() -> None:
    assert effective_level((), JapaneseLevel.N3) == (JapaneseLevel.N3, "declared")
    assert effective_level((), None) == (JapaneseLevel.NONE, "declared")
    assert effective_level((jft(200),), None) == (JapaneseLevel.N4, "tests")
    assert effective_level((jft(200),), JapaneseLevel.N4) == (JapaneseLevel.N4, "tests")
    with pytest.raises(DomainError) as error:
        effective_level((jft(200),), JapaneseLevel.N2)
    assert error.value.field == "japanese_level"


@pytest.mark.parametrize(
    ("result", "field"),
    [
        (JapaneseTestResult(JapaneseTest.JFT_BASIC, TAKEN), "t.score"),
        (jft(251), "t.score"),
        (jft(9), "t.score"),
        (JapaneseTestResult(JapaneseTest.JFT_BASIC, TAKEN, JapaneseLevel.N4, 210), "t.level"),
        (JapaneseTestResult(JapaneseTest.JLPT, TAKEN), "t.level"),
        (JapaneseTestResult(JapaneseTest.NAT_TEST, TAKEN, JapaneseLevel.NONE), "t.level"),
        (JapaneseTestResult(JapaneseTest.JLPT, TAKEN, JapaneseLevel.N4, 120), "t.score"),
        (JapaneseTestResult(JapaneseTest.JLPT, date(2027, 1, 1), JapaneseLevel.N4), "t.date"),
    ],
)
def test_malformed_results_name_the_field(result: JapaneseTestResult, field: str) -> None:
    with pytest.raises(DomainError) as error:
        check_result(result, "t", TODAY)
    assert error.value.field == field
