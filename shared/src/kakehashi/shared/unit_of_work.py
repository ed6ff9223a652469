"""A unit of work: one transaction per command, rolled back unless `commit()` is called.

Events emitted inside it are written to the outbox in the same transaction as the change; a
commit that wrote outbox rows rings the relay's doorbell (relay_wakeup.py), so the relay
publishes them at once instead of finding them on its next look.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine
from sqlmodel import Session

from kakehashi.shared.db import SessionFactory
from kakehashi.shared.events import EventEnvelope
from kakehashi.shared.outbox import OutboxMessage
from kakehashi.shared.relay_wakeup import Doorbell, SilentDoorbell, doorbell_for, took_outbox_rows


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
