"""Fixtures of the identity tests: the API on a fresh database, mail caught in-process, and a
first admin signed in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import free_port
from kakehashi.identity.bootstrap import SPEC
from services.identity.tests.samples import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    KEY_ENCRYPTION_SECRET,
    Mailbox,
    create_admin,
    sign_in,
)


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """An SMTP server on a free port, in this process; tests read caught mail from it."""
    from aiosmtpd.controller import Controller

    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def make_client(
    service_client: Callable[..., TestClient], mailbox: Mailbox
) -> Callable[..., TestClient]:
    """The identity API with settings of the test's choosing (cheap argon2: tests sign in a lot)."""

    def build(**settings: Any) -> TestClient:
        values: dict[str, Any] = {
            "smtp_port": mailbox.port,
            "key_encryption_secret": KEY_ENCRYPTION_SECRET,
            "argon2_time_cost": 1,
            "argon2_memory_kib": 1024,
            "argon2_parallelism": 1,
            "public_url": "http://kakehashi.example",
        } | settings
        return service_client(SPEC, **values)

    return build


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


@pytest.fixture
def admin(client: TestClient) -> dict[str, str]:
    """The Authorization header of a first admin (made as `kakehashi-identity add-admin` does)."""
    create_admin(client)
    return sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)


class Clock:
    """The services' clock (`kakehashi.shared.clock.utcnow`) moved forward on request."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moved = Clock()
    monkeypatch.setattr("kakehashi.shared.clock.utcnow", moved.now)
    return moved
