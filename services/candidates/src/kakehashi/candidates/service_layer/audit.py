"""The audit log: one row per profile a caller read, changed, exported or erased.

One row per profile (not one per request listing ids) so "who saw this person" is an indexed
equality lookup, and an erasure or export can list the entries of one candidate exactly. A
search page costs at most its page size in rows, written in the same transaction as the read:
if the audit cannot be written, the read fails rather than go unrecorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from kakehashi.candidates.adapters.tables import AuditEntry
from kakehashi.candidates.domain.privacy import AuditAction
from kakehashi.shared.auth import Principal
from kakehashi.shared.clock import utcnow
from kakehashi.shared.observability import get_correlation_id
from kakehashi.shared.unit_of_work import UnitOfWork


def record(
    session: Session, principal: Principal, action: AuditAction, candidate_ids: Iterable[str]
) -> None:
    """Insert one audit row per candidate in the caller's transaction."""
    rows = entry_values(principal, action, candidate_ids)
    if rows:
        session.execute(insert(AuditEntry.__table__), rows)  # type: ignore[attr-defined]


def entry_values(
    principal: Principal, action: AuditAction, candidate_ids: Iterable[str]
) -> list[dict[str, Any]]:
    """The column values of one audit row per candidate (for a caller inserting them itself)."""
    entry = {
        "at": utcnow(),
        "subject": principal.subject,
        "role": principal.role.value,
        "organisation_id": principal.organisation_id,
        "action": action.value,
        "correlation_id": get_correlation_id(),
    }
    return [entry | {"candidate_id": candidate_id} for candidate_id in candidate_ids]


def entries_of(session: Session, candidate_id: str) -> list[AuditEntry]:
    """Every audit row about one candidate, oldest first."""
    return list(
        session.exec(
            select(AuditEntry)
            .where(col(AuditEntry.candidate_id) == candidate_id)
            .order_by(col(AuditEntry.id))
        ).all()
    )


def audit_log(
    uow: UnitOfWork, candidate_id: str | None, *, limit: int, offset: int
) -> tuple[list[AuditEntry], int]:
    """A page of audit rows, newest first, optionally about one candidate; and how many match."""
    where = [] if candidate_id is None else [col(AuditEntry.candidate_id) == candidate_id]
    with uow:
        rows = uow.session.exec(
            select(AuditEntry)
            .where(*where)
            .order_by(col(AuditEntry.id).desc())
            .offset(offset)
            .limit(limit)
        ).all()
        total = uow.session.exec(select(func.count()).select_from(AuditEntry).where(*where)).one()
        return list(rows), int(total)
