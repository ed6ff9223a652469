"""A job order's lifecycle: draft → open → interviewing → filled → closed, or cancelled."""

from __future__ import annotations

from enum import StrEnum

from kakehashi.shared.errors import DomainError


class JobOrderStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    INTERVIEWING = "interviewing"
    FILLED = "filled"
    CLOSED = "closed"
    CANCELLED = "cancelled"


S = JobOrderStatus
ALLOWED: dict[JobOrderStatus, frozenset[JobOrderStatus]] = {
    S.DRAFT: frozenset({S.OPEN, S.CANCELLED}),
    S.OPEN: frozenset({S.INTERVIEWING, S.CANCELLED}),
    S.INTERVIEWING: frozenset({S.FILLED, S.CANCELLED}),
    S.FILLED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}
INITIAL = frozenset({S.DRAFT, S.OPEN})
EDITABLE = frozenset({S.DRAFT, S.OPEN, S.INTERVIEWING})
# Orders matching sees; a draft is private to its employer until it opens.
PUBLISHED = frozenset({S.OPEN, S.INTERVIEWING})


class StatusConflictError(Exception):
    """The request is valid but the order's current status does not allow it (HTTP 409)."""

    def __init__(self, current: JobOrderStatus, message: str) -> None:
        super().__init__(message)
        self.current = current
        self.message = message


def check_transition(current: JobOrderStatus, to: JobOrderStatus, reason: str | None) -> None:
    """Raise StatusConflictError unless `current → to` is allowed; cancelling needs a reason."""
    if to not in ALLOWED[current]:
        allowed = ", ".join(sorted(s.value for s in ALLOWED[current])) or "nothing (final)"
        raise StatusConflictError(
            current, f"a {current.value} job order cannot become {to.value}; allowed: {allowed}"
        )
    if to is S.CANCELLED and not (reason and reason.strip()):
        raise DomainError("reason", "say why the order is cancelled")


def check_editable(current: JobOrderStatus) -> None:
    if current not in EDITABLE:
        raise StatusConflictError(current, f"a {current.value} job order can no longer be changed")


def steps_to_filled(current: JobOrderStatus, selected: int, headcount: int) -> list[JobOrderStatus]:
    """The statuses an order passes through once `selected` reaches `headcount` (none before),
    or back to interviewing when a filled order's count drops below it.

    Selections come after interviews, so an order still open goes through interviewing first.
    A filled order whose selection was refused by the candidate's owner (or withdrawn) has a
    place free again: it goes back to interviewing, so matching lists it again.
    """
    if selected < headcount:
        return [S.INTERVIEWING] if current is S.FILLED else []
    if current is S.OPEN:
        return [S.INTERVIEWING, S.FILLED]
    if current is S.INTERVIEWING:
        return [S.FILLED]
    return []
