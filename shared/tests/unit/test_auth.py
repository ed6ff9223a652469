from datetime import timedelta
from typing import Annotated

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from kakehashi.shared.auth import (
    InvalidTokenError,
    Principal,
    Role,
    decode_token,
    mint_token,
)
from kakehashi.shared.guards import require_roles
from kakehashi.shared.settings import ServiceSettings
from kakehashi.shared.web import settings_of

SECRET = "t" * 40
PM = Principal(subject="u1", role=Role.PROGRAM_MANAGER, organisation_id="pm-office")


def test_a_minted_token_decodes_to_the_same_principal() -> None:
    assert decode_token(mint_token(PM, SECRET), SECRET) == PM


@pytest.mark.parametrize(
    "token",
    [
        mint_token(PM, "x" * 40),  # signed with another secret
        mint_token(PM, SECRET, ttl=timedelta(seconds=-5)),  # expired
        "not-a-jwt",
    ],
)
def test_bad_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidTokenError):
        decode_token(token, SECRET)


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()
    settings = ServiceSettings(environment="test", jwt_secret=SECRET)
    app.dependency_overrides[settings_of] = lambda: settings

    @app.get("/managed")
    def managed(
        principal: Annotated[Principal, Depends(require_roles(Role.PROGRAM_MANAGER))],
    ) -> str:
        return principal.organisation_id

    return TestClient(app)


def _auth(principal: Principal, secret: str = SECRET) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(principal, secret)}"}


def test_no_token_is_401_with_a_bearer_challenge(client: TestClient) -> None:
    response = client.get("/managed")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_forged_token_is_401(client: TestClient) -> None:
    assert client.get("/managed", headers=_auth(PM, "f" * 40)).status_code == 401


def test_the_wrong_role_is_403(client: TestClient) -> None:
    employer = Principal(subject="u2", role=Role.EMPLOYER, organisation_id="emp-1")
    response = client.get("/managed", headers=_auth(employer))
    assert response.status_code == 403
    assert "employer" in response.json()["detail"]


def test_the_right_role_passes_with_its_organisation(client: TestClient) -> None:
    response = client.get("/managed", headers=_auth(PM))
    assert response.status_code == 200
    assert response.json() == "pm-office"
