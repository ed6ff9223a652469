"""Decisions on one candidate for one order (a match pair): which step may follow which.

Program managers shortlist, propose to the employer, select, reject or withdraw a pair; the
employer records the interview result of a proposed candidate. Each step is kept with who took
it, when and from which status, so a step can be undone within a short window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class PairStatus(StrEnum):
    SHORTLISTED = "shortlisted"
    PROPOSED = "proposed"  # sent to the employer for interview
    INTERVIEWED = "interviewed"  # the employer passed the candidate at interview
    SELECTED = "selected"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # taken off the order (the candidate pulled out)
    UNDECIDED = "undecided"  # the pair's only decision was undone: as if never decided


class Action(StrEnum):
    """What a program manager can decide on a pair."""

    SHORTLIST = "shortlist"
    PROPOSE = "propose"
    SELECT = "select"
    REJECT = "reject"
    WITHDRAW = "withdraw"


class InterviewResult(StrEnum):
    PASS = "pass"  # noqa: S105 (an interview result, not a password)
    FAIL = "fail"


class RejectionReason(StrEnum):
    """Why a pair was rejected; the codes reports group by."""

    JAPANESE_LEVEL = "japanese_level"
    SKILLS = "skills"
    AVAILABILITY = "availability"
    EMPLOYER_PREFERENCE = "employer_preference"
    CANDIDATE_DECLINED = "candidate_declined"
    INTERVIEW_FAILED = "interview_failed"
    HEADCOUNT_FILLED = "headcount_filled"
    OTHER = "other"


S = PairStatus
TARGET: dict[Action, PairStatus] = {
    Action.SHORTLIST: S.SHORTLISTED,
    Action.PROPOSE: S.PROPOSED,
    Action.SELECT: S.SELECTED,
    Action.REJECT: S.REJECTED,
    Action.WITHDRAW: S.WITHDRAWN,
}
# None is a pair nobody has decided on yet. Rejected is final except by undo; a withdrawn pair
# may be shortlisted again.
_FIRST = frozenset({S.SHORTLISTED, S.PROPOSED, S.REJECTED})
ALLOWED: dict[PairStatus | None, frozenset[PairStatus]] = {
    None: _FIRST,
    S.UNDECIDED: _FIRST,
    S.SHORTLISTED: frozenset({S.PROPOSED, S.REJECTED, S.WITHDRAWN}),
    S.PROPOSED: frozenset({S.INTERVIEWED, S.REJECTED, S.WITHDRAWN}),
    S.INTERVIEWED: frozenset({S.SELECTED, S.REJECTED, S.WITHDRAWN}),
    S.SELECTED: frozenset({S.WITHDRAWN}),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset({S.SHORTLISTED, S.PROPOSED}),
}
# Pairs that hold a candidate for an order; `selected` ones count against its headcount.
LIVE = frozenset({S.SHORTLISTED, S.PROPOSED, S.INTERVIEWED, S.SELECTED})
# What an employer's shortlist shows: candidates proposed to it and what became of them.
EMPLOYER_VISIBLE = frozenset({S.PROPOSED, S.INTERVIEWED, S.SELECTED, S.REJECTED})


class DecisionError(Exception):
    """A decision the rules refuse (the API answers 409 with the message)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _name(status: PairStatus | None) -> str:
    return status.value if status else S.UNDECIDED.value


def check_step(current: PairStatus | None, target: PairStatus) -> None:
    if target not in ALLOWED[current]:
        allowed = ", ".join(sorted(s.value for s in ALLOWED[current])) or "none (only undo)"
        raise DecisionError(
            f"cannot go from {_name(current)} to {target.value}; allowed: {allowed}"
        )


def check_reason(target: PairStatus, reason: RejectionReason | None, note: str | None) -> None:
    if target is S.REJECTED and reason is None:
        raise DecisionError("a rejection needs a reason code")
    if reason is RejectionReason.OTHER and not (note and note.strip()):
        raise DecisionError("reason 'other' needs a note")


def check_headcount(target: PairStatus, selected: int, headcount: int) -> None:
    if target is S.SELECTED and selected >= headcount:
        raise DecisionError(f"the order's headcount of {headcount} is already selected")


def interview_step(result: InterviewResult) -> tuple[PairStatus, RejectionReason | None]:
    """An interview result as a step: a pass moves on to interviewed, a fail rejects."""
    if result is InterviewResult.PASS:
        return S.INTERVIEWED, None
    return S.REJECTED, RejectionReason.INTERVIEW_FAILED


@dataclass(frozen=True)
class Step:
    """One recorded decision, as far as undo needs it."""

    from_status: PairStatus | None
    to_status: PairStatus
    decided_at: datetime
    is_undo: bool


def check_undo(last: Step | None, now: datetime, window: timedelta) -> PairStatus:
    """The status an undo returns the pair to (undecided when the step was the first one)."""
    if last is None:
        raise DecisionError("nothing to undo on this pair")
    if last.is_undo:
        raise DecisionError("the last decision on this pair is an undo; it cannot be undone")
    if now - last.decided_at > window:
        minutes = int(window.total_seconds() // 60)
        raise DecisionError(f"decisions can be undone only within {minutes} minutes")
    return last.from_status or S.UNDECIDED
