"""Composition root: how the matching service's processes are put together."""

from __future__ import annotations

from pathlib import Path

from kakehashi.matching.config import MatchingSettings
from kakehashi.shared.events import (
    CANDIDATE_EVENTS,
    IDENTITY_EVENTS,
    JOB_ORDER_EVENTS,
    MATCH_EVENTS,
)
from kakehashi.shared.runtime import ServiceSpec

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"

SPEC = ServiceSpec(
    name="matching",
    settings_factory=MatchingSettings,
    migrations=MIGRATIONS,
    app="kakehashi.matching.entrypoints.api:create_app",
    produces=(MATCH_EVENTS,),
    consumes=(CANDIDATE_EVENTS, JOB_ORDER_EVENTS, IDENTITY_EVENTS),
    handlers="kakehashi.matching.service_layer.event_handlers:HANDLERS",
    prefetch="kakehashi.matching.service_layer.event_handlers:prefetch",
    # Filled from candidates', employers' and identity's events only: `rebuild` refills them.
    # Decisions (match_pair, match_decision) are matching's own and stay.
    read_model=("candidate_view", "erased_candidate", "job_order_view", "organisation_directory"),
)
