"""Japanese results and the level derived from them on the shared ordinal scale."""

from __future__ import annotations

from datetime import date

import pytest

from kakehashi.candidates.domain import japanese
from kakehashi.candidates.domain.japanese import (
    JapaneseTest,
    JapaneseTestResult,
    check_result,
    derived_level,
    effective_level,
)
from kakehashi.candidates.entrypoints import import_rows
from kakehashi.candidates.entrypoints.import_rows import body_of_row
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


def test_a_test_type_is_a_row_of_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    extended = japanese.japanese_test_kinds() | japanese.parse_kinds(
        [
            {
                "code": "top_j",
                "name": "TOP J",
                "scale": "score",
                "score_range": [0, 500],
                "cut_offs": [{"min_score": 300, "level": "N3"}, {"min_score": 100, "level": "N5"}],
                "import_prefix": "top_j",
            }
        ]
    )
    for module in (japanese, import_rows):  # the places the table is read from
        monkeypatch.setattr(module, "japanese_test_kinds", lambda: extended)
    top_j = JapaneseTest("top_j")
    assert top_j.is_scored
    assert derived_level((JapaneseTestResult(top_j, TAKEN, score=320),)) is JapaneseLevel.N3
    assert derived_level((JapaneseTestResult(top_j, TAKEN, score=99),)) is JapaneseLevel.NONE
    with pytest.raises(DomainError) as error:
        check_result(JapaneseTestResult(top_j, TAKEN, score=501), "t", TODAY)
    assert error.value.field == "t.score"
    assert body_of_row({"top_j_score": "320", "top_j_date": "2026-06-01"})["japanese_tests"] == [
        {"test": "top_j", "score": "320", "date": "2026-06-01"}
    ]


@pytest.mark.parametrize(
    "row",
    [
        {"code": "x", "name": "X", "scale": "score", "import_prefix": "x"},  # no range
        {"code": "x", "name": "X", "scale": "level", "import_prefix": "x", "score_range": [1, 2]},
        {
            "code": "x",
            "name": "X",
            "scale": "score",
            "import_prefix": "x",
            "score_range": [0, 10],
            "cut_offs": [{"min_score": 11, "level": "N5"}],
        },
    ],
)
def test_malformed_rows_of_the_table_are_refused(row: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="x"):
        japanese.parse_kinds([row])


def test_unknown_test_codes_are_refused() -> None:
    with pytest.raises(ValueError, match="not a Japanese test"):
        JapaneseTest("toeic")
