"""Fixtures of the shared library's tests: a database with the plumbing tables."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import insert
from sqlmodel import SQLModel

from kakehashi.shared.applier import InboxEntry  # noqa: F401 - registers the inbox table
from kakehashi.shared.db import SessionFactory, make_engine, make_session_factory
from kakehashi.shared.outbox import LANES, OutboxLane
from kakehashi.shared.tracing import install, make_provider, uninstall


@pytest.fixture
def sessions(database_url: str) -> Iterator[SessionFactory]:
    """Sessions on a fresh database holding the outbox and inbox tables (and any test tables)."""
    engine = make_engine(database_url)
    # Every table registered so far: the plumbing ones plus any a test module defines.
    SQLModel.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(OutboxLane.__table__), [{"lane": n} for n in range(LANES)])  # type: ignore[attr-defined]
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """Tracing on for one test, its spans kept in memory as they end (tracing.py)."""
    exporter = InMemorySpanExporter()
    provider = make_provider("test", "test")
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    install(provider)
    try:
        yield exporter
    finally:
        uninstall()
