"""What people ask matching to do with a pair (one candidate for one order)."""

from __future__ import annotations

from dataclasses import dataclass

from kakehashi.matching.domain.decisions import Action, InterviewResult, RejectionReason


@dataclass(frozen=True)
class Decide:
    """A program manager's decision: shortlist, propose, select, reject (with a reason), withdraw."""

    job_order_id: str
    candidate_id: str
    action: Action
    reason_code: RejectionReason | None = None
    note: str | None = None


@dataclass(frozen=True)
class RecordInterview:
    """The employer's interview result for a candidate proposed to its order."""

    job_order_id: str
    candidate_id: str
    result: InterviewResult
    note: str | None = None


@dataclass(frozen=True)
class UndoDecision:
    """Take back the last decision on a pair, within the undo window."""

    job_order_id: str
    candidate_id: str
