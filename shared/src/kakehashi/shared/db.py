"""Engines, sessions and migrations. SQLite is the embedded default; PostgreSQL when the URL says so."""

from __future__ import annotations

import contextlib
import fcntl
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    DateTime,
    Dialect,
    Engine,
    Table,
    bindparam,
    create_engine,
    event,
    func,
    text,
)
from sqlalchemy import insert as insert_into
from sqlalchemy import select as select_
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.engine.interfaces import BindTyping
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import sessionmaker
from sqlalchemy.sql.expression import TextClause
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session

SessionFactory = sessionmaker[Session]

# Any 64-bit number unique to "migrations" serialises concurrent migrators on PostgreSQL.
_MIGRATION_LOCK_KEY = 0x6B616B65_68617368


# SQLite's busy timeout: how long a writer waits for the file's write lock before failing.
SQLITE_BUSY_TIMEOUT_S = 30.0
# PostgreSQL connections per engine: as many as the thread pool that runs sync routes (40
# threads in Starlette's default) may use at once without queueing on the pool.
PG_POOL_SIZE = 20
PG_MAX_OVERFLOW = 20
# A pooled PostgreSQL connection idle longer than this is pinged before use (SELECT 1): one that
# was in use a moment ago is alive, and a ping per checkout was a tenth of a registration.
PING_AFTER_IDLE_S = 10.0
# psycopg converts a query's %(name)s placeholders to $n once and caches the result, but only
# for queries up to 4 KiB with at most 50 parameters. A registration's one statement
# (`insert_together`) is longer, so it was converted again on every request (6% of a
# registration's CPU under load, py-spy). The limits are module constants read at each call.
PSYCOPG_CACHED_STATEMENT_LENGTH = 64 * 1024
PSYCOPG_CACHED_STATEMENT_PARAMS = 1024


def make_engine(url: str, **overrides: Any) -> Engine:
    """An engine tuned for its backend: WAL, a busy timeout and one writer at a time per
    process on SQLite; on PostgreSQL a pool sized for the API's thread pool whose connections
    are pinged after sitting idle. `durable_outbox=True` (with `synchronous_commit=off` in
    `connect_args`): transactions that write outbox rows still wait for the WAL flush."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # PostgreSQL's commit options mean nothing here.
        overrides.pop("connect_args", None)
        overrides.pop("durable_outbox", None)
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        connect_args = {
            "check_same_thread": False,
            "timeout": SQLITE_BUSY_TIMEOUT_S,
            "factory": OneWriterConnection,
        }
        engine = create_engine(url, connect_args=connect_args, **overrides)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "before_cursor_execute", _take_the_write_lock)
        return engine
    durable_outbox = overrides.pop("durable_outbox", False)
    _cache_long_statements()
    options: dict[str, Any] = {"pool_size": PG_POOL_SIZE, "max_overflow": PG_MAX_OVERFLOW}
    options.update(overrides)
    engine = create_engine(url, **options)
    if durable_outbox:
        event.listen(engine, "before_cursor_execute", _wait_for_flush_when_emitting)
    if not options.get("pool_pre_ping"):
        event.listen(engine, "checkout", _ping_if_idle(engine.dialect))
        event.listen(engine, "checkin", _note_checkin)
    return engine


def _cache_long_statements() -> None:
    from psycopg import _queries  # its constants have no public setter

    _queries.MAX_CACHED_STATEMENT_LENGTH = max(
        _queries.MAX_CACHED_STATEMENT_LENGTH, PSYCOPG_CACHED_STATEMENT_LENGTH
    )
    _queries.MAX_CACHED_STATEMENT_PARAMS = max(
        _queries.MAX_CACHED_STATEMENT_PARAMS, PSYCOPG_CACHED_STATEMENT_PARAMS
    )


_CHECKED_IN_AT = "kakehashi.checked_in_at"
_OUTBOX_INSERT = re.compile(r'\s*INSERT\s+INTO\s+"?outbox"?[\s(]', re.IGNORECASE)


def _wait_for_flush_when_emitting(
    connection: Connection, cursor: Any, statement: str, *_args: Any
) -> None:
    """On a connection that commits without waiting for the WAL flush, a transaction that
    writes outbox rows waits after all (`SET LOCAL`: this transaction only)."""
    if _OUTBOX_INSERT.match(statement):
        cursor.connection.execute("SET LOCAL synchronous_commit = on")


def _ping_if_idle(dialect: Dialect) -> Any:
    """Pessimistic disconnect handling (SQLAlchemy's pre-ping), for connections idle a while:
    a dead one is replaced by the pool before the caller sees it (a PostgreSQL restart, an idle
    timeout in between)."""

    def ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(_CHECKED_IN_AT)
        if returned is not None and time.monotonic() - returned < PING_AFTER_IDLE_S:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError("the pooled connection did not answer") from error
        if not alive:
            raise DisconnectionError("the pooled connection did not answer")

    return ping


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info[_CHECKED_IN_AT] = time.monotonic()


def insert_together(
    executor: Session | Connection,
    writes: list[tuple[Table, list[dict[str, Any]]]],
    notify: str | None,
) -> None:
    """PostgreSQL: insert the rows of several tables by one statement, one data-modifying CTE
    per table, and signal `notify`'s channel in it (delivered on commit): one round trip
    where an INSERT per table and a NOTIFY took one each. Foreign keys between the tables are
    checked at the end of the statement, so a child may reference a parent inserted beside it.

    SQLAlchemy cannot cache a multi-row INSERT in a CTE, so it compiled one on every request (a
    seventh of a registration's time in its worker under load, py-spy). The statement is
    compiled here once per shape (tables, and the columns of each row) into typed textual SQL,
    which it caches; this call's values go beside it as execution parameters (binding them
    into the clause copied the whole clause: a tenth of a registration's CPU, py-spy)."""
    given = [(table, rows) for table, rows in writes if rows]
    shape = tuple((table, tuple(tuple(row) for row in rows)) for table, rows in given)
    values = {
        _parameter(n, r, key): value
        for n, (_, rows) in enumerate(given)
        for r, row in enumerate(rows)
        for key, value in row.items()
    }
    executor.execute(_together(shape, notify), values)


def insert_many(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert many rows of column values (every row naming the same columns) in the session's
    transaction: PostgreSQL's COPY, else one executemany of a plain INSERT.

    Each value goes through its column type's bind processor, as in any SQLAlchemy insert;
    what is skipped is the per-row work SQLAlchemy's own executemany adds around it (a sixth
    of a 100k-row import's CPU, py-spy), and on PostgreSQL the per-row INSERT.
    """
    if not rows:
        return
    connection = session.connection()
    names = tuple(rows[0])
    # Column by column: each column's values are gathered, and the rows regrouped, by C loops
    # (map, zip); only the columns with a bind processor pass through one, value by value.
    by_column = [list(map(itemgetter(name), rows)) for name in names]
    for i, process in enumerate(_bind_processors(table, names, connection.dialect)):
        if process is not None:
            by_column[i] = list(map(process, by_column[i]))
    values = list(zip(*by_column, strict=True))
    quote = connection.dialect.identifier_preparer.quote
    columns = ", ".join(quote(name) for name in names)
    target = connection.dialect.identifier_preparer.format_table(table)
    if is_postgres(connection):
        raw = connection.connection.driver_connection
        assert raw is not None  # a connection in a transaction holds its driver's
        with raw.cursor() as cursor, cursor.copy(f"COPY {target} ({columns}) FROM STDIN") as copy:
            for row_values in values:
                copy.write_row(row_values)
        return
    marks = ", ".join("?" for _ in names)  # SQLite's parameter style
    # The table's and columns' names are the model's own, quoted; the values are parameters.
    statement = f"INSERT INTO {target} ({columns}) VALUES ({marks})"  # noqa: S608
    connection.exec_driver_sql(statement, values)


@lru_cache(maxsize=64)
def _bind_processors(
    table: Table, names: tuple[str, ...], dialect: Dialect
) -> list[Callable[[Any], Any] | None]:
    return [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]


def _parameter(table: int, row: int, key: str) -> str:
    return f"v{table}_{row}_{key}"


@lru_cache(maxsize=256)
def _together(
    shape: tuple[tuple[Table, tuple[tuple[str, ...], ...]], ...], notify: str | None
) -> TextClause:
    ctes = [
        insert_into(table)
        .values(
            [
                {key: bindparam(_parameter(n, r, key), type_=table.c[key].type) for key in keys}
                for r, keys in enumerate(rows)
            ]
        )
        .cte(f"insert_{n}")
        for n, (table, rows) in enumerate(shape)
    ]
    answer = func.pg_notify(notify, "") if notify else func.now()
    compiled = select_(answer).add_cte(*ctes).compile(dialect=_uncast_postgres_dialect())
    # psycopg's %(name)s to SQLAlchemy's :name, literal percent signs unescaped; the engine
    # renders each parameter's cast when it compiles the text.
    sql = re.sub(r"%\((\w+)\)s", r":\1", compiled.string).replace("%%", "%")
    binds = [
        bindparam(name, bound.value, type_=bound.type)
        for bound, name in compiled.bind_names.items()
    ]
    return text(sql).bindparams(*binds)


@lru_cache(maxsize=1)
def _uncast_postgres_dialect() -> Dialect:
    dialect: Dialect = PGDialect_psycopg()  # type: ignore[no-untyped-call]
    dialect.bind_typing = BindTyping.NONE
    return dialect


_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
_WRITE_LOCKS: dict[str, threading.Lock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


def _write_lock(database: str) -> threading.Lock:
    with _WRITE_LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(database, threading.Lock())


class OneWriterConnection(sqlite3.Connection):
    """A SQLite connection that takes its process's write lock for the file before its first
    write of a transaction and lets it go when the transaction ends.

    SQLite lets one transaction write at a time. Without this, concurrent requests of one API
    process collide on the file lock and each loser sleeps in SQLite's busy handler, whose
    naps grow to 100 ms however soon the lock is free again. Waiting on a Python lock instead
    hands the file to the next writer the moment the previous one commits: with 16 threads
    registering, p99 went from seconds to about one, for a higher median (docs/operations.md,
    "Scaling the write path"). Other processes (the relay, the consumer) still meet the busy
    timeout as before.
    """

    writer_lock: threading.Lock | None = None
    holds_writer_lock = False

    def take_writer_lock(self) -> None:
        lock = self.writer_lock
        if lock is None or self.holds_writer_lock:
            return
        if not lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_S):
            raise sqlite3.OperationalError("database is locked (another writer of this process)")
        self.holds_writer_lock = True

    def _let_go(self) -> None:
        if self.holds_writer_lock and self.writer_lock is not None:
            self.holds_writer_lock = False
            self.writer_lock.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._let_go()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._let_go()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._let_go()


def _take_the_write_lock(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    raw = connection.connection.dbapi_connection
    if isinstance(raw, OneWriterConnection) and _WRITE.match(statement):
        raw.take_writer_lock()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, OneWriterConnection):
        database = dbapi_connection.execute("PRAGMA database_list").fetchone()[2]
        # A file's writers share one lock; each in-memory database (no file name) is its own.
        dbapi_connection.writer_lock = _write_lock(database) if database else threading.Lock()
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_session_factory(engine: Engine) -> SessionFactory:
    return sessionmaker(bind=engine, class_=Session, expire_on_commit=False)


def is_postgres(bind: Engine | Connection) -> bool:
    return bind.dialect.name == "postgresql"


def ping(engine: Engine) -> None:
    """Raise if the database cannot answer a trivial query."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


@contextlib.contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """Let one process at a time migrate: an advisory lock on PostgreSQL, a file lock on SQLite."""
    if is_postgres(engine):
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK_KEY}
                )
                connection.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate.lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def migrate(engine: Engine, script_location: Path) -> None:
    """Bring the service's database to the newest Alembic revision; safe to call from every process."""
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    with _migration_lock(engine), engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def run_alembic_env() -> None:
    """The body of every service's migrations/env.py: run online against the given connection."""
    from alembic import context

    connection = context.config.attributes.get("connection")
    if connection is None:
        url = context.config.get_main_option("sqlalchemy.url")
        assert url, "sqlalchemy.url is required to migrate without a connection"
        with make_engine(url).begin() as own_connection:
            context.configure(connection=own_connection)
            with context.begin_transaction():
                context.run_migrations()
        return
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp column that is always an aware UTC datetime, on SQLite as on PostgreSQL.

    SQLite keeps no zone and hands back naive values; every instant we store is UTC, so the zone is
    put back on read. A naive value written is refused: it would be ambiguous.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a naive datetime cannot be stored: give it a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
