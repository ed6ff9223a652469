"""HTTP API of the learned ranking: fit it on program managers' decisions, read the latest fit.

Not enough decisions is a 409 whose body says how many labelled pairs there are and how many are
needed: nothing is fitted or recorded then, and match lists keep the weighted score.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, status
from fastapi.responses import JSONResponse

from kakehashi.matching.adapters.tables import RankingModelFit, RefitAttempt
from kakehashi.matching.domain.learning import FEATURES
from kakehashi.matching.entrypoints.dependencies import LearningSettingsDep, RankingModelsDep
from kakehashi.matching.entrypoints.schemas import (
    LearnedMetrics,
    NotEnoughDecisionsPublic,
    RankingModelPublic,
    RefitAttemptPublic,
)
from kakehashi.matching.service_layer import learning
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.guards import require_roles
from kakehashi.shared.web import UowDep

router = APIRouter(prefix="/ranking-model", tags=["learning"])

Manager = Annotated[Principal, Depends(require_roles(Role.PROGRAM_MANAGER, Role.ADMIN))]


def _public(record: RankingModelFit) -> RankingModelPublic:
    assert record.id is not None
    return RankingModelPublic(
        id=record.id,
        fitted_at=record.fitted_at,
        fitted_by=record.fitted_by,
        n_pairs=record.n_pairs,
        features=list(record.coefficients) or list(FEATURES),
        metrics=LearnedMetrics(**record.metrics),
        coefficients=dict(record.coefficients),
        intercept=record.intercept,
    )


@router.post(
    "/fit",
    status_code=status.HTTP_201_CREATED,
    response_model=RankingModelPublic,
    responses={status.HTTP_409_CONFLICT: {"model": NotEnoughDecisionsPublic}},
)
def fit(
    principal: Manager,
    uow: UowDep,
    models: RankingModelsDep,
    settings: LearningSettingsDep,
) -> RankingModelPublic | JSONResponse:
    """Fit the ranking on the decisions so far and record it, with the live model's quality on
    the same held-out pairs; learned lists rank with it only if it beats the live model
    (`metrics.promoted`)."""
    outcome = learning.fit(uow, principal, settings)
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
    models.remember(record, model)
    return _public(record)


@router.get("", responses={status.HTTP_404_NOT_FOUND: {"description": "nothing fitted yet"}})
def latest(principal: Manager, uow: UowDep) -> RankingModelPublic:
    """The latest fit; `?ranking=learned` lists rank with the latest promoted one."""
    record = learning.latest_fit(uow)
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no ranking model has been fitted")
    return _public(record)


def _attempt(attempt: RefitAttempt) -> RefitAttemptPublic:
    assert attempt.id is not None
    return RefitAttemptPublic(
        id=attempt.id,
        started_at=attempt.started_at,
        finished_at=attempt.finished_at,
        trigger=attempt.trigger,
        outcome=attempt.outcome,
        reason=attempt.reason,
        new_decisions=attempt.new_decisions,
        fit_id=attempt.fit_id,
        metrics=LearnedMetrics(**attempt.metrics) if attempt.metrics else None,
    )


@router.get("/attempts")
def attempts(
    principal: Manager, uow: UowDep, limit: Annotated[int, Query(ge=1, le=100)] = 10
) -> list[RefitAttemptPublic]:
    """The latest refit attempts, newest first (scheduled by `refit-loop` or asked for): each
    with its held-out figures and why its fit was or was not promoted."""
    return [_attempt(a) for a in learning.attempts(uow, limit)]


def install(app: FastAPI) -> None:
    """Add the learning routes; lists rank by the weighted score until a fit is recorded."""
    app.include_router(router)
