"""Composition root: how the employers service's processes are put together."""

from __future__ import annotations

from pathlib import Path

from kakehashi.employers.config import EmployersSettings
from kakehashi.employers.entrypoints.api import create_app
from kakehashi.employers.service_layer.selections import match_status_changed
from kakehashi.shared.consumer import EventConsumer
from kakehashi.shared.events import JOB_ORDER_EVENTS, MATCH_EVENTS
from kakehashi.shared.runtime import Runtime, ServiceSpec

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"
CONSUMER_GROUP = "employers"
CONSUMES = (MATCH_EVENTS,)
HANDLERS = {"match.status_changed": match_status_changed}


def build_consumer(runtime: Runtime) -> EventConsumer:
    return runtime.event_consumer(CONSUMER_GROUP, list(CONSUMES), HANDLERS)


SPEC = ServiceSpec(
    name="employers",
    settings_factory=EmployersSettings,
    migrations=MIGRATIONS,
    create_app=create_app,
    produces=(JOB_ORDER_EVENTS,),
    consumer_factory=build_consumer,
    consumes=CONSUMES,
)
