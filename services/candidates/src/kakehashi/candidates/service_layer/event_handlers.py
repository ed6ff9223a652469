"""The events the candidates service consumes, by type, and the handler that applies each."""

from __future__ import annotations

from kakehashi.candidates.service_layer.match_decisions import match_status_changed
from kakehashi.shared.applier import Handler

HANDLERS: dict[str, Handler] = {"match.status_changed": match_status_changed}
