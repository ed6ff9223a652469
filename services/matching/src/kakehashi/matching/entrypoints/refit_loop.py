"""`kakehashi-matching refit-loop`: the learned ranking's refit schedule, as its own process.

A worker of its own rather than a thread of the consumer: a fit is seconds of CPU in
scikit-learn, which inside the consumer would hold up the read model (and past Kafka's poll
interval, cost a rebalance); on its own it can be run, stopped or scaled apart, and two copies
are safe (`learning_schedule.py`). It is also what loads scikit-learn; the consumer stays lean.
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from kakehashi.matching.config import MatchingSettings
from kakehashi.matching.domain.learning import LearningSettings
from kakehashi.matching.domain.refits import RefitSchedule


def learning_settings_of(settings: MatchingSettings) -> LearningSettings:
    """How fits are made and gated, from the service's settings (`ipw`, `ipw_max_weight`)."""
    return LearningSettings(ips=settings.ipw, max_weight=settings.ipw_max_weight)


def refit_schedule_of(settings: MatchingSettings) -> RefitSchedule:
    """The schedule from the `KAKEHASHI_MATCHING_REFIT_*` settings."""
    return RefitSchedule(
        min_new_decisions=settings.refit_min_new_decisions,
        min_interval=timedelta(minutes=settings.refit_min_interval_minutes),
        poll_interval=timedelta(seconds=settings.refit_poll_seconds),
        lease=timedelta(seconds=settings.refit_lease_seconds),
    )


def holder_name() -> str:
    """This process, as the lease names it (host and pid: unique among live processes)."""
    return f"{socket.gethostname()}:{os.getpid()}"
