"""The learned ranking's refit schedule: the `kakehashi-matching refit-loop` worker's work.

Each tick asks whether a refit is due (`refits.refit_due`: enough new decisions since the last
attempt, and the minimum interval passed); if so it takes the refit lease (one row, taken by a
compare-and-set UPDATE, expiring if its holder dies), checks again under the lease (another
process may have just fitted), fits, and gives the lease back. The fit is `learning.fit`, the
same as `POST /ranking-model/fit`: recorded as an attempt with its held-out figures and why it
was or was not promoted, counted in kakehashi_matching_refits_total{outcome}, and promoted only
by the gate. Two loops (or a loop and a manual fit) never both replace the live model on the
same comparison: the lease keeps two loops from fitting at once, and `learning.fit` promotes
only if the live model it was measured against is still live.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update as sa_update
from sqlmodel import col

from kakehashi.matching.adapters.tables import RefitLease
from kakehashi.matching.domain.learning import LearningSettings, NotEnoughDecisions
from kakehashi.matching.domain.refits import Due, Outcome, RefitSchedule, refit_due
from kakehashi.matching.service_layer import learning
from kakehashi.matching.service_layer.learning import LEASE, RankingModels
from kakehashi.matching.service_layer.metrics import count_refit
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.clock import utcnow
from kakehashi.shared.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

SCHEDULE = "schedule"  # an attempt's trigger
# Who the fit record names for a scheduled fit.
SCHEDULER = Principal(subject="matching-refit-loop", role=Role.ADMIN, organisation_id="kakehashi")


@dataclass(frozen=True)
class Tick:
    """What one look at the schedule did: None outcome when no refit was due."""

    outcome: Outcome | None
    reason: str


def tick(
    uow: UnitOfWork,
    settings: LearningSettings,
    schedule: RefitSchedule,
    holder: str,
    models: RankingModels | None = None,
) -> Tick:
    """Refit if due and the lease is free; the attempt is recorded by `learning.fit`."""
    due = _due(uow, schedule)
    if not due.due:
        return Tick(None, due.reason)
    now = utcnow()
    if not take_lease(uow, holder, now, now + schedule.lease):
        count_refit(Outcome.BUSY)
        log.info("refit due but another process holds the lease", extra={"holder": holder})
        return Tick(Outcome.BUSY, "another process is refitting")
    try:
        due = _due(uow, schedule)  # again, under the lease: the other process may have fitted
        if not due.due:
            return Tick(None, due.reason)
        log.info("refit started", extra={"reason": due.reason})
        try:
            outcome = learning.fit(uow, SCHEDULER, settings, trigger=SCHEDULE)
        except Exception:
            log.exception("refit failed (recorded as a failed attempt)")
            return Tick(Outcome.FAILED, "the fit failed")
    finally:
        release_lease(uow, holder)
    if isinstance(outcome, NotEnoughDecisions):
        log.info("refit: not enough decisions", extra={"reason": outcome.message})
        return Tick(Outcome.NOT_ENOUGH_DECISIONS, outcome.message)
    model, record = outcome
    if models is not None:
        models.remember(record, model)
    verdict = Outcome.PROMOTED if model.metrics.promoted else Outcome.KEPT_LIVE
    attempt = learning.attempt_of_fit(uow, record.id)
    reason = attempt.reason if attempt is not None else ""
    log.info("refit done", extra={"outcome": verdict.value, "fit_id": record.id, "reason": reason})
    return Tick(verdict, reason)


def _due(uow: UnitOfWork, schedule: RefitSchedule) -> Due:
    last = learning.last_attempt(uow)
    new = learning.new_decisions_since(uow, last)
    return refit_due(schedule, new, last.started_at if last else None, utcnow())


def run(
    uow: UnitOfWork,
    settings: LearningSettings,
    schedule: RefitSchedule,
    holder: str,
    stop: threading.Event,
) -> None:
    """Tick every `poll_interval` until `stop` is set. A tick that raises (the database away) is
    logged and the loop goes on: the next tick tries again."""
    log.info("refit loop started", extra={"holder": holder})
    while not stop.is_set():
        try:
            tick(uow, settings, schedule, holder)
        except Exception:
            log.exception("refit tick failed; retrying at the next tick")
        stop.wait(schedule.poll_interval.total_seconds())


def take_lease(uow: UnitOfWork, holder: str, now: datetime, until: datetime) -> bool:
    """Take the refit lease if it is free, expired or already ours: one compare-and-set
    UPDATE, so of two processes asking at once exactly one gets it."""
    with uow:
        taken = uow.session.exec(
            sa_update(RefitLease)
            .where(
                col(RefitLease.name) == LEASE,
                (col(RefitLease.holder).is_(None))
                | (col(RefitLease.expires_at) < now)
                | (col(RefitLease.holder) == holder),
            )
            .values(holder=holder, expires_at=until)
        )
        uow.commit()
    return bool(taken.rowcount == 1)


def release_lease(uow: UnitOfWork, holder: str) -> None:
    """Give the lease back (only if still ours: an expired one may have been taken since)."""
    with uow:
        uow.session.exec(
            sa_update(RefitLease)
            .where(col(RefitLease.name) == LEASE, col(RefitLease.holder) == holder)
            .values(holder=None)
        )
        uow.commit()
