"""Fixtures of the cross-service tests that run services in this process: the candidates API on
the test database and matching's runtime beside it, both on the test broker."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import Broker
from kakehashi.candidates.bootstrap import SPEC as CANDIDATES
from kakehashi.matching.bootstrap import SPEC as MATCHING
from kakehashi.matching.config import MatchingSettings
from kakehashi.shared.runtime import Runtime


@pytest.fixture
def candidates(service_client: Callable[..., TestClient], broker: Broker) -> TestClient:
    return service_client(CANDIDATES, kafka_bootstrap_servers=broker.bootstrap)


@pytest.fixture
def matching(tmp_path: Path, broker: Broker) -> Iterator[Runtime]:
    settings = MatchingSettings(
        database_url=f"sqlite:///{tmp_path / 'matching.db'}",
        environment="test",
        kafka_bootstrap_servers=broker.bootstrap,
    )
    runtime = Runtime.build(settings, MATCHING.migrations)
    runtime.migrate()
    yield runtime
    runtime.engine.dispose()
