"""Commands the employers service carries out on job orders (named imperatively)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kakehashi.employers.domain.lifecycle import JobOrderStatus
from kakehashi.employers.domain.model import JobOrderTerms, Preferences


@dataclass(frozen=True)
class PostJobOrder:
    """An employer posts a job order, open for matching at once unless a draft."""

    terms: JobOrderTerms
    preferences: Preferences = field(default_factory=Preferences)
    # False when the employer named no level: the order then asks for the track's floor.
    japanese_level_given: bool = True
    status: JobOrderStatus = JobOrderStatus.OPEN


@dataclass(frozen=True)
class ChangeJobOrder:
    """The owner changes some fields; the rest stay as they are."""

    job_order_id: str
    term_changes: dict[str, Any]
    preference_changes: dict[str, Any]


@dataclass(frozen=True)
class TransitionJobOrder:
    """Move an order along its lifecycle, with the reason where one is needed."""

    job_order_id: str
    to: JobOrderStatus
    reason: str | None = None
