"""A unit of work: one transaction per command, rolled back unless `commit()` is called.

Events emitted inside it are written to the outbox in the same transaction as the change; a
commit that wrote outbox rows rings the relay's doorbell (relay_wakeup.py), so the relay
publishes them at once instead of finding them on its next look.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from sqlalchemy import Engine, Table
from sqlalchemy import inspect as inspect_model
from sqlmodel import Session, SQLModel

from kakehashi.shared.db import SessionFactory, insert_together, is_postgres
from kakehashi.shared.events import EventEnvelope
from kakehashi.shared.outbox import OutboxMessage
from kakehashi.shared.relay_wakeup import (
    NOTIFY_CHANNEL,
    Doorbell,
    SilentDoorbell,
    doorbell_for,
    took_outbox_rows,
)


class UnitOfWork:
    session: Session

    def __init__(self, session_factory: SessionFactory, doorbell: Doorbell | None = None) -> None:
        self._session_factory = session_factory
        self._doorbell = doorbell or _default_doorbell(session_factory)

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed and detaches the loaded objects without
        # expiring them, so results stay readable after the unit of work ends.
        self.session.close()

    def emit(self, topic: str, event: EventEnvelope) -> None:
        """Record an event for the relay to publish once this unit of work commits."""
        self.session.add(OutboxMessage.from_event(topic, event))

    def insert_new(self, *rows: SQLModel) -> None:
        """Write new rows (of different tables, parents first). On PostgreSQL they go at once,
        in one statement that also rings the relay when one of them is an outbox row: one round
        trip where the flush took one per table and the doorbell another (docs/operations.md,
        "Scaling the write path"). The session does not track them then; their attributes stay
        as set. Elsewhere they are added to the session and flushed at commit, as `add` does."""
        if not is_postgres(self.session.get_bind()):
            self.session.add_all(rows)
            return
        writes: list[tuple[Table, list[dict[str, Any]]]] = []
        for row in rows:
            table, values = _column_values(row)
            if writes and writes[-1][0] is table:
                writes[-1][1].append(values)
            else:
                writes.append((table, [values]))
        outbox = any(isinstance(row, OutboxMessage) for row in rows)
        insert_together(self.session, writes, notify=NOTIFY_CHANNEL if outbox else None)

    def commit(self) -> None:
        # Flushed first, so outbox rows inserted by the flush are seen as well as bulk inserts.
        self.session.flush()
        wrote_outbox = took_outbox_rows(self.session)
        if wrote_outbox:
            self._doorbell.ring_in(self.session)
        self.session.commit()
        if wrote_outbox:
            self._doorbell.ring_after_commit()

    def rollback(self) -> None:
        self.session.rollback()


def _default_doorbell(session_factory: SessionFactory) -> Doorbell:
    """For a unit of work built without one (tests, tools): the doorbell of its database."""
    engine = session_factory.kw.get("bind")
    return doorbell_for(engine) if isinstance(engine, Engine) else SilentDoorbell()


def _column_values(row: SQLModel) -> tuple[Table, dict[str, Any]]:
    """The row's table and the values it inserts: unset keys and defaulted columns left to the
    database (an autoincrement id, a server default)."""
    mapper = inspect_model(type(row))
    values: dict[str, Any] = {}
    for attribute in mapper.column_attrs:
        column = attribute.columns[0]
        value = getattr(row, attribute.key)
        defaulted = (
            (column.primary_key and column.autoincrement in (True, "auto"))
            or column.default is not None
            or column.server_default is not None
        )
        if value is None and defaulted:
            continue
        values[column.key] = value
    table: Table = mapper.local_table
    return table, values
