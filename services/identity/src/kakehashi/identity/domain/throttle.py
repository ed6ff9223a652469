"""Sign-in throttling: failures counted per account and per client address, and the lockout.

The account throttle is keyed by the normalised email typed, whether or not a user has it, so
an unknown email locks exactly like a known one and the answer says nothing about existence.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum


class Scope(StrEnum):
    ACCOUNT = "account"  # failed sign-ins, by normalised email
    ADDRESS = "address"  # failed sign-ins, by client address
    RESET_MAIL = "reset_mail"  # reset mails sent, by normalised email (no mail bombing)


@dataclass(frozen=True)
class Policy:
    max_failures: int
    window: timedelta
    lockout: timedelta


@dataclass(frozen=True)
class Counter:
    """Failures since `window_started_at`; locked until `locked_until` when it is in the future."""

    failures: int = 0
    window_started_at: datetime | None = None
    locked_until: datetime | None = None

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def after_failure(self, policy: Policy, now: datetime) -> Counter:
        """The counter after one more failure; the limit reached starts a lockout."""
        expired = self.window_started_at is None or now - self.window_started_at >= policy.window
        counter = Counter(1, now, None) if expired else replace(self, failures=self.failures + 1)
        if counter.failures >= policy.max_failures:
            # A lockout ends with a fresh window: the next failure after it counts from one.
            return Counter(0, None, now + policy.lockout)
        return counter
