"""What the candidates tests share: the callers they act as, the sharing consent, the runtime."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from conftest import auth
from kakehashi.shared.runtime import Runtime

Body = dict[str, Any]
Headers = dict[str, str]

CENTRE = auth("training_centre", "tc-tay-ninh")
OTHER_CENTRE = auth("training_centre", "tc-nghe-an")
MANAGER = auth("program_manager", "pm-office")
ADMIN = auth("admin", "ops")
EMPLOYER = auth("employer", "emp-aichi")

# The consent that publishes a candidate to matching.
SHARING: Body = {
    "purpose": "matching_in_japan",
    "scope": "share_with_employers_in_japan",
    "notice_version": "2026-01",
    "language": "vi",
}


def runtime_of(client: TestClient) -> Runtime:
    """The runtime (engine, sessions) behind a service's TestClient."""
    assert isinstance(client.app, FastAPI)
    runtime: Runtime = client.app.state.runtime
    return runtime
