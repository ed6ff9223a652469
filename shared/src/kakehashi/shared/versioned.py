"""The version guard every read model applies: an event older than (or as old as) what a row holds
is late or repeated, and changes nothing."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from sqlmodel import Session, SQLModel


class Versioned(Protocol):
    version: int


V = TypeVar("V", bound=SQLModel)


def is_stale(row: Versioned | None, version: int) -> bool:
    """True when `row` already holds `version` or a newer one."""
    return row is not None and row.version >= version


def upsert_versioned(
    session: Session, table: type[V], key: Any, fields: dict[str, Any], *, insert: bool = True
) -> V | None:
    """Write `fields` (which carry `version`) into the row at `key` unless it holds that version or
    a newer one; a missing row is inserted (or, with `insert=False`, left to a later snapshot).
    Returns the written row, or None when nothing was written."""
    return apply_versioned(session, table, session.get(table, key), fields, insert=insert)


def apply_versioned(
    session: Session,
    table: type[V],
    current: V | None,
    fields: dict[str, Any],
    *,
    insert: bool = True,
) -> V | None:
    """`upsert_versioned` on a row the caller has already read (`current`; None: no row)."""
    if current is None:
        if not insert:
            return None
        row = table(**fields)
        session.add(row)
        return row
    if is_stale(current, fields["version"]):  # type: ignore[arg-type]
        return None
    current.sqlmodel_update(fields)
    session.add(current)
    return current
