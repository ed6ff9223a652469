"""The development key: its public half is the one shared trusts in development, and only there."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from kakehashi.devtools.cli import app
from kakehashi.devtools.development_key import development_key
from kakehashi.shared.auth import InvalidTokenError, Role, TokenVerifier
from kakehashi.shared.jwks import DEVELOPMENT_JWK
from kakehashi.shared.settings import ServiceSettings


def test_the_private_key_matches_the_public_jwk_services_trust() -> None:
    assert development_key().public_jwk() == dict(DEVELOPMENT_JWK)


def test_kakehashi_token_is_accepted_in_development_only() -> None:
    result = CliRunner().invoke(
        app, ["token", "--role", "employer", "--org", "emp-aichi-01", "--lang", "ja"]
    )
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    principal = TokenVerifier.from_settings(ServiceSettings(environment="development")).verify(
        token
    )
    assert (principal.role, principal.organisation_id, principal.language) == (
        Role.EMPLOYER,
        "emp-aichi-01",
        "ja",
    )
    for environment in ("test", "production"):
        settings = ServiceSettings(environment=environment, auth_jwks_url="http://127.0.0.1:9/")
        with pytest.raises(InvalidTokenError):
            TokenVerifier.from_settings(settings).verify(token)
