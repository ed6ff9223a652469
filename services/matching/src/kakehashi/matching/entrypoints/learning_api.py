"""HTTP API of the learned ranking: fit it on program managers' decisions, read the latest fit.

Not enough decisions is a 409 whose body says how many labelled pairs there are and how many are
needed: nothing is fitted or recorded then, and match lists keep the weighted score.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, status
from fastapi.responses import JSONResponse

from kakehashi.matching.adapters.tables import RankingModelFit
from kakehashi.matching.domain.learning import FEATURES, LearningSettings, RankingModel
from kakehashi.matching.entrypoints.schemas import (
    LearnedMetrics,
    NotEnoughDecisionsPublic,
    RankingModelPublic,
    ScoreComponents,
)
from kakehashi.matching.service_layer import learning
from kakehashi.matching.service_layer.queries import Rescore
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.guards import require_roles
from kakehashi.shared.unit_of_work import UnitOfWork
from kakehashi.shared.web import UowDep

router = APIRouter(prefix="/ranking-model", tags=["learning"])

Manager = Annotated[Principal, Depends(require_roles(Role.PROGRAM_MANAGER, Role.ADMIN))]


def current_model(app: FastAPI, uow: UnitOfWork) -> RankingModel | None:
    """The latest recorded fit, which every API process ranks with (None before the first).

    A process keeps the model it built and rebuilds it when a newer fit has been recorded, by
    any process: one small query per learned list.
    """
    record = learning.latest_fit(uow)
    if record is None or record.id is None:
        return None
    cached: tuple[int, RankingModel] | None = app.state.ranking_model
    if cached is None or cached[0] != record.id:
        cached = (record.id, learning.model_of(record))
        app.state.ranking_model = cached
    return cached[1]


def rescorer(app: FastAPI, uow: UnitOfWork, ranking: str) -> Rescore | None:
    """What a match list is re-ranked with: the latest fit's probability when `ranking` is
    "learned" and a fit exists; None (the weighted score) otherwise."""
    model = current_model(app, uow) if ranking == "learned" else None
    return model.probability if model else None


def _public(record: RankingModelFit) -> RankingModelPublic:
    assert record.id is not None
    fitted_at = record.fitted_at
    return RankingModelPublic(
        id=record.id,
        fitted_at=fitted_at,
        fitted_by=record.fitted_by,
        n_pairs=record.n_pairs,
        features=list(FEATURES),
        metrics=LearnedMetrics(**record.metrics),
        coefficients=ScoreComponents(**record.coefficients),
        intercept=record.intercept,
    )


@router.post(
    "/fit",
    status_code=status.HTTP_201_CREATED,
    response_model=RankingModelPublic,
    responses={status.HTTP_409_CONFLICT: {"model": NotEnoughDecisionsPublic}},
)
def fit(request: Request, principal: Manager, uow: UowDep) -> RankingModelPublic | JSONResponse:
    """Fit the ranking on the decisions so far and record it; learned lists rank with it."""
    app = request.app
    outcome = learning.fit(uow, principal, app.state.learning_settings)
    if not isinstance(outcome, tuple):
        body = NotEnoughDecisionsPublic(
            detail=outcome.message,
            have=outcome.have,
            need=outcome.need,
            approved=outcome.approved,
            rejected=outcome.rejected,
            min_minority=outcome.min_minority,
        )
        return JSONResponse(body.model_dump(), status_code=status.HTTP_409_CONFLICT)
    model, record = outcome
    assert record.id is not None
    app.state.ranking_model = (record.id, model)
    return _public(record)


@router.get("")
def latest(request: Request, principal: Manager, uow: UowDep) -> RankingModelPublic:
    """The latest fit, which `?ranking=learned` match lists rank with."""
    record = learning.latest_fit(uow)
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no ranking model has been fitted")
    return _public(record)


def install(app: FastAPI, settings: LearningSettings = LearningSettings()) -> None:
    """Add the learning routes; lists rank by the weighted score until a fit is recorded."""
    app.include_router(router)
    app.state.learning_settings = settings
    app.state.ranking_model = None  # (fit id, model) once built
