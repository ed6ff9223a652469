"""`db.insert_many`: a chunk of rows written in one go (COPY on PostgreSQL, one executemany on
SQLite), each value through its column type's bind processor."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import JSON, Column, Date, Integer, MetaData, String, Table, select
from sqlmodel import Session

from kakehashi.shared import db

pytestmark = pytest.mark.integration

metadata = MetaData()
WIDE = Table(
    "insert_many_wide",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(50)),
    Column("tags", JSON),
    Column("born", Date),
    Column("at", db.UTCDateTime()),
)
NARROW = Table("insert_many_narrow", metadata, Column("id", Integer, primary_key=True))


def test_each_column_s_values_are_written_through_its_type(database_url: str) -> None:
    """JSON, dates and aware timestamps come back as written, in every column and row, with
    NULLs and a one-column table."""
    engine = db.make_engine(database_url)
    metadata.create_all(engine)
    start = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    wide = [
        {
            "id": i,
            "name": f"Nguyễn {i}" if i % 3 else None,
            "tags": [] if i % 2 else [{"code": "welding", "level": i % 5}],
            "born": date(2000, 1, 1) + timedelta(days=i),
            "at": start + timedelta(seconds=i),
        }
        for i in range(1, 301)
    ]
    try:
        with Session(engine) as session:
            db.insert_many(session, WIDE, wide)
            db.insert_many(session, NARROW, [{"id": i} for i in range(1, 4)])
            db.insert_many(session, NARROW, [])
            session.commit()
        with engine.connect() as connection:
            read = [dict(row._mapping) for row in connection.execute(select(WIDE).order_by("id"))]
            narrow = connection.execute(select(NARROW.c.id).order_by("id")).scalars().all()
        assert read == wide
        assert narrow == [1, 2, 3]
    finally:
        metadata.drop_all(engine)
        engine.dispose()
