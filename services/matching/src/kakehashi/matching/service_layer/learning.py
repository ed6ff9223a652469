"""Fitting the learned ranking from the decision audit, the record of each fit, and the model
every list ranked by it uses."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlmodel import col, select

from kakehashi.matching.adapters.mapping import decision_row_of, fit_record_of, model_of
from kakehashi.matching.adapters.tables import MatchDecision, RankingModelFit
from kakehashi.matching.domain import learning
from kakehashi.matching.domain.learning import (
    DecisionRow,
    LearningSettings,
    NotEnoughDecisions,
    RankingModel,
)
from kakehashi.matching.service_layer.queries import Rescore
from kakehashi.shared.auth import Principal
from kakehashi.shared.clock import utcnow
from kakehashi.shared.unit_of_work import UnitOfWork


def decision_rows(uow: UnitOfWork) -> list[DecisionRow]:
    """Every recorded decision, as labelling needs it (no note, nobody's name)."""
    decisions = uow.session.exec(
        select(MatchDecision).order_by(col(MatchDecision.match_id), col(MatchDecision.version))
    ).all()
    return [decision_row_of(d) for d in decisions]


def fit(
    uow: UnitOfWork, principal: Principal, settings: LearningSettings
) -> tuple[RankingModel, RankingModelFit] | NotEnoughDecisions:
    """Fit on the decisions so far and record the fit; nothing is recorded without enough data."""
    with uow:
        pairs = learning.labelled_pairs(decision_rows(uow))
        outcome = learning.fit(pairs, settings)
        if isinstance(outcome, NotEnoughDecisions):
            return outcome
        record = fit_record_of(outcome, utcnow(), principal.subject)
        uow.session.add(record)
        uow.commit()
    return outcome, record


def latest_fit(uow: UnitOfWork) -> RankingModelFit | None:
    """The record of the most recent fit, if any."""
    with uow:
        return uow.session.exec(
            select(RankingModelFit).order_by(col(RankingModelFit.id).desc()).limit(1)
        ).first()


class RankingModels:
    """The model of the latest recorded fit, which every API process ranks with.

    A process keeps the model it built and rebuilds it when a newer fit has been recorded, by
    any process: one small query per learned list.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cached: tuple[int, RankingModel] | None = None

    def current(self, uow: UnitOfWork) -> RankingModel | None:
        """The latest fit's model (None before the first fit)."""
        record = latest_fit(uow)
        if record is None or record.id is None:
            return None
        with self._lock:
            if self._cached is None or self._cached[0] != record.id:
                self._cached = (record.id, model_of(record))
            return self._cached[1]

    def remember(self, record: RankingModelFit, model: RankingModel) -> None:
        """A fit this process just recorded: ranked with at once, without rebuilding it."""
        assert record.id is not None
        with self._lock:
            self._cached = (record.id, model)

    def rescorer(self, uow: UnitOfWork, ranking: str) -> Rescore | None:
        """What a match list is re-ranked with: the latest fit's probability when `ranking` is
        "learned" and a fit exists; None (the weighted score) otherwise."""
        model = self.current(uow) if ranking == "learned" else None
        return model.probability if model else None


@dataclass(frozen=True)
class LearningStatus:
    """How far the decisions go towards a fit, and the latest fit if any."""

    labelled: int
    approved: int
    rejected: int
    settings: LearningSettings
    latest: RankingModelFit | None


def status(uow: UnitOfWork, settings: LearningSettings) -> LearningStatus:
    """Labelled pairs so far against what a fit needs, and the latest fit."""
    with uow:
        pairs = learning.labelled_pairs(decision_rows(uow))
    approved = sum(p.approved for p in pairs)
    return LearningStatus(len(pairs), approved, len(pairs) - approved, settings, latest_fit(uow))
