"""The sign-in throttles' counters in the database (the rule is `domain.throttle`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from kakehashi.identity.adapters.tables import SignInThrottle
from kakehashi.identity.domain.throttle import Counter, Policy, Scope


def counter(session: Session, scope: Scope, key: str) -> Counter:
    row = session.get(SignInThrottle, (scope.value, key))
    if row is None:
        return Counter()
    return Counter(row.failures, row.window_started_at, row.locked_until)


def record_failure(
    session: Session, scope: Scope, key: str, policy: Policy, now: datetime
) -> Counter:
    """Count one more event (a failed sign-in, a reset mail) against `key`; the new counter."""
    row = _row_for_update(session, scope, key)
    before = Counter(row.failures, row.window_started_at, row.locked_until)
    after = before.after_failure(policy, now)
    row.failures, row.window_started_at, row.locked_until = (
        after.failures,
        after.window_started_at,
        after.locked_until,
    )
    session.add(row)
    return after


def _row_for_update(session: Session, scope: Scope, key: str) -> SignInThrottle:
    """The counter's row, created if missing, locked: two first failures at once (two API
    processes) both land on one row instead of one of them failing on the primary key."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    values = {"scope": scope.value, "key": key, "failures": 0}
    session.execute(insert(SignInThrottle).values(**values).on_conflict_do_nothing())
    row = session.get(SignInThrottle, (scope.value, key), with_for_update=True)
    assert row is not None
    return row


def clear(session: Session, scope: Scope, key: str) -> None:
    row = session.get(SignInThrottle, (scope.value, key))
    if row is not None:
        session.delete(row)
