"""Where bootstrap.py still finds the `match.status_changed` handler; it lives in event_handlers.

Remove once the composition root takes `event_handlers.HANDLERS` (issue 10).
"""

from __future__ import annotations

from kakehashi.candidates.service_layer.event_handlers import match_status_changed

__all__ = ["match_status_changed"]
