"""PostgreSQL connections: pinged only after sitting idle, and several tables' rows in one
statement."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Column,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    select,
    text,
)
from sqlalchemy.engine.default import CACHE_HIT, CACHE_MISS
from sqlalchemy.exc import IntegrityError

from kakehashi.shared import db
from kakehashi.shared.events import CANDIDATE_EVENTS, EventEnvelope
from kakehashi.shared.outbox import OutboxMessage
from kakehashi.shared.runtime import Runtime
from kakehashi.shared.settings import ServiceSettings

pytestmark = pytest.mark.integration


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_pooled_connection_that_died_while_idle_is_replaced_unseen(
    postgres_only: None, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = db.make_engine(database_url, pool_size=1, max_overflow=0)
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        dead = _backend_pid(engine)
        with admin.connect() as connection:  # a restart or an idle timeout, as the pool sees it
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dead})
        monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)
        assert _backend_pid(engine) != dead
    finally:
        engine.dispose()
        admin.dispose()


def test_a_connection_in_use_a_moment_ago_is_not_pinged(
    postgres_only: None, database_url: str
) -> None:
    engine = db.make_engine(database_url, pool_size=1, max_overflow=0)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    try:
        _backend_pid(engine)
        _backend_pid(engine)
        # The first checkout of a new connection pings nothing either: it was just opened.
        assert statements == ["SELECT pg_backend_pid()"] * 2
    finally:
        engine.dispose()


def test_rows_of_several_tables_go_in_one_statement_with_a_notification(
    postgres_only: None, database_url: str
) -> None:
    metadata = MetaData()
    parent = Table("parent", metadata, Column("id", String(8), primary_key=True))
    child = Table(
        "child",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("parent_id", ForeignKey("parent.id"), nullable=False),
    )
    engine = db.make_engine(database_url)
    listener = engine.raw_connection()
    try:
        metadata.create_all(engine)
        listener.driver_connection.autocommit = True  # type: ignore[union-attr]
        listener.cursor().execute("LISTEN together")
        writes = [(parent, [{"id": "p1"}, {"id": "p2"}]), (child, [{"parent_id": "p2"}])]
        with engine.begin() as connection:  # the child's key is checked against its sibling
            db.insert_together(connection, writes, notify="together")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM parent")).scalar_one() == 2
            assert connection.execute(text("SELECT parent_id FROM child")).scalar_one() == "p2"
        heard = list(listener.driver_connection.notifies(timeout=5, stop_after=1))  # type: ignore[union-attr]
        assert [n.channel for n in heard] == ["together"]
        with engine.begin() as connection, pytest.raises(IntegrityError):
            db.insert_together(connection, [(child, [{"parent_id": "nobody"}])], notify=None)
    finally:
        listener.close()
        engine.dispose()


def test_statements_of_one_shape_are_built_once_and_carry_each_calls_values(
    postgres_only: None, database_url: str
) -> None:
    metadata = MetaData()
    notes = Table(
        "notes",
        metadata,
        Column("id", String(8), primary_key=True),
        Column("body", JSON, nullable=False),
        Column("at", db.UTCDateTime, nullable=False),
    )
    engine = db.make_engine(database_url)
    try:
        metadata.create_all(engine)
        at = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
        first = [(notes, [{"id": "n1", "body": {"a": [1]}, "at": at}])]
        second = [(notes, [{"id": "n2", "body": {"b": 2}, "at": at}])]
        cache: list[object] = []

        def seen(*args: Any) -> None:  # conn, cursor, statement, parameters, context, many
            if str(args[2]).startswith("WITH"):
                cache.append(args[4].cache_hit)

        event.listen(engine, "after_cursor_execute", seen)
        with engine.begin() as connection:
            db.insert_together(connection, first, None)
            db.insert_together(connection, second, None)
        # A multi-row INSERT in a CTE has no cache key: the second was compiled again before.
        assert cache == [CACHE_MISS, CACHE_HIT]
        with engine.connect() as connection:
            rows = connection.execute(select(notes).order_by(notes.c.id)).all()
        assert [tuple(row) for row in rows] == [("n1", {"a": [1]}, at), ("n2", {"b": 2}, at)]
    finally:
        engine.dispose()


def test_a_long_statement_is_converted_for_the_driver_once(
    postgres_only: None, database_url: str
) -> None:
    # A registration's one statement is longer than psycopg caches by default (4 KiB, 50
    # parameters): its placeholders were rewritten on every request.
    from psycopg import _queries

    metadata = MetaData()
    wide = Table(
        "wide",
        metadata,
        Column("id", Integer, primary_key=True),
        *(Column(f"column_number_{n}", String(8)) for n in range(80)),
    )
    engine = db.make_engine(database_url)
    try:
        metadata.create_all(engine)

        def row(key: int) -> dict[str, Any]:
            return {"id": key} | {f"column_number_{n}": str(n) for n in range(80)}

        with engine.begin() as connection:
            db.insert_together(connection, [(wide, [row(1), row(2)])], None)
            converted = _queries._query2pg.cache_info()
            db.insert_together(connection, [(wide, [row(3), row(4)])], None)
            again = _queries._query2pg.cache_info()
        assert again.hits > converted.hits
        assert again.misses == converted.misses
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM wide")).scalar_one() == 4
    finally:
        engine.dispose()


def test_a_replayable_process_commits_without_waiting_unless_it_emits(
    postgres_only: None, database_url: str
) -> None:
    settings = ServiceSettings(database_url=database_url)
    runtime = Runtime.build(settings, Path("unused"), replayable=True)
    OutboxMessage.__table__.create(runtime.engine)  # type: ignore[attr-defined]
    show = text("SHOW synchronous_commit")
    try:
        with runtime.engine.connect() as connection:
            assert connection.execute(show).scalar_one() == "off"
        uow = runtime.uow()
        with uow:
            event = EventEnvelope.new(type="test.emitted", source="t", subject="s", data={})
            uow.emit(CANDIDATE_EVENTS, event)
            uow.session.flush()
            assert uow.session.execute(show).scalar_one() == "on"
            uow.commit()
        with runtime.engine.connect() as connection:  # SET LOCAL: that transaction only
            assert connection.execute(show).scalar_one() == "off"
    finally:
        runtime.engine.dispose()
    api = Runtime.build(settings, Path("unused"))
    try:
        with api.engine.connect() as connection:
            assert connection.execute(show).scalar_one() == "on"
    finally:
        api.engine.dispose()
