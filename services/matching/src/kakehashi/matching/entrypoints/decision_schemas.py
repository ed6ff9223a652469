"""Request and response bodies of decisions, interview results and employer shortlists."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

from kakehashi.matching.domain.decisions import (
    TARGET,
    Action,
    DecisionError,
    InterviewResult,
    RejectionReason,
    check_reason,
)
from kakehashi.shared.schemas import RequestModel, Timestamp

Note = Annotated[str | None, Field(default=None, max_length=2000)]


class DecisionIn(RequestModel):
    action: Action
    reason_code: RejectionReason | None = Field(default=None, validate_default=True)
    note: Note = None

    @field_validator("reason_code")
    @classmethod
    def _a_rejection_has_a_reason(
        cls, value: RejectionReason | None, info: ValidationInfo
    ) -> RejectionReason | None:
        """A 422 that names `reason_code` (the form's field), not only the body."""
        if value is None and info.data.get("action") is Action.REJECT:
            raise ValueError("a rejection needs a reason code")
        return value

    @model_validator(mode="after")
    def _reason_fits_the_action(self) -> DecisionIn:
        if self.reason_code is not None and self.action is not Action.REJECT:
            raise ValueError("reason_code is only for action 'reject'")
        try:
            check_reason(TARGET[self.action], self.reason_code, self.note)
        except DecisionError as error:
            raise ValueError(error.message) from None
        return self


class BulkDecisionItem(DecisionIn):
    job_order_id: str = Field(max_length=36)
    candidate_id: str = Field(max_length=36)


class BulkDecisionsIn(RequestModel):
    decisions: list[BulkDecisionItem] = Field(min_length=1, max_length=200)


class InterviewIn(RequestModel):
    result: InterviewResult
    note: Note = None


class PairPublic(BaseModel):
    match_id: str
    job_order_id: str
    candidate_id: str
    status: str
    version: int
    updated_at: Timestamp
    # Set when the candidate's owner refused this decision (candidates' `candidate.match_refused`):
    # the candidate did not move and employers do not count it.
    refusal_code: str | None = None
    refusal_message: str | None = None


class DecisionPublic(BaseModel):
    """One audited decision: who took it, when, from which status, and why."""

    match_id: str
    candidate_id: str
    action: str
    from_status: str | None
    to_status: str
    reason_code: str | None
    note: str | None
    score: float | None
    decided_by: str
    decided_by_role: str
    decided_at: Timestamp
    version: int
    # How the list showed the pair when it was first decided (None on later steps): what the
    # learned ranking weights the decision by (docs/matching.md, inverse propensity weighting).
    exploration: bool | None = None
    propensity: float | None = None


class SkillPublic(BaseModel):
    code: str
    level: int


class EmployerSafeCandidate(BaseModel):
    """What an employer sees of a proposed candidate: no contacts, ID numbers or health data."""

    candidate_id: str
    full_name: str
    name_vi: str | None = None
    name_katakana: str | None = None
    age: int | None
    province: str
    japanese_level: str
    skills: list[SkillPublic]
    experience_years: float | None
    available_from: date | None


class ShortlistEntry(BaseModel):
    match_id: str
    status: str
    version: int
    updated_at: Timestamp
    refusal_code: str | None = None  # see PairPublic
    refusal_message: str | None = None
    candidate: EmployerSafeCandidate | None  # None once the candidate's data was erased


class ShortlistPublic(BaseModel):
    job_order_id: str
    title: str
    headcount: int
    selected: int
    entries: list[ShortlistEntry]
