"""The console's demo sign-in: in development it signs with the development key that
`kakehashi dev` hands over; without that key, or outside development, there is none."""

from __future__ import annotations

from collections.abc import Callable

import jwt
import pytest
from fastapi.testclient import TestClient

from kakehashi.devtools.development_key import DEVELOPMENT_KEY_FILE
from kakehashi.matching.bootstrap import SPEC
from kakehashi.shared.jwks import DEVELOPMENT_KID

DEMO = {"role": "program_manager", "organisation_id": "pm-office"}


def test_in_development_the_demo_sign_in_signs_with_the_development_key(
    service_client: Callable[..., TestClient],
) -> None:
    client = service_client(
        SPEC, environment="development", auth_dev_signing_key_file=DEVELOPMENT_KEY_FILE
    )
    assert "demo-sign-in" in client.get("/console/sign-in").text
    signed_in = client.post("/console/demo-sign-in", data=DEMO, follow_redirects=False)
    assert signed_in.status_code == 303
    session = signed_in.cookies["kakehashi_session"]
    assert jwt.get_unverified_header(session)["kid"] == DEVELOPMENT_KID
    assert client.get("/console/orders", follow_redirects=False).status_code == 200


@pytest.mark.parametrize("environment", ["development", "test"])
def test_without_the_development_key_there_is_no_demo_sign_in(
    environment: str, service_client: Callable[..., TestClient]
) -> None:
    client = service_client(SPEC, environment=environment)
    assert "demo-sign-in" not in client.get("/console/sign-in").text
    assert client.post("/console/demo-sign-in", data=DEMO).status_code == 404
