"""One writer at a time per process on a SQLite file, handed over the moment it commits."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from kakehashi.shared.db import OneWriterConnection, make_engine

pytestmark = pytest.mark.integration


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'writers.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)"))
    yield engine
    engine.dispose()


def _count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM note")).scalar_one())


def test_a_second_writer_waits_for_the_first_to_commit(engine: Engine) -> None:
    first = engine.connect()
    first.execute(text("INSERT INTO note (body) VALUES ('first')"))  # holds the write lock
    done = threading.Event()

    def second_writer() -> None:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO note (body) VALUES ('second')"))
        done.set()

    writer = threading.Thread(target=second_writer)
    writer.start()
    assert not done.wait(0.5), "the second writer wrote while the first held the file"
    assert _count(engine) == 0, "a reader is not blocked, and sees nothing uncommitted"
    first.commit()
    assert done.wait(5), "the second writer did not go once the first committed"
    writer.join()
    first.close()
    assert _count(engine) == 2


@pytest.mark.parametrize("end", ["rollback", "close"])
def test_a_writer_that_gives_up_lets_the_next_one_write(engine: Engine, end: str) -> None:
    first = engine.connect()
    first.execute(text("INSERT INTO note (body) VALUES ('abandoned')"))
    first.rollback() if end == "rollback" else first.close()
    raw = engine.raw_connection()
    try:
        sqlite = raw.dbapi_connection
        assert isinstance(sqlite, OneWriterConnection)
        assert sqlite.writer_lock is not None
        assert sqlite.writer_lock.acquire(timeout=1), "the lock was kept after " + end
        sqlite.writer_lock.release()
    finally:
        raw.close()
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO note (body) VALUES ('next')"))
    assert _count(engine) == 1


def test_many_concurrent_writers_all_commit(engine: Engine) -> None:
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for k in range(20):
                with engine.begin() as connection:
                    connection.execute(
                        text("INSERT INTO note (body) VALUES (:body)"), {"body": f"{n}-{k}"}
                    )
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    writers = [threading.Thread(target=write, args=(n,)) for n in range(16)]
    began = time.monotonic()
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert errors == []
    assert _count(engine) == 16 * 20
    # Generous even on a busy machine; colliding in SQLite's busy handler took several seconds.
    assert time.monotonic() - began < 30


def test_writers_of_different_files_do_not_wait_for_each_other(tmp_path: Path) -> None:
    one = make_engine(f"sqlite:///{tmp_path / 'one.db'}")
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        for engine in (one, other):
            with engine.begin() as connection:
                connection.execute(text("CREATE TABLE note (id INTEGER PRIMARY KEY)"))
        holding = one.connect()
        holding.execute(text("INSERT INTO note DEFAULT VALUES"))
        with other.begin() as connection:  # would wait 30 s if the lock were shared
            connection.execute(text("INSERT INTO note DEFAULT VALUES"))
        holding.rollback()
        holding.close()
    finally:
        one.dispose()
        other.dispose()
