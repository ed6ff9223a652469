"""When the learned ranking is refitted by the schedule, and how an attempt's outcome is told.

A refit is due when at least `min_new_decisions` decisions were recorded since the last attempt
AND at least `min_interval` has passed since it: enough new evidence to be worth a fit, and no
more often than a fit is worth its CPU. Whether its fit then replaces the live model is the gate's
(`learning.Metrics.promoted`), never the schedule's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from kakehashi.matching.domain.learning import Metrics


class Outcome(StrEnum):
    """What became of one refit attempt (the label of kakehashi_matching_refits_total)."""

    PROMOTED = "promoted"  # fitted, and better than the live model: lists rank with it now
    KEPT_LIVE = "kept_live"  # fitted, not better: recorded, the live model keeps ranking
    NOT_ENOUGH_DECISIONS = "not_enough_decisions"  # too few labelled pairs to fit at all
    BUSY = "busy"  # another process holds the refit lease (not recorded: that one records)
    FAILED = "failed"  # the fit raised (recorded with the error, logged with its traceback)


@dataclass(frozen=True)
class RefitSchedule:
    """The `KAKEHASHI_MATCHING_REFIT_*` settings."""

    min_new_decisions: int = 50
    min_interval: timedelta = timedelta(hours=1)
    poll_interval: timedelta = timedelta(minutes=1)
    lease: timedelta = timedelta(minutes=15)  # longer than any fit; a dead holder's expires


@dataclass(frozen=True)
class Due:
    """Whether a refit is due now, and why (or why not), for the log."""

    due: bool
    reason: str


def refit_due(
    schedule: RefitSchedule,
    new_decisions: int,
    last_attempt_at: datetime | None,
    now: datetime,
) -> Due:
    """Both conditions: enough new decisions since the last attempt, and the interval passed
    (the first attempt ever waits only for the decisions)."""
    if new_decisions < schedule.min_new_decisions:
        return Due(False, f"{new_decisions} new decisions, {schedule.min_new_decisions} needed")
    if last_attempt_at is not None and now - last_attempt_at < schedule.min_interval:
        wait = schedule.min_interval - (now - last_attempt_at)
        return Due(False, f"last attempt too recent: next in {int(wait.total_seconds())} s")
    return Due(True, f"{new_decisions} new decisions since the last attempt")


def outcome_of(metrics: Metrics) -> tuple[Outcome, str]:
    """A fit's outcome and why, from its held-out figures: the gate's figure against the live
    model's on the same held-out pairs."""
    figures = {
        "ips_ndcg": (metrics.ips_ndcg, metrics.live_ips_ndcg, "IPS-weighted nDCG@10"),
        "ips_roc_auc": (metrics.ips_roc_auc, metrics.live_ips_roc_auc, "IPS-weighted ROC AUC"),
    }
    if metrics.gate not in figures:
        return Outcome.PROMOTED, "no live model: the first fit ranks"
    new, live, name = figures[metrics.gate]
    comparison = f"{name} {_figure(new)} against the live model's {_figure(live)}"
    if metrics.promoted:
        return Outcome.PROMOTED, f"better on held-out decisions: {comparison}"
    return Outcome.KEPT_LIVE, f"not better on held-out decisions: {comparison}"


def _figure(value: float | None) -> str:
    return "—" if value is None else f"{value:.4f}"
