"""Fitting the learned ranking from the decision audit, and the record of each fit."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from sqlmodel import col, select

from kakehashi.matching.adapters.tables import MatchDecision, RankingModelFit
from kakehashi.matching.domain import learning
from kakehashi.matching.domain.learning import (
    CalibratedFold,
    DecisionRow,
    LearningSettings,
    Metrics,
    NotEnoughDecisions,
    RankingModel,
)
from kakehashi.shared.auth import Principal
from kakehashi.shared.unit_of_work import UnitOfWork


def decision_rows(uow: UnitOfWork) -> list[DecisionRow]:
    """Every recorded decision, as labelling needs it (no note, nobody's name)."""
    decisions = uow.session.exec(
        select(MatchDecision).order_by(col(MatchDecision.match_id), col(MatchDecision.version))
    ).all()
    return [
        DecisionRow(
            d.match_id, d.version, d.action, d.to_status, d.reason_code, d.score, d.components
        )
        for d in decisions
    ]


def fit(
    uow: UnitOfWork, principal: Principal, settings: LearningSettings
) -> tuple[RankingModel, RankingModelFit] | NotEnoughDecisions:
    """Fit on the decisions so far and record the fit; nothing is recorded without enough data."""
    with uow:
        pairs = learning.labelled_pairs(decision_rows(uow))
        outcome = learning.fit(pairs, settings)
        if isinstance(outcome, NotEnoughDecisions):
            return outcome
        record = RankingModelFit(
            fitted_at=datetime.now(UTC),
            fitted_by=principal.subject,
            n_pairs=outcome.n_pairs,
            metrics=asdict(outcome.metrics),
            coefficients=outcome.coefficients,
            intercept=outcome.intercept,
            folds=[asdict(fold) for fold in outcome.folds],
        )
        uow.session.add(record)
        uow.commit()
    return outcome, record


def latest_fit(uow: UnitOfWork) -> RankingModelFit | None:
    """The record of the most recent fit, if any."""
    with uow:
        return uow.session.exec(
            select(RankingModelFit).order_by(col(RankingModelFit.id).desc()).limit(1)
        ).first()


def model_of(record: RankingModelFit) -> RankingModel:
    """The model a recorded fit ranks with."""
    return RankingModel(
        folds=tuple(
            CalibratedFold(tuple(f["coef"]), f["intercept"], f["a"], f["b"]) for f in record.folds
        ),
        coefficients=dict(record.coefficients),
        intercept=record.intercept,
        metrics=Metrics(**record.metrics),
        n_pairs=record.n_pairs,
    )


@dataclass(frozen=True)
class LearningStatus:
    """How far the decisions go towards a fit, and the latest fit if any."""

    labelled: int
    approved: int
    rejected: int
    settings: LearningSettings
    latest: RankingModelFit | None


def status(uow: UnitOfWork, settings: LearningSettings) -> LearningStatus:
    with uow:
        pairs = learning.labelled_pairs(decision_rows(uow))
    approved = sum(p.approved for p in pairs)
    return LearningStatus(len(pairs), approved, len(pairs) - approved, settings, latest_fit(uow))
