"""A unit of work: one transaction per command, rolled back unless `commit()` is called.

Events emitted inside it are written to the outbox in the same transaction as the change.
"""

from __future__ import annotations

from types import TracebackType

from sqlmodel import Session

from kakehashi.shared.db import SessionFactory
from kakehashi.shared.events import EventEnvelope
from kakehashi.shared.outbox import OutboxMessage


class UnitOfWork:
    session: Session

    def __init__(self, session_factory: SessionFactory) -> None:
        self._session_factory = session_factory

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

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
