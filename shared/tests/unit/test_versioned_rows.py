"""The shared version guard and the UTC timestamp column, on a real SQLite database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import StatementError
from sqlmodel import Field, Session, SQLModel, create_engine

from kakehashi.shared.db import UTCDateTime
from kakehashi.shared.versioned import is_stale, upsert_versioned


class Row(SQLModel, table=True):
    __tablename__ = "versioned_row_test"

    key: str = Field(primary_key=True)
    status: str
    version: int
    at: datetime = Field(sa_type=UTCDateTime)


@pytest.fixture
def session() -> Session:
    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(engine, tables=[Row.__table__])  # type: ignore[attr-defined]
    return Session(engine)


AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_a_newer_version_writes_and_an_older_or_equal_one_does_not(session: Session) -> None:
    assert upsert_versioned(session, Row, "a", {"key": "a", "status": "x", "version": 2, "at": AT})
    assert upsert_versioned(session, Row, "a", {"status": "old", "version": 1}) is None
    assert upsert_versioned(session, Row, "a", {"status": "same", "version": 2}) is None
    assert upsert_versioned(session, Row, "a", {"status": "new", "version": 3}) is not None
    row = session.get(Row, "a")
    assert row is not None
    assert (row.status, row.version) == ("new", 3)
    assert is_stale(row, 3)
    assert not is_stale(row, 4)
    assert not is_stale(None, 1)


def test_without_insert_a_missing_row_stays_missing(session: Session) -> None:
    fields = {"key": "b", "status": "x", "version": 1, "at": AT}
    assert upsert_versioned(session, Row, "b", fields, insert=False) is None
    assert session.get(Row, "b") is None


def test_timestamps_come_back_aware_in_utc(session: Session) -> None:
    tokyo = timezone(timedelta(hours=9))
    session.add(Row(key="c", status="x", version=1, at=AT.astimezone(tokyo)))
    session.commit()
    session.expire_all()
    row = session.get(Row, "c")
    assert row is not None
    assert row.at == AT
    assert row.at.tzinfo is not None
    assert row.at.utcoffset() == timedelta(0)


def test_a_naive_timestamp_is_refused(session: Session) -> None:
    session.add(Row(key="d", status="x", version=1, at=datetime(2026, 1, 1)))
    with pytest.raises(StatementError, match="naive datetime"):
        session.commit()
