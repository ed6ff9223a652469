"""Composition root: how the candidates service's processes are put together."""

from __future__ import annotations

from pathlib import Path

from kakehashi.candidates.config import CandidatesSettings
from kakehashi.candidates.entrypoints.api import create_app
from kakehashi.candidates.service_layer.match_decisions import match_status_changed
from kakehashi.shared.consumer import EventConsumer
from kakehashi.shared.events import CANDIDATE_EVENTS, MATCH_EVENTS
from kakehashi.shared.runtime import Runtime, ServiceSpec

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"
CONSUMER_GROUP = "candidates"
CONSUMES = (MATCH_EVENTS,)
HANDLERS = {"match.status_changed": match_status_changed}


def build_consumer(runtime: Runtime) -> EventConsumer:
    return runtime.event_consumer(CONSUMER_GROUP, list(CONSUMES), HANDLERS)


SPEC = ServiceSpec(
    name="candidates",
    settings_factory=CandidatesSettings,
    migrations=MIGRATIONS,
    create_app=create_app,
    produces=(CANDIDATE_EVENTS,),
    consumer_factory=build_consumer,
    consumes=CONSUMES,
)
