"""The review console's pages (Jinja2 + htmx) for program managers and employers: the dashboard,
an order's ranked candidates and decisions, a candidate, the allocation, the exports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BeforeValidator, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from kakehashi.matching.domain.decisions import (
    RejectionReason,
)
from kakehashi.matching.domain.learning import LearningSettings
from kakehashi.matching.entrypoints import decisions_api
from kakehashi.matching.entrypoints.console import (
    actors,
    charts,
    decision_cells,
    errors,
    labels,
    session,
)
from kakehashi.matching.entrypoints.console.i18n import translations
from kakehashi.matching.entrypoints.console.rendering import (
    PAGES,
    PREFIX,
    language_of,
    prefecture_name,
    render,
)
from kakehashi.matching.entrypoints.console.session import Manager, Reviewer, htmx_only
from kakehashi.matching.entrypoints.decisions_api import employer_safe
from kakehashi.matching.entrypoints.dependencies import (
    AllocationRunsDep,
    IndexDep,
    LearningSettingsDep,
    RankingModelsDep,
    SettingsDep,
    SurplusDep,
    WeightsDep,
)
from kakehashi.matching.service_layer import (
    dashboard,
    decided_pairs,
    learning,
    queries,
)
from kakehashi.matching.service_layer.allocation import (
    GRAPH_K,
    AllocationRun,
    OpenSector,
    open_sectors,
)
from kakehashi.matching.service_layer.decided_pairs import PairNotFoundError
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.clock import today
from kakehashi.shared.organisations import OrganisationNames, organisations_of_kind
from kakehashi.shared.reference import JapaneseLevel, Sector
from kakehashi.shared.unit_of_work import UnitOfWork
from kakehashi.shared.web import UowDep

router = APIRouter(prefix=PREFIX, include_in_schema=False)
# A certified level, or "" (the filter form's "any"): read from JapaneseLevel, not written out.
LEVEL_PATTERN = (
    "^("
    + "|".join(level.value for level in JapaneseLevel if level is not JapaneseLevel.NONE)
    + ")?$"
)


@router.get("")
def home() -> Response:
    return RedirectResponse(PREFIX + "/orders", status_code=status.HTTP_303_SEE_OTHER)


def _blank_is_none(value: object) -> object:
    """The filter form sends every field; an empty one means "no filter", not a bad number."""
    return None if isinstance(value, str) and not value.strip() else value


Blank = BeforeValidator(_blank_is_none)


@router.get("/orders")
def orders_page(
    request: Request,
    principal: Reviewer,
    uow: UowDep,
    settings: LearningSettingsDep,
    q: Annotated[Annotated[str, Field(max_length=100)] | None, Blank, Query()] = None,
    sector: Annotated[Sector | None, Blank, Query()] = None,
    prefecture: Annotated[Annotated[str, Field(max_length=32)] | None, Blank, Query()] = None,
    deadline: Annotated[dashboard.Deadline | None, Blank, Query()] = None,
    fill: Annotated[dashboard.Fill | None, Blank, Query()] = None,
    sort: dashboard.Sort = dashboard.Sort.DEADLINE,
    order: Literal["asc", "desc"] = "asc",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    """Open orders with fill rate, deadline and warnings, searched, filtered, sorted and paged;
    fill rate by sector and prefecture over the orders the filters keep."""
    language = language_of(request)
    gettext = translations(language).gettext
    query = dashboard.OrderQuery(
        search=q.strip() if q else None,
        sector=sector.value if sector else None,
        prefecture=prefecture,
        deadline=deadline,
        fill=fill,
        sort=sort,
        descending=order == "desc",
        page=page,
    )
    board = dashboard.dashboard(uow, principal, today(), query)
    PAGES.organisation_names(request, {row.order.employer_id for row in board.orders})
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
        query=query,
        link=_link_to(request),
        deadlines=[d.value for d in dashboard.Deadline],
        fills=[f.value for f in dashboard.Fill],
        sorts=[s.value for s in dashboard.Sort],
        sector_chart=charts.fill_bars(sector_rows, title=str(gettext("Fill rate by sector"))),
        prefecture_chart=charts.fill_bars(
            prefecture_rows,
            title=str(gettext("Fill rate by prefecture")),
        ),
        ranking=_ranking_context(uow, settings) if principal.sees_everything else None,
    )


def _link_to(request: Request) -> Callable[..., str]:
    """This page's URL with some parameters changed (None drops one); a new sort or filter
    starts again at page 1, so `page` is dropped unless given."""

    def link(**changes: object) -> str:
        params = {k: v for k, v in request.query_params.items() if k not in {"page", "lang"}}
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = str(value)
        return request.url.path + ("?" + urlencode(params) if params else "")

    return link


def _ranking_context(
    uow: UnitOfWork, settings: LearningSettings, error: bool = False
) -> dict[str, Any]:
    return {"status": learning.status(uow, settings), "error": error}


@router.post("/ranking-model/fit", dependencies=[Depends(htmx_only)])
def fit_ranking(
    request: Request,
    principal: Manager,
    uow: UowDep,
    models: RankingModelsDep,
    settings: LearningSettingsDep,
) -> HTMLResponse:
    """Fit the learned ranking on the decisions so far; the panel shows the outcome."""
    outcome = learning.fit(uow, principal, settings)
    if isinstance(outcome, tuple):
        models.remember(outcome[1], outcome[0])
    ranking = _ranking_context(uow, settings, error=not isinstance(outcome, tuple))
    return render(request, "_ranking.html", principal, ranking=ranking)


Score = Annotated[float, Field(ge=0, le=1)]
# An order's ranked list: this many rows a page (each is explained and rendered), this many in all.
RANKED_PER_PAGE = 25
MAX_RANKED = 200


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
    surplus: SurplusDep,
    settings: SettingsDep,
    index: IndexDep,
    models: RankingModelsDep,
    min_score: Annotated[Score | None, Blank, Query()] = None,
    province: Annotated[str | None, Query(max_length=100)] = None,
    min_japanese_level: Annotated[str | None, Query(pattern=LEVEL_PATTERN)] = None,
    training_centre_id: Annotated[str | None, Query(max_length=100)] = None,
    ranking: Literal["weighted", "learned"] = "weighted",
    page: Annotated[int, Query(ge=1, le=MAX_RANKED // RANKED_PER_PAGE)] = 1,
) -> HTMLResponse:
    """One order: its ranked candidates with score bars, reasons and decisions (managers),
    RANKED_PER_PAGE at a time, or the candidates proposed to it (employers)."""
    try:
        order, pairs = decided_pairs.shortlist_of(uow, principal, job_order_id)
    except PairNotFoundError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "job order not found") from None
    if not principal.sees_everything:
        day = today()
        entries = [(p, employer_safe(v, day) if v else None) for p, v in pairs]
        return render(request, "employer_order.html", principal, order=order, entries=entries)
    filters = _filters(min_score, province, min_japanese_level, training_centre_id)
    rescore = models.rescorer(uow, ranking)
    result = queries.ranked_candidates(
        uow,
        index,
        principal,
        job_order_id,
        limit=RANKED_PER_PAGE,
        offset=(page - 1) * RANKED_PER_PAGE,
        weights=weights,
        surplus=surplus,
        filters=filters,
        rescore=rescore,
        explore_every=settings.exploration_every,
    )
    assert result is not None  # visible: shortlist_of checked it
    centres = {m.candidate.training_centre_id for m in result.matches}
    PAGES.organisation_names(request, {order.employer_id, *centres})  # one query for the page
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
        "learned": rescore is not None,
        "page": page,
        "pages": max(1, min(-(-result.shown // RANKED_PER_PAGE), MAX_RANKED // RANKED_PER_PAGE)),
        "link": _link_to(request),
        "filtered": filters.active,
        "levels": [level.value for level in JapaneseLevel],
        # The filter takes a centre's id; the list offers the centres by name.
        "training_centres": _training_centres(uow),
        "selected": decided_pairs.selected_count(pairs),
        "histogram": charts.histogram(
            result.score_histogram,
            title=str(gettext("Score distribution of eligible candidates")),
            label=str(gettext("score")),
        ),
        "can_decide": principal.role is Role.PROGRAM_MANAGER,
        "reasons": [r.value for r in RejectionReason],
        "warnings": dashboard.order_warnings(uow, order, today()),
    }
    if request.headers.get("hx-request") == "true":  # the filter form refreshes the list only
        return render(request, "_matches.html", principal, oob=True, **context)
    return render(request, "order.html", principal, **context)


def _training_centres(uow: UnitOfWork) -> dict[str, OrganisationNames]:
    """The centres identity told us of, for the filter's list (by id, named per language)."""
    with uow:
        return organisations_of_kind(uow.session, "training_centre")


@router.get("/orders/{job_order_id}/shortlist.xlsx")
def shortlist_xlsx(job_order_id: str, principal: Reviewer, uow: UowDep) -> Response:
    """The export links of an order page: the API's files."""
    return decisions_api.shortlist_xlsx(job_order_id, principal, uow)


@router.get("/orders/{job_order_id}/shortlist.pdf")
def shortlist_pdf(
    job_order_id: str, principal: Reviewer, uow: UowDep, settings: SettingsDep
) -> Response:
    return decisions_api.shortlist_pdf(job_order_id, principal, uow, settings)


@router.get("/candidates/{candidate_id}")
def candidate_page(
    request: Request,
    candidate_id: str,
    principal: Manager,
    uow: UowDep,
    weights: WeightsDep,
    surplus: SurplusDep,
) -> HTMLResponse:
    """One candidate: pipeline status, the orders they fit best, and every decision on them."""
    result = queries.ranked_orders(
        uow, principal, candidate_id, limit=20, weights=weights, surplus=surplus
    )
    if result is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "candidate not found")
    candidate, ranked = result
    pairs = decided_pairs.pairs_of_candidate(uow, candidate_id)
    history = decided_pairs.candidate_history(uow, candidate_id)
    titles = queries.order_titles(
        uow, [p.job_order_id for p in pairs] + [step.job_order_id for step in history]
    )
    return render(
        request,
        "candidate.html",
        principal,
        candidate=candidate,
        ranked=ranked,
        pairs=pairs,
        history=history,
        titles=titles,
        actor=actors.actor_namer(request, history),
    )


@router.get("/allocation")
def allocation_page(
    request: Request,
    principal: Manager,
    uow: UowDep,
    weights: WeightsDep,
    surplus: SurplusDep,
    index: IndexDep,
    runs: AllocationRunsDep,
    sector: Sector | None = None,
) -> HTMLResponse:
    """The suggested placement for a sector, with its gain over the greedy baseline. It is
    computed in the background: shown at once if it is ready within a moment, otherwise the
    page shows its progress and polls until it is."""
    sectors = open_sectors(uow)
    run = None
    if sector is not None and any(s.sector == sector.value for s in sectors):
        run = runs.start(uow, index, weights, surplus, sector.value)
        if runs.inline_wait > 0:
            run.finished.wait(runs.inline_wait)
    return _allocation(request, principal, sectors, sector.value if sector else None, run)


@router.get("/allocation/runs/{run_id}")
def allocation_run(
    request: Request, principal: Manager, uow: UowDep, runs: AllocationRunsDep, run_id: str
) -> HTMLResponse:
    """A proposal's progress, or its result once done: the panel alone for htmx's polling,
    the whole page otherwise."""
    run = runs.get(run_id)
    if run is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such allocation run (it may be old)")
    if request.headers.get("hx-request") == "true":
        return render(request, "_allocation_run.html", principal, run=run)
    return _allocation(request, principal, open_sectors(uow), run.sector, run)


def _allocation(
    request: Request,
    principal: Principal,
    sectors: list[OpenSector],
    sector: str | None,
    run: AllocationRun | None,
) -> HTMLResponse:
    return render(
        request,
        "allocation.html",
        principal,
        sectors=sectors,
        sector=sector,
        run=run,
        graph_k=GRAPH_K,
    )


def install(app: FastAPI) -> None:
    """Serve the console (pages and static files) from the matching app."""
    app.include_router(session.router)
    app.include_router(router)
    app.include_router(decision_cells.router)
    PAGES.install_static(app)
    app.add_exception_handler(session.SignInRequired, session.to_sign_in)
    app.add_exception_handler(session.NotForThisRole, session.not_for_this_role)
    app.add_exception_handler(StarletteHTTPException, errors.http_error)
