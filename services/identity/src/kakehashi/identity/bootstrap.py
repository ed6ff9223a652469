"""Composition root: how the identity service's processes are put together."""

from __future__ import annotations

from pathlib import Path

from kakehashi.identity.config import IdentitySettings
from kakehashi.shared.events import IDENTITY_EVENTS
from kakehashi.shared.runtime import ServiceSpec

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"

SPEC = ServiceSpec(
    name="identity",
    settings_factory=IdentitySettings,
    migrations=MIGRATIONS,
    app="kakehashi.identity.entrypoints.api:create_app",
    produces=(IDENTITY_EVENTS,),
    handlers="kakehashi.identity.service_layer.event_handlers:HANDLERS",
)
