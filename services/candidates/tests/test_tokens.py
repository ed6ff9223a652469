"""Candidates verifies every caller's token against the issuer's keys: each bad token is 401."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from conftest import auth, refused_tokens
from kakehashi.candidates.bootstrap import SPEC


def test_every_bad_token_is_401_and_a_good_one_passes(
    service_client: Callable[..., TestClient],
) -> None:
    client = service_client(SPEC)
    statuses = {
        reason: client.get("/candidates", headers={"Authorization": f"Bearer {token}"}).status_code
        for reason, token in refused_tokens("program_manager", "pm-office").items()
    }
    assert statuses == dict.fromkeys(statuses, 401)
    assert (
        client.get("/candidates", headers=auth("program_manager", "pm-office")).status_code == 200
    )
