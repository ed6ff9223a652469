"""The events identity consumes: none yet. It is the source of organisations and users."""

from __future__ import annotations

from kakehashi.shared.applier import Handler

HANDLERS: dict[str, Handler] = {}
