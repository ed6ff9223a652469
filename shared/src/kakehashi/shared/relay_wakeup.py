"""How a relay sleeps while its outbox is empty, and how a writer wakes it.

A relay that polled every 50 ms kept a quarter of a core busy doing nothing. Instead the writer
rings a doorbell once a transaction with outbox rows commits, and the relay waits for it:

- PostgreSQL: the transaction itself issues `NOTIFY kakehashi_outbox` (delivered on commit, never
  on rollback); the relay `LISTEN`s on a connection of its own.
- SQLite (the relay is another process on the same machine): after its commit the writer sends a
  datagram to a Unix socket beside the database file, where the relay listens. Fire and forget: a
  missing relay or a full socket never fails the writer.

A wake-up can still be lost (a relay restarting, a dropped connection), so the relay never sleeps
longer than an idle backoff that doubles after every empty pass up to a few seconds: a lost
wake-up delays a publication by at most that, it never loses one.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import select
import socket
import stat
import tempfile
import time
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlmodel import Session

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "kakehashi_outbox"
# A Unix socket's path must fit in 108 bytes (104 on macOS); longer ones go to the temp folder.
_MAX_SOCKET_PATH = 100
_WROTE_OUTBOX = "kakehashi.wrote_outbox"
_OUTBOX_INSERT = re.compile(r'\s*INSERT\s+INTO\s+"?outbox"?[\s(]', re.IGNORECASE)


class IdleBackoff:
    """How long the relay waits for a wake-up before looking anyway.

    Doubles after each pass that found nothing, from `first_s` up to `max_s`; a pass that
    published resets it, so a relay that was just busy looks again soon.
    """

    def __init__(self, first_s: float = 0.05, max_s: float = 3.0) -> None:
        if first_s <= 0 or max_s < first_s:
            raise ValueError(f"need 0 < first_s <= max_s, got {first_s} and {max_s}")
        self.first_s = first_s
        self.max_s = max_s
        self._next_s = first_s

    def next_wait(self) -> float:
        """The wait after an empty pass; the one after it is twice as long (up to `max_s`)."""
        wait = self._next_s
        self._next_s = min(self._next_s * 2, self.max_s)
        return wait

    def reset(self) -> None:
        self._next_s = self.first_s


def wake_socket_path(database_url: str) -> Path | None:
    """Where a SQLite database's relay listens for wake-ups: beside the file, or None for a
    database with no file (in memory) or one that is not SQLite."""
    url = make_url(database_url)
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    file = Path(database).resolve()
    beside = file.with_name(f"{file.name}.relay.sock")
    if len(str(beside).encode()) <= _MAX_SOCKET_PATH:
        return beside
    digest = hashlib.sha256(str(file).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"kakehashi-relay-{digest}.sock"


# --- The writer's side -------------------------------------------------------------------------


@event.listens_for(Engine, "after_cursor_execute")
def _note_outbox_insert(
    conn: Connection,
    _cursor: Any,
    statement: str,
    _parameters: Any,
    _context: Any,
    _executemany: bool,
) -> None:
    """Mark the transaction as one that wrote outbox rows, however they were inserted (an ORM
    flush, a Core bulk insert, plain SQL)."""
    if _OUTBOX_INSERT.match(statement):
        conn.info[_WROTE_OUTBOX] = True


@event.listens_for(Engine, "begin")
@event.listens_for(Engine, "rollback")
def _forget_outbox_insert(conn: Connection) -> None:
    conn.info.pop(_WROTE_OUTBOX, None)


def took_outbox_rows(session: Session) -> bool:
    """Whether the session's open transaction has inserted outbox rows (flushed ones: flush
    first); asking forgets it, so each transaction rings once."""
    if not session.in_transaction():
        return False
    return bool(session.connection().info.pop(_WROTE_OUTBOX, False))


class Doorbell(Protocol):
    """How a writer tells its relay that committed outbox rows wait."""

    def ring_in(self, session: Session) -> None:
        """Called inside the transaction that wrote outbox rows, just before its commit."""

    def ring_after_commit(self) -> None:
        """Called once that transaction has committed. Never raises."""


class SilentDoorbell:
    """No relay to wake (a database in memory): relays find rows by their idle backoff alone."""

    def ring_in(self, session: Session) -> None:
        pass

    def ring_after_commit(self) -> None:
        pass


class NotifyDoorbell:
    """PostgreSQL: a NOTIFY in the writing transaction, delivered to listeners on commit."""

    def ring_in(self, session: Session) -> None:
        session.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))

    def ring_after_commit(self) -> None:
        pass


class DatagramDoorbell:
    """SQLite: an empty datagram to the relay's socket after the commit, fire and forget."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def ring_in(self, session: Session) -> None:
        pass

    def ring_after_commit(self) -> None:
        # A socket per ring (microseconds beside a commit) holds no descriptor between rings.
        # No relay listening, or one with wake-ups already queued: its idle wait covers it.
        with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as bell:
            bell.setblocking(False)
            bell.sendto(b"\x01", str(self.path))


def doorbell_for(engine: Engine, socket_path: Path | None = None) -> Doorbell:
    """The doorbell of `engine`'s relay; `socket_path` overrides the SQLite socket's place."""
    if engine.dialect.name == "postgresql":
        return NotifyDoorbell()
    path = socket_path or wake_socket_path(engine.url.render_as_string())
    return DatagramDoorbell(path) if path is not None else SilentDoorbell()


# --- The relay's side --------------------------------------------------------------------------


class Wakeup:
    """What a relay waits on between passes: a timer that a writer's doorbell (or `interrupt`)
    cuts short. This base class has no doorbell: it waits out the whole time unless interrupted.
    Used between `open()` and `close()`; it can be opened again after.
    """

    def __init__(self) -> None:
        self._interrupt_in: socket.socket | None = None
        self._interrupt_out: socket.socket | None = None

    def open(self) -> None:
        """Start listening (before the relay's first pass, so no ring falls between them)."""
        self._interrupt_in, self._interrupt_out = socket.socketpair()
        self._interrupt_in.setblocking(False)
        self._interrupt_out.setblocking(False)

    def wait(self, timeout_s: float) -> bool:
        """Wait until a writer rings, `interrupt()` is called, or `timeout_s` passes; True when a
        writer rang. Rings that arrived meanwhile are all consumed by this one wait."""
        interrupts = [self._interrupt_in] if self._interrupt_in is not None else []
        readable, _, _ = select.select([*self._sources(), *interrupts], [], [], timeout_s)
        rang = False
        for source in readable:
            if source in interrupts:
                _drain(source)
            else:
                rang = self._consume() or rang
        return rang

    def interrupt(self) -> None:
        """Cut the current (or next) wait short; safe from any thread, and after close()."""
        out = self._interrupt_out
        if out is not None:
            with contextlib.suppress(OSError):  # closed meanwhile, or interrupts already queued
                out.send(b"\x01")

    def close(self) -> None:
        for end in (self._interrupt_in, self._interrupt_out):
            if end is not None:
                end.close()
        self._interrupt_in = self._interrupt_out = None

    def _sources(self) -> list[Any]:
        """What a writer's ring makes readable (objects with fileno())."""
        return []

    def _consume(self) -> bool:
        """Read every ring now waiting; False when what was readable was no ring after all."""
        return False


class DatagramWakeup(Wakeup):
    """SQLite: listens on the Unix datagram socket the writers' `DatagramDoorbell` sends to."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._socket: socket.socket | None = None

    def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_socket(self.path)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        listener.setblocking(False)
        listener.bind(str(self.path))
        self._socket = listener
        super().open()

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
            _remove_stale_socket(self.path)
        super().close()

    def _sources(self) -> list[Any]:
        return [self._socket] if self._socket is not None else []

    def _consume(self) -> bool:
        return self._socket is not None and _drain(self._socket) > 0


class NotifyWakeup(Wakeup):
    """PostgreSQL: LISTENs on a connection of its own. If that connection fails, the relay
    carries on with its idle backoff alone and the listener reconnects on a later wait."""

    RECONNECT_AFTER_S = 5.0

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine
        self._connection: Any = None  # a psycopg connection, in autocommit
        self._last_attempt = float("-inf")

    def open(self) -> None:
        self._listen()
        super().open()

    def wait(self, timeout_s: float) -> bool:
        if self._connection is None:
            reconnect_in = self._last_attempt + self.RECONNECT_AFTER_S - time.monotonic()
            if reconnect_in <= 0:
                self._listen()
            else:  # wake up in time to try again, so a long idle wait does not delay it
                timeout_s = min(timeout_s, reconnect_in)
        return super().wait(timeout_s)

    def close(self) -> None:
        self._drop()
        super().close()

    def _listen(self) -> None:
        self._last_attempt = time.monotonic()
        try:
            pooled = self.engine.raw_connection()
            connection: Any = pooled.driver_connection
            pooled.detach()  # a connection of our own, never returned to the pool
            connection.rollback()  # the pool's pre-ping may have opened a transaction
            connection.autocommit = True
            connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
        except Exception:
            log.warning("cannot LISTEN for outbox rows; the relay polls meanwhile", exc_info=True)
            return
        self._connection = connection

    def _drop(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.close()
            self._connection = None

    def _sources(self) -> list[Any]:
        return [self._connection] if self._connection is not None else []

    def _consume(self) -> bool:
        try:
            return any(True for _ in self._connection.notifies(timeout=0))
        except Exception:
            log.warning("lost the LISTEN connection; the relay polls meanwhile", exc_info=True)
            self._drop()
            return True  # something may have been committed: look now


def wakeup_for(engine: Engine, socket_path: Path | None = None) -> Wakeup:
    """What the relay of `engine`'s database waits on; `socket_path` as for `doorbell_for`."""
    if engine.dialect.name == "postgresql":
        return NotifyWakeup(engine)
    path = socket_path or wake_socket_path(engine.url.render_as_string())
    return DatagramWakeup(path) if path is not None else Wakeup()


def _drain(sock: socket.socket) -> int:
    """Read and drop every datagram or byte waiting on a non-blocking socket; how many reads."""
    count = 0
    while True:
        try:
            sock.recv(64)
        except (BlockingIOError, InterruptedError):
            return count
        count += 1


def _remove_stale_socket(path: Path) -> None:
    """Remove a socket file left by a relay that did not close (never any other kind of file)."""
    with contextlib.suppress(FileNotFoundError):
        if stat.S_ISSOCK(path.lstat().st_mode):
            path.unlink()
