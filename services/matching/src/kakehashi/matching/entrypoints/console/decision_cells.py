"""The console's decision cell: a program manager's decisions and undo, an employer's interview
result, each answered with the pair's cell as it now stands (or the reason it was refused)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse

from kakehashi.matching.domain.commands import Decide, RecordInterview, UndoDecision
from kakehashi.matching.domain.decisions import (
    Action,
    DecisionError,
    InterviewResult,
    RejectionReason,
)
from kakehashi.matching.entrypoints.console.rendering import PREFIX, render
from kakehashi.matching.entrypoints.console.session import Decider, Reviewer, htmx_only
from kakehashi.matching.entrypoints.dependencies import (
    PlacementsDep,
    SurplusDep,
    UndoWindowDep,
    WeightsDep,
)
from kakehashi.matching.service_layer import decided_pairs, decisions
from kakehashi.matching.service_layer.decided_pairs import PairNotFoundError
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.unit_of_work import UnitOfWork
from kakehashi.shared.web import UowDep

router = APIRouter(prefix=PREFIX, include_in_schema=False)


def _pair_row(
    request: Request,
    principal: Principal,
    uow: UnitOfWork,
    job_order_id: str,
    candidate_id: str,
    error: str | None = None,
) -> HTMLResponse:
    """The decision cell of one candidate, after a change (or with the reason it was refused).
    A program manager's answer also carries the order's "Selected n of m" for the page's header
    (an htmx out-of-band swap), so the header agrees with the cell without a reload."""
    pair = decided_pairs.pair(uow, job_order_id, candidate_id)
    can_decide = principal.role is Role.PROGRAM_MANAGER
    return render(
        request,
        "_decision.html",
        principal,
        job_order_id=job_order_id,
        candidate_id=candidate_id,
        pair=pair,
        error=error,
        can_decide=can_decide,
        reasons=[r.value for r in RejectionReason],
        counts=_order_counts(uow, principal, job_order_id) if can_decide else None,
    )


def _order_counts(
    uow: UnitOfWork, principal: Principal, job_order_id: str
) -> dict[str, int] | None:
    """How many of the order's places are filled now, for its page's header."""
    try:
        order, pairs = decided_pairs.shortlist_of(uow, principal, job_order_id)
    except PairNotFoundError:
        return None
    return {"selected": decided_pairs.selected_count(pairs), "headcount": order.headcount}


def rejection_reason(action: Action, reason_code: str) -> RejectionReason | None:
    """The reason of a rejection, which the form asks for (its select starts on no reason):
    a 422 naming `reason_code` when it is missing or not one of ours. Other actions take none."""
    if action is not Action.REJECT:
        return None
    try:
        return RejectionReason(reason_code)
    except ValueError:
        message = "a rejection needs a reason code" if not reason_code else "unknown reason code"
        raise RequestValidationError(
            [{"loc": ("body", "reason_code"), "msg": message, "type": "value_error"}]
        ) from None


@router.post("/orders/{job_order_id}/candidates/{candidate_id}/decide")
def decide(
    request: Request,
    job_order_id: str,
    candidate_id: str,
    principal: Decider,
    uow: UowDep,
    weights: WeightsDep,
    surplus: SurplusDep,
    placements: PlacementsDep,
    _htmx: Annotated[None, Depends(htmx_only)],
    action: Annotated[Action, Form()],
    reason_code: Annotated[str, Form(max_length=32)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> HTMLResponse:
    reason = rejection_reason(action, reason_code)
    error = None
    try:
        command = Decide(job_order_id, candidate_id, action, reason, note.strip() or None)
        decisions.decide(uow, principal, command, weights, surplus, placements)
    except DecisionError as refused:
        error = refused.message
    except PairNotFoundError:
        raise HTTPException(status.HTTP_404_NOT_FOUND) from None
    return _pair_row(request, principal, uow, job_order_id, candidate_id, error)


@router.post("/orders/{job_order_id}/candidates/{candidate_id}/undo")
def undo(
    request: Request,
    job_order_id: str,
    candidate_id: str,
    principal: Decider,
    uow: UowDep,
    window: UndoWindowDep,
    _htmx: Annotated[None, Depends(htmx_only)],
) -> HTMLResponse:
    error = None
    try:
        decisions.undo(uow, principal, UndoDecision(job_order_id, candidate_id), window)
    except DecisionError as refused:
        error = refused.message
    return _pair_row(request, principal, uow, job_order_id, candidate_id, error)


@router.post("/orders/{job_order_id}/candidates/{candidate_id}/interview")
def interview(
    request: Request,
    job_order_id: str,
    candidate_id: str,
    principal: Reviewer,
    uow: UowDep,
    _htmx: Annotated[None, Depends(htmx_only)],
    result: Annotated[InterviewResult, Form()],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> HTMLResponse:
    """An employer records the interview result of a candidate proposed to its order."""
    if principal.role is not Role.EMPLOYER:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "interview results come from employers")
    error = None
    try:
        command = RecordInterview(job_order_id, candidate_id, result, note.strip() or None)
        decisions.record_interview(uow, principal, command)
    except DecisionError as refused:
        error = refused.message
    except PairNotFoundError:
        raise HTTPException(status.HTTP_404_NOT_FOUND) from None
    return _pair_row(request, principal, uow, job_order_id, candidate_id, error)
