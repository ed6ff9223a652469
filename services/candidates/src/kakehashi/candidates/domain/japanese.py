"""Japanese test results and the one ordinal level derived from them.

Test types are rows of `reference_data/japanese_tests.json`: each reports either a level on the
shared scale (as JLPT does) or a score in a range that cut-offs place on it (as JFT-Basic does).
Nothing here names a test type: a new one is a new row of the table.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Self

from kakehashi.shared.errors import DomainError
from kakehashi.shared.reference import JapaneseLevel

# The levels a result on the level scale may report: every level of the scale but "none".
REPORTED_LEVELS = tuple(level for level in JapaneseLevel if level is not JapaneseLevel.NONE)
_LEVEL_SPAN = f"{REPORTED_LEVELS[0].value}-{REPORTED_LEVELS[-1].value}"


class Scale(StrEnum):
    """What a test's result is: a level on the shared scale, or a score to be placed on it."""

    LEVEL = "level"
    SCORE = "score"


@dataclass(frozen=True)
class CutOff:
    min_score: int
    level: JapaneseLevel


@dataclass(frozen=True)
class JapaneseTestKind:
    """One row of the table: a test type, its scale, and how its results place on the levels."""

    code: str
    name: str
    scale: Scale
    import_prefix: str
    score_range: tuple[int, int] | None = None  # inclusive; scored tests only
    cut_offs: tuple[CutOff, ...] = ()  # highest min_score first
    template_example: Mapping[str, str] | None = None

    @property
    def is_scored(self) -> bool:
        return self.scale is Scale.SCORE

    def place(self, level: JapaneseLevel | None, score: int | None) -> JapaneseLevel:
        """The level on the shared scale a result of this test shows."""
        if self.is_scored:
            reached = (c.level for c in self.cut_offs if (score or 0) >= c.min_score)
            return next(reached, JapaneseLevel.NONE)
        return level or JapaneseLevel.NONE


def _kind(raw: Mapping[str, Any]) -> JapaneseTestKind:
    scale = Scale(raw["scale"])
    score_range = tuple(raw["score_range"]) if "score_range" in raw else None
    cut_offs = tuple(
        CutOff(int(c["min_score"]), JapaneseLevel(c["level"])) for c in raw.get("cut_offs", ())
    )
    kind = JapaneseTestKind(
        code=raw["code"],
        name=raw["name"],
        scale=scale,
        import_prefix=raw["import_prefix"],
        score_range=(score_range[0], score_range[1]) if score_range else None,
        cut_offs=tuple(sorted(cut_offs, key=lambda c: -c.min_score)),
        template_example=raw.get("template_example"),
    )
    if kind.is_scored != (kind.score_range is not None) or kind.is_scored != bool(cut_offs):
        raise ValueError(f"{kind.code}: a score scale needs score_range and cut_offs, and only it")
    if kind.score_range and not all(
        kind.score_range[0] <= c.min_score <= kind.score_range[1] for c in cut_offs
    ):
        raise ValueError(f"{kind.code}: cut-offs outside the score range")
    return kind


def parse_kinds(raw: list[Mapping[str, Any]]) -> dict[str, JapaneseTestKind]:
    """Test types by code from their JSON form; a malformed or repeated row raises ValueError."""
    kinds = [_kind(item) for item in raw]
    for attribute in ("code", "import_prefix"):
        values = [getattr(kind, attribute) for kind in kinds]
        if len(set(values)) != len(values):
            raise ValueError(f"japanese tests: a repeated {attribute}")
    return {kind.code: kind for kind in kinds}


@cache
def japanese_test_kinds() -> dict[str, JapaneseTestKind]:
    """The test types shipped with the service, by code, in the table's order."""
    text = (
        resources.files("kakehashi.candidates")
        .joinpath("reference_data/japanese_tests.json")
        .read_text(encoding="utf-8")
    )
    return parse_kinds(json.loads(text)["tests"])


class _ByConstantName(type):
    """`JapaneseTest.JFT_BASIC` is the table's `jft_basic`, as if the table were an enum."""

    def __getattr__(cls, name: str) -> JapaneseTest:
        if name.startswith("_") or name.lower() not in japanese_test_kinds():
            raise AttributeError(name)
        return JapaneseTest(name.lower())


class JapaneseTest(str, metaclass=_ByConstantName):
    """A test type's code, one of the table's (ValueError otherwise)."""

    __slots__ = ()

    def __new__(cls, code: str) -> Self:
        if code not in japanese_test_kinds():
            raise ValueError(
                f"not a Japanese test: {code!r}; one of {', '.join(japanese_test_codes())}"
            )
        return super().__new__(cls, code)

    @property
    def value(self) -> str:
        return str(self)

    @property
    def kind(self) -> JapaneseTestKind:
        return japanese_test_kinds()[self]

    @property
    def is_scored(self) -> bool:
        """Whether the test reports a score (placed on the levels by cut-offs) or a level."""
        return self.kind.is_scored


def japanese_test_codes() -> tuple[str, ...]:
    """Every test type's code, in the table's order."""
    return tuple(japanese_test_kinds())


def score_bounds() -> tuple[int, int] | None:
    """The widest score any scored test reports (None if no test is scored)."""
    ranges = [k.score_range for k in japanese_test_kinds().values() if k.score_range]
    if not ranges:
        return None
    return min(low for low, _ in ranges), max(high for _, high in ranges)


def score_error(test: JapaneseTest, score: int) -> str | None:
    """Why `score` cannot be a result of `test` (outside its range), or None."""
    score_range = test.kind.score_range
    if score_range is not None and not score_range[0] <= score <= score_range[1]:
        return f"a {test.kind.name} score runs from {score_range[0]} to {score_range[1]}"
    return None


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
        return self.test.kind.place(self.level, self.score)


def check_result(result: JapaneseTestResult, field: str, today: date) -> None:
    """A level for level-scale tests, a score in range for scored ones, never both; not in the
    future."""
    kind = result.test.kind
    if kind.is_scored:
        low, high = kind.score_range or (0, 0)
        if result.score is None:
            raise DomainError(f"{field}.score", f"{kind.name} results need a score ({low}-{high})")
        out_of_range = score_error(result.test, result.score)
        if out_of_range:
            raise DomainError(f"{field}.score", out_of_range)
        if result.level is not None:
            raise DomainError(f"{field}.level", f"{kind.name} reports a score, not a level")
    else:
        if result.level is None or result.level is JapaneseLevel.NONE:
            raise DomainError(f"{field}.level", f"{kind.name} results need a level {_LEVEL_SPAN}")
        if result.score is not None:
            raise DomainError(f"{field}.score", f"{kind.name} reports a level, not a score")
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
