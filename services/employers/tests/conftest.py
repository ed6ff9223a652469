"""Fixtures of the employers tests: the API on a fresh database, its event applier."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from conftest import event_applier
from kakehashi.employers.bootstrap import SPEC
from kakehashi.shared.applier import EventApplier


@pytest.fixture
def client(service_client: Callable[..., TestClient]) -> TestClient:
    """The employers API on a fresh, migrated database (no broker: events wait in the outbox)."""
    return service_client(SPEC)


@pytest.fixture
def consumer(client: TestClient) -> EventApplier:
    """The service's own event applier, to hand it events as its consumer would."""
    return event_applier(client, SPEC)
