"""HTTP API of the matching service: ranked match lists for program managers and employers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.engine import make_url

from kakehashi.matching.bootstrap import SPEC
from kakehashi.matching.config import MatchingSettings
from kakehashi.matching.entrypoints import decisions_api, learning_api
from kakehashi.matching.entrypoints.console import pages as console
from kakehashi.matching.entrypoints.dependencies import (
    IndexDep,
    RankingModelsDep,
    SettingsDep,
    SurplusDep,
    WeightsDep,
    install_services,
)
from kakehashi.matching.entrypoints.refit_loop import learning_settings_of
from kakehashi.matching.entrypoints.schemas import (
    AllocationProposalPublic,
    CandidateMatch,
    CandidateMatchesPublic,
    IncompleteMatch,
    JobOrderSummary,
    MatchListPublic,
    OrderMatch,
    PlacementPublic,
    ScoreComponents,
)
from kakehashi.matching.service_layer import queries
from kakehashi.matching.service_layer.allocation import propose
from kakehashi.matching.service_layer.candidate_index import CandidateIndex
from kakehashi.matching.service_layer.services import MatchingServices
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.guards import require_roles
from kakehashi.shared.reference import JapaneseLevel, Sector
from kakehashi.shared.runtime import Runtime
from kakehashi.shared.schemas import MAX_OFFSET, Page
from kakehashi.shared.ui import dead_letter_pages
from kakehashi.shared.web import UowDep, create_service_app

router = APIRouter(prefix="/job-orders", tags=["matches"])

Reader = Annotated[
    Principal, Depends(require_roles(Role.PROGRAM_MANAGER, Role.ADMIN, Role.EMPLOYER))
]
# The ranked list names every eligible candidate: program managers review it, and an employer
# sees only those a program manager proposed (GET /job-orders/{id}/shortlist, employer-safe).
Reviewer = Annotated[Principal, Depends(require_roles(Role.PROGRAM_MANAGER, Role.ADMIN))]


def _ranked(m: queries.RankedCandidate | queries.RankedOrder) -> dict[str, Any]:
    """What every ranked row shows, whichever way it ranks: place, score, components, reasons."""
    return {
        "rank": m.rank,
        "score": m.score,
        "components": ScoreComponents(**m.components),
        "explanations": m.explanations,
    }


@router.get("/{job_order_id}/matches", responses={403: {}, 404: {}})
def match_list(
    job_order_id: str,
    principal: Reviewer,
    uow: UowDep,
    weights: WeightsDep,
    surplus: SurplusDep,
    settings: SettingsDep,
    index: IndexDep,
    models: RankingModelsDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    min_score: Annotated[float | None, Query(ge=0, le=1)] = None,
    province: Annotated[str | None, Query(max_length=100)] = None,
    min_japanese_level: JapaneseLevel | None = None,
    training_centre_id: Annotated[str | None, Query(max_length=100)] = None,
    ranking: Literal["weighted", "learned"] = "weighted",
) -> MatchListPublic:
    """Eligible candidates for the order, best first, each with its score components and reasons
    (program managers; an employer reads its order's shortlist instead).

    Filters narrow the list; they never change a score or a constraint. `ranking=learned` orders
    the same candidates by the fitted ranking model, or by the weighted score while none is.
    """
    filters = queries.MatchFilters(
        min_score=min_score,
        province=province,
        min_japanese_rank=min_japanese_level.rank if min_japanese_level else None,
        training_centre_id=training_centre_id,
    )
    rescore = models.rescorer(uow, ranking)
    result = queries.ranked_candidates(
        uow,
        index,
        principal,
        job_order_id,
        limit=limit,
        weights=weights,
        surplus=surplus,
        filters=filters,
        rescore=rescore,
        explore_every=settings.exploration_every,
    )
    if result is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="job order not found")
    order = result.job_order
    return MatchListPublic(
        job_order_id=order.job_order_id,
        title=order.title,
        sector=order.sector,
        status=order.status,
        headcount=order.headcount,
        min_japanese_level=order.min_japanese_level,
        candidates_evaluated=result.evaluated,
        candidates_eligible=result.eligible,
        matches=[
            CandidateMatch(
                candidate_id=m.candidate.candidate_id,
                full_name=m.candidate.full_name,
                name_vi=m.candidate.name_vi,
                name_katakana=m.candidate.name_katakana,
                province=m.candidate.province,
                japanese_level=m.candidate.japanese_level,
                pipeline_status=m.candidate.status,
                training_status=m.candidate.training_status,
                learned_score=m.learned_score,
                exploration=m.exploration,
                **_ranked(m),
            )
            for m in result.matches
        ],
        needs_data=[
            IncompleteMatch(
                candidate_id=c.candidate.candidate_id,
                full_name=c.candidate.full_name,
                name_vi=c.candidate.name_vi,
                name_katakana=c.candidate.name_katakana,
                missing=c.missing,
            )
            for c in result.needs_data
        ],
        excluded_by=result.excluded,
        ranking="weighted" if rescore is None else "learned",
    )


@router.get("")
def list_job_orders(
    principal: Reader,
    uow: UowDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Page[JobOrderSummary]:
    """Job orders matching has received, newest first."""
    items, total = queries.list_job_orders(uow, principal, limit=limit, offset=offset)
    return Page[JobOrderSummary](
        items=[JobOrderSummary.model_validate(o, from_attributes=True) for o in items],
        total=total,
        limit=limit,
        offset=offset,
    )


candidates = APIRouter(prefix="/candidates", tags=["matches"])
CandidateReader = Annotated[
    Principal, Depends(require_roles(Role.PROGRAM_MANAGER, Role.ADMIN, Role.TRAINING_CENTRE))
]


@candidates.get("/{candidate_id}/matches")
def candidate_matches(
    candidate_id: str,
    principal: CandidateReader,
    uow: UowDep,
    weights: WeightsDep,
    surplus: SurplusDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> CandidateMatchesPublic:
    """Open orders of the candidate's sector that they qualify for, best first, with reasons."""
    result = queries.ranked_orders(
        uow, principal, candidate_id, limit=limit, weights=weights, surplus=surplus
    )
    if result is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="candidate not found")
    candidate, ranked = result
    return CandidateMatchesPublic(
        candidate_id=candidate.candidate_id,
        full_name=candidate.full_name,
        name_vi=candidate.name_vi,
        name_katakana=candidate.name_katakana,
        sector=candidate.sector,
        status=candidate.status,
        training_status=candidate.training_status,
        matches=[
            OrderMatch(
                job_order_id=m.order.job_order_id,
                title=m.order.title,
                prefecture=m.order.prefecture,
                track=m.order.track,
                **_ranked(m),
            )
            for m in ranked
        ],
    )


allocations = APIRouter(prefix="/allocations", tags=["allocation"])
Manager = Annotated[Principal, Depends(require_roles(Role.PROGRAM_MANAGER, Role.ADMIN))]


@allocations.get("/proposal")
def allocation_proposal(
    principal: Manager,
    uow: UowDep,
    weights: WeightsDep,
    surplus: SurplusDep,
    index: IndexDep,
    sector: Sector | None = None,
) -> AllocationProposalPublic:
    """Place candidates into open orders' headcount (one sector or all) for the highest total
    score, each candidate at most once; with the greedy baseline's result for comparison."""
    result = propose(uow, index, weights, sector.value if sector else None, surplus)
    return AllocationProposalPublic(
        sector=sector.value if sector else None,
        orders=result.orders,
        slots=result.slots,
        placed=len(result.placements),
        fill_rate=round(result.fill_rate, 4),
        total_score=round(result.total_score, 4),
        greedy_total_score=round(result.greedy_total_score, 4),
        greedy_fill_rate=round(result.greedy_fill_rate, 4),
        gain_over_greedy=round(result.gain_over_greedy, 4),
        placements=[PlacementPublic(**vars(p)) for p in result.placements],
    )


def create_app(runtime: Runtime) -> FastAPI:
    """The matching API bound to one runtime (settings and database)."""
    app = create_service_app(runtime, "Kakehashi matching", [router, candidates, allocations])
    settings = runtime.settings
    assert isinstance(settings, MatchingSettings)
    database = make_url(settings.resolved_database_url).render_as_string(hide_password=True)
    services = MatchingServices(
        learning_settings=learning_settings_of(settings),
        candidate_index=CandidateIndex(settings.candidate_index_snapshot, database),
    )
    install_services(app, services)
    decisions_api.install(app)
    learning_api.install(app)
    console.install(app)
    dead_letter_pages.install(app, SPEC)  # /admin/dead-letters, administrators only
    previous = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with previous(app):
            # Every sector's pool before the first request, not on it; changes still sync lazily.
            await run_in_threadpool(services.candidate_index.warm, runtime.uow())
            yield
            # Kept on disk as it stands now, so the next start reads it back, not the rows.
            await run_in_threadpool(services.candidate_index.save)

    app.router.lifespan_context = lifespan
    return app
