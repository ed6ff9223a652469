"""The review console: server-rendered pages (Jinja2 + htmx) for program managers and employers.

Signing in stores the bearer token in an HttpOnly, SameSite=Strict cookie; every page decodes it
as the API does, so the same roles and ownership rules apply. Changes are POSTs that htmx sends
with its `HX-Request` header, which a cross-site form cannot add.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from kakehashi.matching.adapters.shortlist_pdf import PDF_MEDIA_TYPE
from kakehashi.matching.adapters.shortlist_xlsx import XLSX_MEDIA_TYPE
from kakehashi.matching.domain.decisions import (
    Action,
    DecisionError,
    InterviewResult,
    PairStatus,
    RejectionReason,
)
from kakehashi.matching.domain.explain import Reason
from kakehashi.matching.entrypoints import learning_api
from kakehashi.matching.entrypoints.console import charts, labels
from kakehashi.matching.entrypoints.console.i18n import (
    LANGUAGE_COOKIE,
    LANGUAGE_NAMES,
    LANGUAGES,
    choose_language,
    long_date,
    translations,
)
from kakehashi.matching.entrypoints.decisions_api import EMPLOYER_VISIBLE, download, employer_safe
from kakehashi.matching.entrypoints.dependencies import WeightsDep
from kakehashi.matching.service_layer import dashboard, decisions, exports, learning, queries
from kakehashi.matching.service_layer.allocation import propose
from kakehashi.matching.service_layer.decisions import Decide, PairNotFoundError
from kakehashi.shared.auth import InvalidTokenError, Principal, Role, decode_token, mint_token
from kakehashi.shared.reference import PREFECTURE_NAMES_JA, JapaneseLevel, Sector
from kakehashi.shared.unit_of_work import UnitOfWork
from kakehashi.shared.web import UowDep

HERE = Path(__file__).parent
SESSION_COOKIE = "kakehashi_session"
PREFIX = "/console"
router = APIRouter(prefix=PREFIX, include_in_schema=False)


class SignInRequired(Exception):  # noqa: N818 (a redirect, not an error)
    """No valid session: the page answers with a redirect to sign in."""


# --- rendering -----------------------------------------------------------------------------


def _environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(labels=labels, languages=LANGUAGE_NAMES, prefix=PREFIX)
    env.filters["reason"] = lambda text: translate_reason(text, language)
    env.filters["day"] = lambda value: long_date(value, language)
    env.filters["percent"] = lambda value: f"{value:.0%}"
    env.filters["prefecture"] = lambda name: prefecture_name(name, language)
    return env


ENVIRONMENTS = {language: _environment(language) for language in LANGUAGES}


def translate_reason(text: str, language: str) -> str:
    """A reason in `language`: its template translated, then filled with its values."""
    gettext = translations(language).gettext
    if isinstance(text, Reason):
        return gettext(text.template).format(**text.params)
    return gettext(text)


def prefecture_name(name: str, language: str) -> str:
    """愛知県 for Japanese readers; others read the romaji the job order was written in."""
    return PREFECTURE_NAMES_JA.get(name, name) if language == "ja" else name


def language_of(request: Request) -> str:
    return choose_language(
        request.query_params.get("lang"),
        request.cookies.get(LANGUAGE_COOKIE),
        request.headers.get("accept-language"),
    )


def render(
    request: Request,
    template: str,
    principal: Principal | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    language = language_of(request)
    page = ENVIRONMENTS[language].get_template(template)
    html = page.render(
        request=request, principal=principal, lang=language, path=request.url.path, **context
    )
    response = HTMLResponse(html, status_code=status_code)
    if request.query_params.get("lang") in LANGUAGES:
        _remember_language(response, language)
    return response


def _remember_language(response: Response, language: str) -> None:
    response.set_cookie(
        LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="lax", httponly=True
    )


# --- who is signed in ------------------------------------------------------------------------


def signed_in(request: Request) -> Principal:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise SignInRequired
    settings = request.app.state.settings
    try:
        return decode_token(
            token, settings.jwt_secret.get_secret_value(), algorithm=settings.jwt_algorithm
        )
    except InvalidTokenError:
        raise SignInRequired from None


def reviewer(principal: Annotated[Principal, Depends(signed_in)]) -> Principal:
    """Program managers, admins and employers use the console; training centres do not."""
    if principal.role is Role.TRAINING_CENTRE:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "the review console is not for centres")
    return principal


def manager(principal: Annotated[Principal, Depends(reviewer)]) -> Principal:
    if not principal.sees_everything:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "for program managers and admins")
    return principal


def htmx_only(request: Request) -> None:
    """Changes come from the console's own script; a cross-site form cannot set this header."""
    if request.headers.get("hx-request") != "true":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "changes are made from the console")


Reviewer = Annotated[Principal, Depends(reviewer)]
Manager = Annotated[Principal, Depends(manager)]


def _start_session(request: Request, token: str, next_page: str) -> Response:
    target = next_page if next_page.startswith(PREFIX + "/") else PREFIX + "/orders"
    response = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
    settings = request.app.state.settings
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=settings.environment not in ("development", "test"),
        max_age=8 * 3600,
    )
    return response


@router.get("/sign-in")
def sign_in_page(request: Request, next: str = "") -> HTMLResponse:
    demo = request.app.state.settings.environment == "development"
    return render(request, "sign_in.html", None, demo=demo, error=None, next_page=next)


@router.post("/sign-in")
def sign_in(
    request: Request,
    token: Annotated[str, Form(max_length=4000)],
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    settings = request.app.state.settings
    try:
        decode_token(
            token.strip(), settings.jwt_secret.get_secret_value(), algorithm=settings.jwt_algorithm
        )
    except InvalidTokenError:
        demo = settings.environment == "development"
        return render(
            request,
            "sign_in.html",
            None,
            status_code=status.HTTP_401_UNAUTHORIZED,
            demo=demo,
            error=True,
            next_page=next,
        )
    return _start_session(request, token.strip(), next)


@router.post("/demo-sign-in")
def demo_sign_in(
    request: Request,
    role: Annotated[Role, Form()],
    organisation_id: Annotated[str, Form(min_length=1, max_length=100)],
) -> Response:
    """Development only: sign in as any role without a token, to try the console locally."""
    settings = request.app.state.settings
    if settings.environment != "development":
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    principal = Principal(
        subject=f"demo@{organisation_id}", role=role, organisation_id=organisation_id
    )
    token = mint_token(
        principal, settings.jwt_secret.get_secret_value(), algorithm=settings.jwt_algorithm
    )
    return _start_session(request, token, "")


@router.post("/sign-out")
def sign_out() -> Response:
    response = RedirectResponse(PREFIX + "/sign-in", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/language/{language}")
def switch_language(language: str, next: str = PREFIX + "/orders") -> Response:
    if language not in LANGUAGES:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    target = next if next.startswith(PREFIX + "/") else PREFIX + "/orders"  # no open redirect
    response = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
    _remember_language(response, language)
    return response


# --- pages -----------------------------------------------------------------------------------


@router.get("")
def home() -> Response:
    return RedirectResponse(PREFIX + "/orders", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/orders")
def orders_page(request: Request, principal: Reviewer, uow: UowDep) -> HTMLResponse:
    """Open orders with fill rate, deadline and warnings; fill rate by sector and prefecture."""
    language = language_of(request)
    gettext = translations(language).gettext
    board = dashboard.dashboard(uow, principal, datetime.now(UTC).date())
    sector_rows = [
        (str(gettext(labels.SECTORS.get(f.label, f.label))), f.selected, f.headcount)
        for f in board.by_sector
    ]
    prefecture_rows = [
        (prefecture_name(f.label, language), f.selected, f.headcount) for f in board.by_prefecture
    ]
    return render(
        request,
        "orders.html",
        principal,
        board=board,
        sector_chart=charts.fill_bars(sector_rows, title=str(gettext("Fill rate by sector"))),
        prefecture_chart=charts.fill_bars(
            prefecture_rows,
            title=str(gettext("Fill rate by prefecture")),
        ),
        ranking=_ranking_context(request, uow) if principal.sees_everything else None,
    )


def _ranking_context(request: Request, uow: UnitOfWork, error: bool = False) -> dict[str, Any]:
    return {
        "status": learning.status(uow, request.app.state.learning_settings),
        "error": error,
    }


@router.post("/ranking-model/fit", dependencies=[Depends(htmx_only)])
def fit_ranking(request: Request, principal: Manager, uow: UowDep) -> HTMLResponse:
    """Fit the learned ranking on the decisions so far; the panel shows the outcome."""
    outcome = learning.fit(uow, principal, request.app.state.learning_settings)
    ranking = _ranking_context(request, uow, error=not isinstance(outcome, tuple))
    return render(request, "_ranking.html", principal, ranking=ranking)


def _filters(
    min_score: float | None, province: str | None, level: str | None, centre: str | None
) -> queries.MatchFilters:
    return queries.MatchFilters(
        min_score=min_score,
        province=province or None,
        min_japanese_rank=JapaneseLevel(level).rank if level else None,
        training_centre_id=centre or None,
    )


@router.get("/orders/{job_order_id}")
def order_page(
    request: Request,
    job_order_id: str,
    principal: Reviewer,
    uow: UowDep,
    weights: WeightsDep,
    min_score: Annotated[float | None, Query(ge=0, le=1)] = None,
    province: Annotated[str | None, Query(max_length=100)] = None,
    min_japanese_level: Annotated[str | None, Query(pattern="^(N[1-5]|A1|A2)?$")] = None,
    training_centre_id: Annotated[str | None, Query(max_length=100)] = None,
    ranking: Literal["weighted", "learned"] = "weighted",
) -> HTMLResponse:
    """One order: its ranked candidates with score bars, reasons and decisions (managers), or
    the candidates proposed to it (employers)."""
    try:
        order, pairs = decisions.pairs_of_order(
            uow, principal, job_order_id, None if principal.sees_everything else EMPLOYER_VISIBLE
        )
    except PairNotFoundError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "job order not found") from None
    today = datetime.now(UTC).date()
    if not principal.sees_everything:
        entries = [(p, employer_safe(v, today) if v else None) for p, v in pairs]
        return render(request, "employer_order.html", principal, order=order, entries=entries)
    filters = _filters(min_score, province, min_japanese_level, training_centre_id)
    index = request.app.state.candidate_index
    model = learning_api.current_model(request.app, uow) if ranking == "learned" else None
    result = queries.ranked_candidates(
        uow,
        index,
        principal,
        job_order_id,
        limit=100,
        weights=weights,
        filters=filters,
        rescore=model.probability if model else None,
    )
    assert result is not None  # visible: pairs_of_order checked it
    by_candidate = {p.candidate_id: p for p, _ in pairs}
    ranked_ids = {m.candidate.candidate_id for m in result.matches}
    others = [(p, v) for p, v in pairs if p.candidate_id not in ranked_ids]
    gettext = translations(language_of(request)).gettext
    context: dict[str, Any] = {
        "order": order,
        "result": result,
        "pairs": by_candidate,
        "others": others,
        "filters": {
            "min_score": min_score,
            "province": province or "",
            "min_japanese_level": min_japanese_level or "",
            "training_centre_id": training_centre_id or "",
            "ranking": ranking,
        },
        "learned": model is not None,
        "levels": [level.value for level in JapaneseLevel],
        "selected": sum(p.status == PairStatus.SELECTED for p, _ in pairs),
        "histogram": charts.histogram(
            result.score_histogram,
            title=str(gettext("Score distribution of eligible candidates")),
            label=str(gettext("score")),
        ),
        "can_decide": principal.role is Role.PROGRAM_MANAGER,
        "reasons": [r.value for r in RejectionReason],
    }
    if request.headers.get("hx-request") == "true":  # the filter form refreshes the list only
        return render(request, "_matches.html", principal, **context)
    return render(request, "order.html", principal, **context)


@router.get("/orders/{job_order_id}/shortlist.xlsx")
def shortlist_xlsx(job_order_id: str, principal: Reviewer, uow: UowDep) -> Response:
    """The export links of an order page; the same files as the API's."""
    today = datetime.now(UTC).date()
    content = exports.shortlist_xlsx(uow, principal, job_order_id, today)
    return download(content, XLSX_MEDIA_TYPE, f"shortlist-{job_order_id}-{today}.xlsx")


@router.get("/orders/{job_order_id}/shortlist.pdf")
def shortlist_pdf(
    request: Request, job_order_id: str, principal: Reviewer, uow: UowDep
) -> Response:
    today = datetime.now(UTC).date()
    fonts = request.app.state.settings.pdf_fonts
    content = exports.shortlist_pdf(uow, principal, job_order_id, today, fonts)
    return download(content, PDF_MEDIA_TYPE, f"interview-sheet-{job_order_id}-{today}.pdf")


def _pair_row(
    request: Request,
    principal: Principal,
    uow: UnitOfWork,
    job_order_id: str,
    candidate_id: str,
    error: str | None = None,
) -> HTMLResponse:
    """The decision cell of one candidate, after a change (or with the reason it was refused)."""
    pair = decisions.pair(uow, job_order_id, candidate_id)
    return render(
        request,
        "_decision.html",
        principal,
        job_order_id=job_order_id,
        candidate_id=candidate_id,
        pair=pair,
        error=error,
        can_decide=principal.role is Role.PROGRAM_MANAGER,
        reasons=[r.value for r in RejectionReason],
    )


@router.post("/orders/{job_order_id}/candidates/{candidate_id}/decide")
def decide(
    request: Request,
    job_order_id: str,
    candidate_id: str,
    principal: Manager,
    uow: UowDep,
    weights: WeightsDep,
    _htmx: Annotated[None, Depends(htmx_only)],
    action: Annotated[Action, Form()],
    reason_code: Annotated[str, Form(max_length=32)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> HTMLResponse:
    if principal.role is not Role.PROGRAM_MANAGER:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only program managers decide")
    error = None
    try:
        reason = RejectionReason(reason_code) if reason_code and action is Action.REJECT else None
        if action is Action.REJECT and reason is None:
            raise DecisionError("a rejection needs a reason code")
        command = Decide(job_order_id, candidate_id, action, reason, note.strip() or None)
        decisions.decide(uow, principal, command, weights)
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
    principal: Manager,
    uow: UowDep,
    _htmx: Annotated[None, Depends(htmx_only)],
) -> HTMLResponse:
    if principal.role is not Role.PROGRAM_MANAGER:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only program managers decide")
    window = timedelta(minutes=request.app.state.settings.undo_window_minutes)
    error = None
    try:
        decisions.undo(uow, principal, job_order_id, candidate_id, window)
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
        decisions.record_interview(
            uow, principal, job_order_id, candidate_id, result, note.strip() or None
        )
    except DecisionError as refused:
        error = refused.message
    except PairNotFoundError:
        raise HTTPException(status.HTTP_404_NOT_FOUND) from None
    return _pair_row(request, principal, uow, job_order_id, candidate_id, error)


@router.get("/candidates/{candidate_id}")
def candidate_page(
    request: Request, candidate_id: str, principal: Manager, uow: UowDep, weights: WeightsDep
) -> HTMLResponse:
    """One candidate: pipeline status, the orders they fit best, and every decision on them."""
    result = queries.ranked_orders(uow, principal, candidate_id, limit=20, weights=weights)
    if result is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "candidate not found")
    candidate, ranked = result
    pairs = decisions.pairs_of_candidate(uow, candidate_id)
    history = decisions.candidate_history(uow, candidate_id)
    return render(
        request,
        "candidate.html",
        principal,
        candidate=candidate,
        ranked=ranked,
        pairs=pairs,
        history=history,
    )


@router.get("/allocation")
def allocation_page(
    request: Request,
    principal: Manager,
    uow: UowDep,
    weights: WeightsDep,
    sector: Sector | None = None,
) -> HTMLResponse:
    """The suggested placement for a sector, with its gain over the greedy baseline."""
    proposal = None
    if sector is not None:
        proposal = propose(uow, request.app.state.candidate_index, weights, sector.value)
    return render(
        request,
        "allocation.html",
        principal,
        sectors=[s.value for s in Sector],
        sector=sector.value if sector else None,
        proposal=proposal,
    )


# --- wiring ----------------------------------------------------------------------------------


async def _to_sign_in(request: Request, _error: Exception) -> Response:
    target = PREFIX + "/sign-in?next=" + quote(request.url.path)
    if request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)


def install(app: FastAPI) -> None:
    """Serve the console (pages and static files) from the matching app."""
    app.include_router(router)
    app.mount(PREFIX + "/static", StaticFiles(directory=HERE / "static"), name="console-static")
    app.add_exception_handler(SignInRequired, _to_sign_in)
