"""Composition root: how the identity service's processes are put together."""

from __future__ import annotations

from pathlib import Path

from kakehashi.identity.config import IdentitySettings
from kakehashi.shared.events import (
    CANDIDATE_EVENTS,
    IDENTITY_EVENTS,
    JOB_ORDER_EVENTS,
    MATCH_EVENTS,
)
from kakehashi.shared.runtime import ServiceSpec

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"

SPEC = ServiceSpec(
    name="identity",
    settings_factory=IdentitySettings,
    migrations=MIGRATIONS,
    app="kakehashi.identity.entrypoints.api:create_app",
    produces=(IDENTITY_EVENTS,),
    # For notification mails: decisions, and whom they concern (candidates, job orders).
    consumes=(MATCH_EVENTS, CANDIDATE_EVENTS, JOB_ORDER_EVENTS),
    handlers="kakehashi.identity.service_layer.event_handlers:HANDLERS",
    read_model=("notified_candidate", "notified_job_order"),
    # The consumer process also mails the notifications (each at once, digests at their hour).
    beside_consumer="kakehashi.identity.entrypoints.notification_sender:beside_consumer",
)
