"""Composition root: how the employers service's processes are put together."""

from __future__ import annotations

from pathlib import Path

from kakehashi.employers.config import EmployersSettings
from kakehashi.employers.entrypoints.api import create_app
from kakehashi.shared.events import JOB_ORDER_EVENTS
from kakehashi.shared.runtime import ServiceSpec

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"

SPEC = ServiceSpec(
    name="employers",
    settings_factory=EmployersSettings,
    migrations=MIGRATIONS,
    create_app=create_app,
    produces=(JOB_ORDER_EVENTS,),
)
