"""Composition root: how the candidates service's processes are put together."""

from __future__ import annotations

from pathlib import Path

from kakehashi.candidates.config import CandidatesSettings
from kakehashi.shared.events import (
    CANDIDATE_EVENTS,
    IDENTITY_EVENTS,
    JOB_ORDER_EVENTS,
    MATCH_EVENTS,
)
from kakehashi.shared.runtime import ServiceSpec

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"

SPEC = ServiceSpec(
    name="candidates",
    settings_factory=CandidatesSettings,
    migrations=MIGRATIONS,
    app="kakehashi.candidates.entrypoints.api:create_app",
    produces=(CANDIDATE_EVENTS,),
    consumes=(MATCH_EVENTS, IDENTITY_EVENTS, JOB_ORDER_EVENTS),
    handlers="kakehashi.candidates.service_layer.event_handlers:HANDLERS",
)
