"""Composition root: how the matching service's processes are put together."""

from __future__ import annotations

from pathlib import Path

from kakehashi.matching.config import MatchingSettings
from kakehashi.matching.entrypoints.api import create_app
from kakehashi.matching.service_layer.event_handlers import HANDLERS
from kakehashi.shared.consumer import EventConsumer
from kakehashi.shared.events import CANDIDATE_EVENTS, JOB_ORDER_EVENTS, MATCH_EVENTS
from kakehashi.shared.runtime import Runtime, ServiceSpec

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"
CONSUMER_GROUP = "matching"
CONSUMES = (CANDIDATE_EVENTS, JOB_ORDER_EVENTS)


def build_consumer(runtime: Runtime) -> EventConsumer:
    return runtime.event_consumer(CONSUMER_GROUP, list(CONSUMES), HANDLERS)


SPEC = ServiceSpec(
    name="matching",
    settings_factory=MatchingSettings,
    migrations=MIGRATIONS,
    create_app=create_app,
    produces=(MATCH_EVENTS,),
    consumer_factory=build_consumer,
    consumes=CONSUMES,
)
