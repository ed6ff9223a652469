"""Keys fetched from an issuer: discovery, caching, refresh on an unknown kid (bounded), and
rotation, against a real HTTP server standing in for the issuer."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import free_port
from kakehashi.shared.auth import (
    InvalidTokenError,
    Role,
    TokenKeysUnavailableError,
    TokenVerifier,
)
from kakehashi.shared.jwks import RemoteKeys
from kakehashi.shared.signing import SigningKey
from tests.oidc_issuer import FakeIssuer, fake_issuer, sign


@pytest.fixture
def issuer() -> Iterator[FakeIssuer]:
    with fake_issuer() as running:
        yield running


def claims(**extra: Any) -> dict[str, Any]:
    now = int(time.time())
    return (
        {"aud": "kakehashi", "sub": "u1", "iat": now, "exp": now + 300, "org": "o1"}
        | {"role": "employer"}
        | extra
    )


def verifier(issuer: FakeIssuer, **remote: Any) -> TokenVerifier:
    keys = RemoteKeys(issuer=issuer.url, **remote)
    return TokenVerifier(issuer=issuer.url, audience="kakehashi", keys=keys)


def test_the_jwks_is_discovered_from_the_issuer_and_cached(issuer: FakeIssuer) -> None:
    key = SigningKey.generate("rsa-1", "RS256")
    issuer.published = [key]
    check = verifier(issuer)
    for _ in range(20):
        assert check.verify(issuer.sign(key, claims())).role is Role.EMPLOYER
    assert issuer.jwks_fetches == 1


def test_a_configured_jwks_url_needs_no_discovery(issuer: FakeIssuer) -> None:
    key = SigningKey.generate("ed-1")
    issuer.published = [key]
    check = verifier(issuer, jwks_url=issuer.jwks_url)
    assert check.verify(issuer.sign(key, claims())).organisation_id == "o1"


def test_discovery_naming_another_issuer_is_not_trusted(issuer: FakeIssuer) -> None:
    key = SigningKey.generate("rsa-1", "RS256")
    issuer.published = [key]
    issuer.claimed_issuer = "https://impostor.invalid"
    with pytest.raises(TokenKeysUnavailableError, match="another issuer"):
        verifier(issuer).verify(issuer.sign(key, claims()))
    assert issuer.jwks_fetches == 0


def test_an_unreachable_issuer_is_unavailable_not_invalid() -> None:
    url = f"http://127.0.0.1:{free_port()}/realms/gone"
    check = TokenVerifier(issuer=url, audience="kakehashi", keys=RemoteKeys(issuer=url))
    with pytest.raises(TokenKeysUnavailableError):
        check.verify(sign(SigningKey.generate("k"), claims(iss=url)))


def test_rotation_both_keys_verify_a_new_one_is_fetched_a_retired_one_stops(
    issuer: FakeIssuer,
) -> None:
    active, retiring, next_key = (SigningKey.generate(f"key-{n}") for n in (1, 2, 3))
    issuer.published = [active, retiring]
    check = verifier(issuer, lifespan_s=0.3, cooldown_s=0)
    assert check.verify(issuer.sign(active, claims()))
    assert check.verify(issuer.sign(retiring, claims()))
    # A new key appears: its unknown kid triggers one refetch.
    issuer.published = [next_key, active]
    assert check.verify(issuer.sign(next_key, claims()))
    assert issuer.jwks_fetches == 2
    # The retiring key is withdrawn: refused once the cached set has expired and been refetched.
    time.sleep(0.4)
    with pytest.raises(InvalidTokenError, match="not published"):
        check.verify(issuer.sign(retiring, claims()))
    assert check.verify(issuer.sign(active, claims()))


def test_unknown_kids_cannot_make_the_service_hammer_the_issuer(issuer: FakeIssuer) -> None:
    key = SigningKey.generate("real")
    issuer.published = [key]
    check = verifier(issuer, cooldown_s=30)
    assert check.verify(issuer.sign(key, claims()))
    for n in range(25):
        with pytest.raises(InvalidTokenError):
            check.verify(issuer.sign(SigningKey.generate(f"made-up-{n}"), claims()))
    assert issuer.jwks_fetches == 1


def test_a_jwks_url_that_answers_404_is_unavailable_not_invalid(issuer: FakeIssuer) -> None:
    check = verifier(issuer, jwks_url=issuer.url + "/no-such-path")
    with pytest.raises(TokenKeysUnavailableError):
        check.verify(issuer.sign(SigningKey.generate("k"), claims()))
