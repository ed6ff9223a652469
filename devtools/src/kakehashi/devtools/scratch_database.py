"""A throwaway PostgreSQL database for a test or a benchmark: created on a server, dropped after."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable, Iterator

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url


@contextlib.contextmanager
def scratch_database(server_url: str, prefix: str) -> Iterator[URL]:
    """A new, empty database on the PostgreSQL server `server_url` (any database of it names
    the server), named `prefix` and a random suffix; dropped on exit, even with sessions still
    open on it. Yields its URL (render it with `render_as_string(hide_password=False)`)."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server_url).set(database=name)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextlib.contextmanager
def scratch_databases(
    server_url: str, prefix: str, services: Iterable[str]
) -> Iterator[dict[str, str]]:
    """A `scratch_database` per service, named `<prefix>_<service>`; yields each one's URL as
    text (password included) by service, and drops them all on exit."""
    with contextlib.ExitStack() as stack:
        yield {
            service: stack.enter_context(
                scratch_database(server_url, f"{prefix}_{service}")
            ).render_as_string(hide_password=False)
            for service in services
        }
