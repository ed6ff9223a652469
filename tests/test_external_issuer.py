"""Any OpenID provider can replace identity by configuration alone: a second, independently
configured issuer (RS256, Keycloak-shaped claims, discovery + JWKS over HTTP) stands in for
Keycloak, and each service, configured for it, takes its tokens and refuses everyone else's."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import auth
from kakehashi.candidates.bootstrap import SPEC as CANDIDATES
from kakehashi.devtools.development_key import development_token
from kakehashi.employers.bootstrap import SPEC as EMPLOYERS
from kakehashi.matching.bootstrap import SPEC as MATCHING
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.runtime import ServiceSpec
from kakehashi.shared.signing import SigningKey
from tests.oidc_issuer import FakeIssuer, fake_issuer

# What docs/security.md tells an operator to set for a Keycloak realm.
KEYCLOAK_SETTINGS = {
    "auth_audience": "kakehashi",
    "auth_algorithms": ["RS256"],
    "auth_role_claim": "realm_access.roles",
    "auth_organisation_claim": "org",
    "auth_language_claim": "locale",
    "auth_jwks_file": None,  # fetched from the issuer, found through its discovery document
}
LISTINGS = {"candidates": "/candidates", "employers": "/job-orders", "matching": "/job-orders"}


@pytest.fixture(scope="module")
def keycloak() -> Iterator[tuple[FakeIssuer, SigningKey]]:
    with fake_issuer("/realms/kakehashi") as issuer:
        key = SigningKey.generate(f"kc-{uuid.uuid4().hex[:8]}", "RS256")
        issuer.published = [key]
        yield issuer, key


def keycloak_token(issuer: FakeIssuer, key: SigningKey, **changed: Any) -> str:
    """An access token as Keycloak shapes it, with an audience mapper and an `org` attribute."""
    now = int(time.time())
    claims = {
        "exp": now + 300,
        "iat": now,
        "jti": str(uuid.uuid4()),
        "aud": ["kakehashi", "account"],
        "sub": "5c1e8e9a-8f7e-4c9b-9d55-0b5b1c1f2a10",
        "typ": "Bearer",
        "azp": "kakehashi-console",
        "realm_access": {"roles": ["default-roles-kakehashi", "offline_access", "program_manager"]},
        "resource_access": {"account": {"roles": ["manage-account"]}},
        "scope": "openid profile email",
        "org": "pm-tay-ninh",
        "locale": "vi",
        "preferred_username": "lan.nguyen",
    }
    return issuer.sign(key, claims | changed)


@pytest.mark.parametrize("spec", [CANDIDATES, EMPLOYERS, MATCHING], ids=lambda s: s.name)
def test_a_service_configured_for_another_issuer_takes_its_tokens_and_only_those(
    spec: ServiceSpec,
    keycloak: tuple[FakeIssuer, SigningKey],
    service_client: Callable[..., TestClient],
) -> None:
    issuer, key = keycloak
    client = service_client(
        spec, environment="production", auth_issuer=issuer.url, **KEYCLOAK_SETTINGS
    )
    path = LISTINGS[spec.name]

    def status(token: str) -> int:
        status_code: int = client.get(
            path, headers={"Authorization": f"Bearer {token}"}
        ).status_code
        return status_code

    assert status(keycloak_token(issuer, key)) == 200
    # Mapped claims decide: no Kakehashi realm role is 401, a role not admitted is 403.
    assert status(keycloak_token(issuer, key, realm_access={"roles": ["offline_access"]})) == 401
    assert status(keycloak_token(issuer, key, org=None)) == 401
    centre = (
        {"roles": ["training_centre"]} if spec.name != "candidates" else {"roles": ["employer"]}
    )
    assert status(keycloak_token(issuer, key, realm_access=centre)) == 403
    # Tokens of the test issuer and the development key are not this service's any more.
    assert client.get(path, headers=auth("program_manager", "pm-office")).status_code == 401
    dev = Principal(subject="dev", role=Role.PROGRAM_MANAGER, organisation_id="pm")
    assert status(development_token(dev)) == 401
    assert status(development_token(dev, issuer=issuer.url)) == 401
    # Its tokens for another audience, or signed by a key it does not publish, are refused.
    assert status(keycloak_token(issuer, key, aud="account")) == 401
    assert status(keycloak_token(issuer, SigningKey.generate(key.kid, "RS256"))) == 401
