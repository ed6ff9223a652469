"""The one clock every service reads: aware UTC instants and the UTC calendar day.

Domain functions take `today` or `now` as arguments; only service layers and entrypoints call
these, so a test can pass any date it likes to the rules.
"""

from __future__ import annotations

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    """Now, timezone-aware, in UTC."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in UTC (the day every service agrees on)."""
    return utcnow().date()
