"""Composition root: how the employers service's processes are put together."""

from __future__ import annotations

from pathlib import Path

from kakehashi.employers.config import EmployersSettings
from kakehashi.shared.events import (
    CANDIDATE_EVENTS,
    IDENTITY_EVENTS,
    JOB_ORDER_EVENTS,
    MATCH_EVENTS,
)
from kakehashi.shared.runtime import ServiceSpec

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"

SPEC = ServiceSpec(
    name="employers",
    settings_factory=EmployersSettings,
    migrations=MIGRATIONS,
    app="kakehashi.employers.entrypoints.api:create_app",
    produces=(JOB_ORDER_EVENTS,),
    # candidate-events for `candidate.match_refused` only; the other candidate events are skipped.
    consumes=(MATCH_EVENTS, CANDIDATE_EVENTS, IDENTITY_EVENTS),
    handlers="kakehashi.employers.service_layer.event_handlers:HANDLERS",
)
