"""HTTP API of decisions: program managers decide, employers see their shortlist and interview."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, status
from fastapi.responses import JSONResponse, Response

from kakehashi.matching.adapters.shortlist_pdf import PDF_MEDIA_TYPE, FontMissingError
from kakehashi.matching.adapters.shortlist_xlsx import XLSX_MEDIA_TYPE
from kakehashi.matching.adapters.tables import CandidateView, MatchPair
from kakehashi.matching.domain.commands import Decide, RecordInterview, UndoDecision
from kakehashi.matching.domain.decisions import DecisionError
from kakehashi.matching.entrypoints.decision_schemas import (
    BulkDecisionsIn,
    DecisionIn,
    DecisionPublic,
    EmployerSafeCandidate,
    InterviewIn,
    PairPublic,
    ShortlistEntry,
    ShortlistPublic,
    SkillPublic,
)
from kakehashi.matching.entrypoints.dependencies import (
    PlacementsDep,
    SettingsDep,
    SurplusDep,
    UndoWindowDep,
    WeightsDep,
)
from kakehashi.matching.service_layer import decided_pairs, decisions, exports
from kakehashi.matching.service_layer.decided_pairs import PairNotFoundError
from kakehashi.matching.service_layer.decisions import BulkItemError
from kakehashi.matching.service_layer.exports import age_on
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.clock import today as utc_today
from kakehashi.shared.guards import require_roles
from kakehashi.shared.web import UowDep, attachment

router = APIRouter(tags=["decisions"])

Decider = Annotated[Principal, Depends(require_roles(Role.PROGRAM_MANAGER))]
Auditor = Annotated[Principal, Depends(require_roles(Role.PROGRAM_MANAGER, Role.ADMIN))]
Employer = Annotated[Principal, Depends(require_roles(Role.EMPLOYER))]
ShortlistReader = Annotated[
    Principal, Depends(require_roles(Role.PROGRAM_MANAGER, Role.ADMIN, Role.EMPLOYER))
]


def _pair(pair: MatchPair) -> PairPublic:
    return PairPublic.model_validate(pair, from_attributes=True)


@router.post("/job-orders/{job_order_id}/candidates/{candidate_id}/decisions")
def decide(
    job_order_id: str,
    candidate_id: str,
    body: DecisionIn,
    principal: Decider,
    uow: UowDep,
    weights: WeightsDep,
    surplus: SurplusDep,
    placements: PlacementsDep,
) -> PairPublic:
    """Shortlist, propose to the employer, select, reject (with a reason code) or withdraw."""
    command = Decide(job_order_id, candidate_id, body.action, body.reason_code, body.note)
    return _pair(decisions.decide(uow, principal, command, weights, surplus, placements))


@router.post("/decisions/bulk")
def decide_many(
    body: BulkDecisionsIn,
    principal: Decider,
    uow: UowDep,
    weights: WeightsDep,
    surplus: SurplusDep,
    placements: PlacementsDep,
) -> list[PairPublic]:
    """Several decisions at once, all or nothing: one refusal (409 naming it) saves none."""
    commands = [
        Decide(d.job_order_id, d.candidate_id, d.action, d.reason_code, d.note)
        for d in body.decisions
    ]
    try:
        pairs = decisions.decide_many(uow, principal, commands, weights, surplus, placements)
    except BulkItemError as error:
        code = status.HTTP_404_NOT_FOUND if error.not_found else status.HTTP_409_CONFLICT
        detail = [{"loc": ["body", "decisions", error.index], "msg": error.message}]
        raise HTTPException(code, detail=detail) from None
    return [_pair(p) for p in pairs]


@router.post("/job-orders/{job_order_id}/candidates/{candidate_id}/undo")
def undo(
    job_order_id: str, candidate_id: str, principal: Decider, uow: UowDep, window: UndoWindowDep
) -> PairPublic:
    """Take back the last decision on the pair within the undo window (409 after it)."""
    command = UndoDecision(job_order_id, candidate_id)
    return _pair(decisions.undo(uow, principal, command, window))


@router.get("/job-orders/{job_order_id}/decisions")
def decision_history(
    job_order_id: str, principal: Auditor, uow: UowDep, candidate_id: str | None = None
) -> list[DecisionPublic]:
    """Every decision on the order's pairs (or one pair), oldest first."""
    rows = decided_pairs.history(uow, principal, job_order_id, candidate_id)
    return [DecisionPublic.model_validate(r, from_attributes=True) for r in rows]


@router.get("/job-orders/{job_order_id}/shortlist")
def shortlist(job_order_id: str, principal: ShortlistReader, uow: UowDep) -> ShortlistPublic:
    """The order's candidates: for an employer, those proposed to it, in an employer-safe view."""
    order, pairs = decided_pairs.shortlist_of(uow, principal, job_order_id)
    today = utc_today()
    return ShortlistPublic(
        job_order_id=order.job_order_id,
        title=order.title,
        headcount=order.headcount,
        selected=decided_pairs.selected_count(pairs),
        entries=[
            ShortlistEntry(
                match_id=p.match_id,
                status=p.status,
                version=p.version,
                updated_at=p.updated_at,
                refusal_code=p.refusal_code,
                refusal_message=p.refusal_message,
                candidate=employer_safe(view, today) if view else None,
            )
            for p, view in pairs
        ],
    )


@router.get(
    "/job-orders/{job_order_id}/shortlist.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX_MEDIA_TYPE: {}}}},
)
def shortlist_xlsx(job_order_id: str, principal: ShortlistReader, uow: UowDep) -> Response:
    """The candidates proposed for the order as a workbook, employer-safe fields only."""
    today = utc_today()
    content = exports.shortlist_xlsx(uow, principal, job_order_id, today)
    return attachment(content, XLSX_MEDIA_TYPE, f"shortlist-{job_order_id}-{today}.xlsx")


@router.get(
    "/job-orders/{job_order_id}/shortlist.pdf",
    response_class=Response,
    responses={200: {"content": {PDF_MEDIA_TYPE: {}}}},
)
def shortlist_pdf(
    job_order_id: str, principal: ShortlistReader, uow: UowDep, settings: SettingsDep
) -> Response:
    """The interview sheet: the proposed candidates in a table with room for notes."""
    today = utc_today()
    content = exports.shortlist_pdf(uow, principal, job_order_id, today, settings.pdf_fonts)
    return attachment(content, PDF_MEDIA_TYPE, f"interview-sheet-{job_order_id}-{today}.pdf")


@router.post("/job-orders/{job_order_id}/candidates/{candidate_id}/interview")
def interview(
    job_order_id: str, candidate_id: str, body: InterviewIn, principal: Employer, uow: UowDep
) -> PairPublic:
    """The employer's interview result for a proposed candidate: pass or fail, with a note."""
    command = RecordInterview(job_order_id, candidate_id, body.result, body.note)
    return _pair(decisions.record_interview(uow, principal, command))


def employer_safe(view: CandidateView, today: date) -> EmployerSafeCandidate:
    return EmployerSafeCandidate(
        candidate_id=view.candidate_id,
        full_name=view.full_name,
        name_vi=view.name_vi,
        name_katakana=view.name_katakana,
        age=age_on(view.date_of_birth, today),
        province=view.province,
        japanese_level=view.japanese_level,
        skills=[SkillPublic(code=s["code"], level=s["level"]) for s in view.skills],
        experience_years=view.experience_years,
        available_from=view.available_from,
    )


async def _refused(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DecisionError)
    return JSONResponse({"detail": error.message}, status_code=status.HTTP_409_CONFLICT)


async def _font_missing(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, FontMissingError)
    detail = f"the PDF cannot be made here: {error}; install it or set KAKEHASHI_MATCHING_PDF_FONTS"
    return JSONResponse({"detail": detail}, status_code=status.HTTP_503_SERVICE_UNAVAILABLE)


async def _not_found(_request: Request, error: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(error)}, status_code=status.HTTP_404_NOT_FOUND)


def install(app: FastAPI) -> None:
    """Add the decision routes and their error answers to the matching app."""
    app.include_router(router)
    app.add_exception_handler(DecisionError, _refused)
    app.add_exception_handler(PairNotFoundError, _not_found)
    app.add_exception_handler(FontMissingError, _font_missing)
