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
    """Fit on the decisions so far and record the fit, with the live model's quality on the same
    held-out pairs; the fit ranks lists only if it beats the live model (`metrics.promoted`).
    Nothing is recorded without enough data."""
    live_record = live_fit(uow)
    live = model_of(live_record) if live_record is not None else None
    with uow:
        pairs = learning.labelled_pairs(decision_rows(uow))
        outcome = learning.fit(pairs, settings, live)
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


def live_fit(uow: UnitOfWork) -> RankingModelFit | None:
    """The most recent fit that was promoted (beat the model live when it was fitted): the one
    learned lists rank with. A fit recorded before promotion existed counts as promoted."""
    with uow:
        fits = uow.session.exec(select(RankingModelFit).order_by(col(RankingModelFit.id).desc()))
        for record in fits:
            if record.metrics.get("promoted", True):
                return record
    return None


class RankingModels:
    """The model of the live fit (`live_fit`), which every API process ranks with.

    A process keeps the model it built and rebuilds it when a newer fit has been recorded, by
    any process: one small query per learned list.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cached: tuple[int, RankingModel] | None = None

    def current(self, uow: UnitOfWork) -> RankingModel | None:
        """The live fit's model (None before the first fit)."""
        record = live_fit(uow)
        if record is None or record.id is None:
            return None
        with self._lock:
            if self._cached is None or self._cached[0] != record.id:
                self._cached = (record.id, model_of(record))
            return self._cached[1]

    def remember(self, record: RankingModelFit, model: RankingModel) -> None:
        """A fit this process just recorded: ranked with at once, without rebuilding it, if it
        was promoted."""
        assert record.id is not None
        if not model.metrics.promoted:
            return
        with self._lock:
            self._cached = (record.id, model)

    def rescorer(self, uow: UnitOfWork, ranking: str) -> Rescore | None:
        """What a match list is re-ranked with: the live fit's probability when `ranking` is
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
