"""What the employers tests share: the callers they act as and the runtime behind the API."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from conftest import auth
from kakehashi.shared.runtime import Runtime

Body = dict[str, Any]
Headers = dict[str, str]

EMPLOYER = auth("employer", "emp-aichi")
OTHER_EMPLOYER = auth("employer", "emp-osaka")
MANAGER = auth("program_manager", "pm-office")
CENTRE = auth("training_centre", "tc-tay-ninh")


def runtime_of(client: TestClient) -> Runtime:
    """The runtime (engine, sessions) behind a service's TestClient."""
    assert isinstance(client.app, FastAPI)
    runtime: Runtime = client.app.state.runtime
    return runtime
