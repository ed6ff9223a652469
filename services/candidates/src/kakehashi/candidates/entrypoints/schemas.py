"""Request and response bodies of the candidates API (distinct from the tables).

Each nested shape is declared once as its public form; the request form adds RequestModel's
refusal of unknown fields. Dates of periods are `from`/`to` on the wire.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)

from kakehashi.candidates.domain.consent import ConsentStatus, NoticeLanguage, Purpose, Scope
from kakehashi.candidates.domain.japanese import (
    JapaneseTest,
    japanese_test_codes,
    japanese_test_kinds,
    score_bounds,
    score_error,
)
from kakehashi.candidates.domain.pipeline import Status
from kakehashi.candidates.domain.profile import EducationLevel, HealthCheckStatus, Sex
from kakehashi.shared.reference import (
    JapaneseLevel,
    Prefecture,
    Sector,
    SkillCode,
    SkillLevel,
    Track,
)
from kakehashi.shared.schemas import RequestModel, Timestamp

TestCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,63}$", examples=["ssw1_construction"])]
Text = Annotated[str, Field(min_length=1, max_length=200)]


class _Shape(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class TradeSkillPublic(_Shape):
    code: SkillCode
    level: SkillLevel
    tests_passed: list[TestCode] = Field(
        default_factory=list, max_length=20, description="e.g. ssw1_construction"
    )


def _japanese_test(value: object) -> JapaneseTest:
    if not isinstance(value, str):
        # ValueError, not TypeError: pydantic answers only this with a 422 naming the field.
        raise ValueError("a Japanese test's code")
    return JapaneseTest(value)


# The test types are the table's rows, so the API's list of them is read from it too.
JapaneseTestCode = Annotated[
    JapaneseTest,
    PlainValidator(_japanese_test),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "enum": list(japanese_test_codes())}),
]
_SCORE_LOW, _SCORE_HIGH = score_bounds() or (None, None)


def _names(scored: bool) -> str:
    return ", ".join(k.name for k in japanese_test_kinds().values() if k.is_scored == scored)


class JapaneseTestPublic(_Shape):
    test: JapaneseTestCode
    level: JapaneseLevel | None = Field(
        default=None, description=f"tests of levels: {_names(False)}"
    )
    score: int | None = Field(
        default=None, ge=_SCORE_LOW, le=_SCORE_HIGH, description=f"scored tests: {_names(True)}"
    )
    taken_on: date = Field(alias="date")
    certificate_id: str | None = Field(default=None, max_length=64)

    @field_validator("score")
    @classmethod
    def _score_in_the_tests_range(cls, score: int | None, info: ValidationInfo) -> int | None:
        test = info.data.get("test")
        if score is not None and test is not None:
            error = score_error(test, score)
            if error is not None:
                raise ValueError(error)
        return score


class WorkPeriodPublic(_Shape):
    employer: Text
    role: Text
    sector: Sector | None = None
    started_on: date = Field(alias="from")
    ended_on: date | None = Field(default=None, alias="to")


class EarlierStayPublic(_Shape):
    track: Track
    sector: Sector | None = None
    started_on: date = Field(alias="from")
    ended_on: date = Field(alias="to")
    titp_stage_completed: int | None = Field(default=None, ge=1, le=3)


class EducationPublic(_Shape):
    level: EducationLevel
    institution: str | None = Field(default=None, max_length=200)
    field_of_study: str | None = Field(default=None, max_length=200)
    graduation_year: int | None = Field(default=None, ge=1950, le=2100)


class TradeSkillIn(TradeSkillPublic, RequestModel):
    pass


class JapaneseTestIn(JapaneseTestPublic, RequestModel):
    pass


class WorkPeriodIn(WorkPeriodPublic, RequestModel):
    pass


class EarlierStayIn(EarlierStayPublic, RequestModel):
    pass


class EducationIn(EducationPublic, RequestModel):
    pass


class ConsentIn(RequestModel):
    """A consent the person gave after being shown the notice of this version and language."""

    purpose: Purpose
    scope: Scope
    notice_version: str = Field(
        min_length=1, max_length=32, pattern=r"^[A-Za-z0-9._-]+$", examples=["2026-01"]
    )
    language: NoticeLanguage


class ConsentPublic(BaseModel):
    id: str
    candidate_id: str
    purpose: Purpose
    scope: Scope
    notice_version: str
    language: NoticeLanguage
    status: ConsentStatus
    given_at: Timestamp
    recorded_by: str
    recorded_by_organisation_id: str
    withdrawn_at: Timestamp | None
    withdrawn_by: str | None
    withdrawal_reason: str | None


class WithdrawalIn(RequestModel):
    reason: str | None = Field(default=None, min_length=1, max_length=500)


class CandidatePatch(RequestModel):
    """Fields to change; a field left out is kept, one sent as null is cleared."""

    full_name: str | None = Field(default=None, min_length=1, max_length=200)
    name_vi: str | None = Field(default=None, min_length=1, max_length=200)
    name_katakana: str | None = Field(default=None, min_length=1, max_length=200)
    date_of_birth: date | None = None
    sex: Sex | None = None
    province: str | None = Field(
        default=None, min_length=1, max_length=100, description="name or code"
    )
    province_code: str | None = Field(default=None, min_length=1, max_length=8)
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9][0-9 ()-]{6,24}$")
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    passport_number: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9 -]{5,19}$")
    education: EducationIn | None = None
    work_history: list[WorkPeriodIn] | None = Field(default=None, max_length=30)
    sector: Sector | None = None
    skills: list[TradeSkillIn] | None = Field(default=None, max_length=50)
    japanese_tests: list[JapaneseTestIn] | None = Field(default=None, max_length=30)
    japanese_level: JapaneseLevel | None = Field(
        default=None, description="self-declared; derived from japanese_tests when given"
    )
    training_hours: int | None = Field(default=None, ge=0, le=10_000)
    training_cohort: str | None = Field(default=None, max_length=100)
    health_check_status: HealthCheckStatus | None = None
    desired_tracks: list[Track] | None = Field(default=None, max_length=4)
    desired_sectors: list[Sector] | None = Field(default=None, max_length=19)
    desired_prefectures: list[Prefecture] | None = Field(default=None, max_length=47)
    available_from: date | None = None
    earlier_stays: list[EarlierStayIn] | None = Field(default=None, max_length=10)


class CandidateCreate(CandidatePatch):
    """A new candidate: the passport name and the sector are required, and the province's name
    or code."""

    full_name: str = Field(min_length=1, max_length=200, examples=["Nguyen Van An"])
    sector: Sector
    skills: list[TradeSkillIn] = Field(default_factory=list, max_length=50)
    consents: list[ConsentIn] = Field(
        default_factory=list,
        max_length=10,
        description="consents given at registration; without a sharing consent "
        "(share_with_employers_in_japan) the candidate is stored but not sent to matching",
    )


class TransitionIn(RequestModel):
    to: Status
    reason: str | None = Field(default=None, min_length=1, max_length=500)


class TrackEligibilityPublic(BaseModel):
    track: Track
    eligible: bool
    reasons: list[str]
    needs_data: list[str]


class CandidatePublic(BaseModel):
    id: str
    training_centre_id: str
    full_name: str
    name_vi: str | None
    name_katakana: str | None
    date_of_birth: date | None
    sex: Sex | None
    province: str
    province_code: str | None
    phone: str | None
    email: str | None
    passport_number: str | None
    education: EducationPublic | None
    work_history: list[WorkPeriodPublic]
    sector: Sector
    skills: list[TradeSkillPublic]
    japanese_tests: list[JapaneseTestPublic]
    japanese_level: JapaneseLevel
    japanese_level_source: str = Field(description="tests or declared")
    training_hours: int | None
    training_cohort: str | None
    health_check_status: HealthCheckStatus | None
    desired_tracks: list[Track]
    desired_sectors: list[Sector]
    desired_prefectures: list[str]
    available_from: date | None
    earlier_stays: list[EarlierStayPublic]
    eligibility: list[TrackEligibilityPublic]
    status: Status
    training_status: Status = Field(
        description="the last training stage reached (registered, in_training or ready); "
        "kept while orders interview or select the candidate"
    )
    version: int
    published: bool = Field(description="matching holds the candidate (sharing consent given)")
    erased_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp


class TransitionPublic(BaseModel):
    from_status: Status | None
    to_status: Status
    reason: str | None
    actor: str
    actor_organisation_id: str
    actor_role: str | None = None  # recorded since revision 0011
    at: Timestamp
