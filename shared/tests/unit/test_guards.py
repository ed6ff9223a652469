"""The FastAPI guards: 401 with a Bearer challenge, 403 for a role not admitted, 503 when the
issuer's keys cannot be fetched."""

from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from conftest import TEST_ISSUER, TEST_KEY, auth, free_port, refused_tokens
from kakehashi.shared.auth import Principal, Role, TokenVerifier
from kakehashi.shared.guards import require_roles
from kakehashi.shared.jwks import RemoteKeys, StaticKeys
from kakehashi.shared.signing import jwks


def app_with(verifier: TokenVerifier) -> TestClient:
    app = FastAPI()
    app.state.token_verifier = verifier

    @app.get("/managed")
    def managed(
        principal: Annotated[Principal, Depends(require_roles(Role.PROGRAM_MANAGER))],
    ) -> str:
        return principal.organisation_id

    return TestClient(app)


@pytest.fixture
def client() -> TestClient:
    keys = StaticKeys.from_document(jwks(TEST_KEY))
    return app_with(TokenVerifier(issuer=TEST_ISSUER, audience="kakehashi", keys=keys))


def test_no_token_is_401_with_a_bearer_challenge(client: TestClient) -> None:
    response = client.get("/managed")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("reason", sorted(refused_tokens("program_manager", "pm-office")))
def test_every_bad_token_is_401(client: TestClient, reason: str) -> None:
    token = refused_tokens("program_manager", "pm-office")[reason]
    response = client.get("/managed", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json() == {"detail": "a valid bearer token is required"}  # says no more


def test_the_wrong_role_is_403(client: TestClient) -> None:
    response = client.get("/managed", headers=auth("employer", "emp-1"))
    assert response.status_code == 403
    assert "employer" in response.json()["detail"]


def test_the_right_role_passes_with_its_organisation(client: TestClient) -> None:
    response = client.get("/managed", headers=auth("program_manager", "pm-office"))
    assert response.status_code == 200
    assert response.json() == "pm-office"


def test_an_unreachable_issuer_is_503_not_401() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    verifier = TokenVerifier(issuer=url, audience="kakehashi", keys=RemoteKeys(issuer=url))
    response = app_with(verifier).get("/managed", headers=auth("program_manager", "pm"))
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
