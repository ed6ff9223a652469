"""Japanese test results and the one ordinal level derived from them.

JLPT, NAT-TEST and J.TEST report N5…N1 on the same scale. JFT-Basic reports a score (10-250):
200 and above is A2 (≈ N4), 145-199 is A1 (≈ N5), below 145 places on no level.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache

from kakehashi.shared.errors import DomainError
from kakehashi.shared.reference import JapaneseLevel

JFT_MIN_SCORE, JFT_MAX_SCORE = 10, 250
JFT_A2_SCORE = 200  # ≈ N4; also the SSW i Japanese requirement
JFT_A1_SCORE = 145  # ≈ N5


class JapaneseTest(StrEnum):
    JLPT = "jlpt"
    JFT_BASIC = "jft_basic"
    NAT_TEST = "nat_test"
    J_TEST = "j_test"

    @property
    def is_scored(self) -> bool:
        """JFT-Basic reports a score; the others a level."""
        return self is JapaneseTest.JFT_BASIC


@dataclass(frozen=True)
class JapaneseTestResult:
    test: JapaneseTest
    taken_on: date
    level: JapaneseLevel | None = None
    score: int | None = None
    certificate_id: str | None = None

    @property
    def placed_level(self) -> JapaneseLevel:
        """The level on the shared scale this result shows."""
        if self.test.is_scored:
            score = self.score or 0
            if score >= JFT_A2_SCORE:
                return JapaneseLevel.N4
            if score >= JFT_A1_SCORE:
                return JapaneseLevel.N5
            return JapaneseLevel.NONE
        return self.level or JapaneseLevel.NONE


def check_result(result: JapaneseTestResult, field: str, today: date) -> None:
    """A level for level-based tests, a 10-250 score for JFT-Basic, never both; not in the future."""
    if result.test.is_scored:
        if result.score is None:
            raise DomainError(f"{field}.score", "JFT-Basic results need a score (10-250)")
        if not JFT_MIN_SCORE <= result.score <= JFT_MAX_SCORE:
            raise DomainError(f"{field}.score", "a JFT-Basic score runs from 10 to 250")
        if result.level is not None:
            raise DomainError(f"{field}.level", "JFT-Basic reports a score, not a level")
    else:
        if result.level is None or result.level is JapaneseLevel.NONE:
            raise DomainError(f"{field}.level", f"{result.test.value} results need a level N5-N1")
        if result.score is not None:
            raise DomainError(f"{field}.score", f"{result.test.value} reports a level, not a score")
    if result.taken_on > today:
        raise DomainError(f"{field}.date", "a test result cannot be dated in the future")


def derived_level(results: tuple[JapaneseTestResult, ...]) -> JapaneseLevel:
    """The best level any result shows (certificates do not expire); none without results."""
    return max(
        (result.placed_level for result in results),
        key=lambda level: level.rank,
        default=JapaneseLevel.NONE,
    )


@lru_cache(maxsize=1024)  # asked several times per candidate (rules, columns, event)
def effective_level(
    results: tuple[JapaneseTestResult, ...], declared: JapaneseLevel | None
) -> tuple[JapaneseLevel, str]:
    """The candidate's level and where it comes from: test results win over a declared level."""
    if results:
        level = derived_level(results)
        if declared is not None and declared is not level:
            raise DomainError(
                "japanese_level",
                f"derived from japanese_tests as {level.value}; leave it out or send that",
            )
        return level, "tests"
    return declared or JapaneseLevel.NONE, "declared"
