"""Composition root: how the candidates service's processes are put together."""

from __future__ import annotations

from pathlib import Path

from kakehashi.candidates.config import CandidatesSettings
from kakehashi.candidates.entrypoints.api import create_app
from kakehashi.shared.events import CANDIDATE_EVENTS
from kakehashi.shared.runtime import ServiceSpec

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"

SPEC = ServiceSpec(
    name="candidates",
    settings_factory=CandidatesSettings,
    migrations=MIGRATIONS,
    create_app=create_app,
    produces=(CANDIDATE_EVENTS,),
)
