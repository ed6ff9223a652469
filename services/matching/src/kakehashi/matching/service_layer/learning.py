"""Fitting the learned ranking from the decision audit, the record of each fit and of each
attempt, and the model every list ranked by it uses."""

from __future__ import annotations

import dataclasses
import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select

from kakehashi.matching.adapters.mapping import decision_row_of, fit_record_of, model_of
from kakehashi.matching.adapters.tables import (
    MatchDecision,
    RankingModelFit,
    RefitAttempt,
    RefitLease,
)
from kakehashi.matching.domain import learning
from kakehashi.matching.domain.learning import (
    DecisionRow,
    LearningSettings,
    NotEnoughDecisions,
    RankingModel,
)
from kakehashi.matching.domain.refits import Outcome, outcome_of
from kakehashi.matching.service_layer.metrics import count_refit
from kakehashi.matching.service_layer.queries import Rescore
from kakehashi.shared.auth import Principal
from kakehashi.shared.clock import utcnow
from kakehashi.shared.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
MANUAL = "manual"  # an attempt's trigger: POST /ranking-model/fit (API or console)
LEASE = "refit"  # the one row of ranking_refit_lease


def decision_rows(uow: UnitOfWork, up_to: int | None = None) -> list[DecisionRow]:
    """Every recorded decision (up to id `up_to`), as labelling needs it (no note, nobody's
    name)."""
    query = select(MatchDecision)
    if up_to is not None:
        query = query.where(col(MatchDecision.id) <= up_to)
    decisions = uow.session.exec(
        query.order_by(col(MatchDecision.match_id), col(MatchDecision.version))
    ).all()
    return [decision_row_of(d) for d in decisions]


def fit(
    uow: UnitOfWork, principal: Principal, settings: LearningSettings, trigger: str = MANUAL
) -> tuple[RankingModel, RankingModelFit] | NotEnoughDecisions:
    """Fit on the decisions so far and record the fit, with the live model's quality on the same
    held-out pairs; the fit ranks lists only if it beats the live model (`metrics.promoted`).
    No fit is recorded without enough data; the attempt is recorded either way (`attempts`),
    and counted. A fit that raises is recorded as a failed attempt, then raised again."""
    started = utcnow()
    live_record = live_fit(uow)
    live = model_of(live_record) if live_record is not None else None
    with uow:
        seen = _last_seen(uow)
    try:
        with uow:
            newest = _newest_decision_id(uow)
            new = _decisions_between(uow, seen, newest)
            pairs = learning.labelled_pairs(decision_rows(uow, up_to=newest))
        outcome = learning.fit(pairs, settings, live)
    except Exception as error:
        reason = f"the fit failed: {type(error).__name__}: {error}"
        failed = _attempt(started, trigger, Outcome.FAILED, reason)
        failed.last_decision_id = seen  # what it could not learn from still counts as new
        _record(uow, failed)
        raise
    with uow:
        # Compare-and-set on the live model: the gate measured this fit against `live_record`;
        # had another fit been promoted meanwhile, this one was not compared with it and may not
        # replace it. The lease row is locked first, so two such checks never interleave.
        _lock_lease_row(uow)
        still_live = _live_record(uow)
        if isinstance(outcome, NotEnoughDecisions):
            attempt = _attempt(started, trigger, Outcome.NOT_ENOUGH_DECISIONS, outcome.message)
            attempt.last_decision_id, attempt.new_decisions = newest, new
            uow.session.add(attempt)
            uow.commit()
            _counted(attempt)
            return outcome
        verdict, reason = outcome_of(outcome.metrics)
        if _id(still_live) != _id(live_record) and outcome.metrics.promoted:
            outcome = dataclasses.replace(
                outcome, metrics=dataclasses.replace(outcome.metrics, promoted=False)
            )
            verdict = Outcome.KEPT_LIVE
            reason = f"fit {_id(still_live)} was promoted while this one was fitted: kept it"
        record = fit_record_of(outcome, utcnow(), principal.subject)
        uow.session.add(record)
        uow.session.flush()
        attempt = _attempt(started, trigger, verdict, reason, record.id, outcome.metrics)
        attempt.last_decision_id, attempt.new_decisions = newest, new
        uow.session.add(attempt)
        uow.commit()
    _counted(attempt)
    return outcome, record


def _id(record: RankingModelFit | None) -> int | None:
    return None if record is None else record.id


def _attempt(
    started: datetime,
    trigger: str,
    outcome: Outcome,
    reason: str,
    fit_id: int | None = None,
    metrics: learning.Metrics | None = None,
) -> RefitAttempt:
    return RefitAttempt(
        started_at=started,
        finished_at=utcnow(),
        trigger=trigger,
        outcome=outcome.value,
        reason=reason,
        fit_id=fit_id,
        metrics=None if metrics is None else dataclasses.asdict(metrics),
    )


def _record(uow: UnitOfWork, attempt: RefitAttempt) -> None:
    with uow:
        uow.session.add(attempt)
        uow.commit()
    _counted(attempt)


def _counted(attempt: RefitAttempt) -> None:
    """Count and log a recorded attempt (the refit loop logs its own ticks besides)."""
    count_refit(Outcome(attempt.outcome))
    log.info(
        "ranking refit attempt recorded",
        extra={
            "trigger": attempt.trigger,
            "outcome": attempt.outcome,
            "fit_id": attempt.fit_id,
            "new_decisions": attempt.new_decisions,
            "reason": attempt.reason,
        },
    )


def _newest_decision_id(uow: UnitOfWork) -> int:
    newest = uow.session.exec(select(func.max(MatchDecision.id))).one()
    return int(newest or 0)


def _last_seen(uow: UnitOfWork) -> int:
    """The newest decision the last attempt that read decisions read (0 before any)."""
    seen = uow.session.exec(
        select(RefitAttempt.last_decision_id).order_by(col(RefitAttempt.id).desc()).limit(1)
    ).first()
    return int(seen or 0)


def _decisions_between(uow: UnitOfWork, after: int, up_to: int | None = None) -> int:
    query = select(func.count()).select_from(MatchDecision).where(col(MatchDecision.id) > after)
    if up_to is not None:
        query = query.where(col(MatchDecision.id) <= up_to)
    return int(uow.session.exec(query).one())


def new_decisions_since(uow: UnitOfWork, attempt: RefitAttempt | None) -> int:
    """Decisions recorded after the ones the attempt read (all of them before any attempt)."""
    with uow:
        return _decisions_between(uow, attempt.last_decision_id if attempt is not None else 0)


def last_attempt(uow: UnitOfWork) -> RefitAttempt | None:
    """The most recent refit attempt, scheduled or asked for."""
    found = attempts(uow, limit=1)
    return found[0] if found else None


def attempt_of_fit(uow: UnitOfWork, fit_id: int | None) -> RefitAttempt | None:
    """The attempt that recorded fit `fit_id`."""
    with uow:
        return uow.session.exec(
            select(RefitAttempt).where(col(RefitAttempt.fit_id) == fit_id)
        ).first()


def attempts(uow: UnitOfWork, limit: int) -> list[RefitAttempt]:
    """The most recent refit attempts, newest first."""
    with uow:
        return list(
            uow.session.exec(
                select(RefitAttempt).order_by(col(RefitAttempt.id).desc()).limit(limit)
            ).all()
        )


def _lock_lease_row(uow: UnitOfWork) -> None:
    """Serialise the promotion check of concurrent fits (a row lock on PostgreSQL; SQLite
    serialises writers anyway). Migration 0012 wrote the row."""
    uow.session.exec(select(RefitLease).where(col(RefitLease.name) == LEASE).with_for_update())


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
        return _live_record(uow)


def _live_record(uow: UnitOfWork) -> RankingModelFit | None:
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
    last_attempt: RefitAttempt | None = None


def status(uow: UnitOfWork, settings: LearningSettings) -> LearningStatus:
    """Labelled pairs so far against what a fit needs, and the latest fit."""
    with uow:
        pairs = learning.labelled_pairs(decision_rows(uow))
    approved = sum(p.approved for p in pairs)
    return LearningStatus(
        len(pairs),
        approved,
        len(pairs) - approved,
        settings,
        latest_fit(uow),
        last_attempt(uow),
    )
