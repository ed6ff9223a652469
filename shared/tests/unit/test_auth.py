"""Verifying access tokens: the contract's checks, the refused tokens, the claim mapping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from conftest import TEST_ISSUER, TEST_KEY, TEST_TOKEN_TTL, refused_tokens, token_for
from kakehashi.shared.auth import (
    ClaimMapping,
    InvalidTokenError,
    Principal,
    Role,
    TokenVerifier,
    claim_at,
)
from kakehashi.shared.jwks import StaticKeys
from kakehashi.shared.signing import SigningKey, issue_token, jwks


def verifier(*keys: SigningKey, **options: Any) -> TokenVerifier:
    return TokenVerifier(
        issuer=TEST_ISSUER,
        audience="kakehashi",
        keys=StaticKeys.from_document(jwks(*(keys or (TEST_KEY,)))),
        **options,
    )


def test_a_token_of_the_contract_verifies_to_its_principal() -> None:
    principal = verifier().verify(token_for("employer", "emp-aichi-01", language="ja"))
    assert principal == Principal(
        subject="user@emp-aichi-01",
        role=Role.EMPLOYER,
        organisation_id="emp-aichi-01",
        language="ja",
    )


def test_the_token_carries_every_claim_of_the_contract() -> None:
    token = token_for("employer", "emp-1", language="vi")
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header["alg"] == "EdDSA"
    assert header["kid"] == TEST_KEY.kid
    assert set(claims) == {"iss", "aud", "sub", "iat", "nbf", "exp", "jti", "org", "role", "lang"}
    assert claims["aud"] == "kakehashi"
    assert claims["exp"] - claims["iat"] == TEST_TOKEN_TTL.total_seconds()  # the suite's own
    issued = jwt.decode(
        issue_token(
            TEST_KEY,
            Principal(subject="u", role=Role.EMPLOYER, organisation_id="emp-1"),
            issuer=TEST_ISSUER,
        ),
        options={"verify_signature": False},
    )
    assert issued["exp"] - issued["iat"] == 15 * 60  # what an issuer gives by default


@pytest.mark.parametrize("reason", sorted(refused_tokens("program_manager", "pm-office")))
def test_bad_tokens_are_refused(reason: str) -> None:
    token = refused_tokens("program_manager", "pm-office")[reason]
    with pytest.raises(InvalidTokenError):
        verifier().verify(token)


@pytest.mark.parametrize("algorithm", ["RS256", "ES256"])
def test_rsa_and_ec_keys_verify_when_allowed_and_are_refused_when_not(algorithm: str) -> None:
    key = SigningKey.generate(f"k-{algorithm}", algorithm)
    principal = Principal(subject="s", role=Role.ADMIN, organisation_id="ops")
    token = issue_token(key, principal, issuer=TEST_ISSUER)
    assert verifier(key).verify(token) == principal
    with pytest.raises(InvalidTokenError, match="not accepted"):
        verifier(key, algorithms=["EdDSA"]).verify(token)


def test_a_token_whose_alg_differs_from_its_keys_is_refused() -> None:
    # An RS256 key published under the kid, a token claiming ES256 for it.
    rsa = SigningKey.generate("shared-kid", "RS256")
    ec = SigningKey.generate("shared-kid", "ES256")
    principal = Principal(subject="s", role=Role.ADMIN, organisation_id="ops")
    with pytest.raises(InvalidTokenError):
        verifier(rsa).verify(issue_token(ec, principal, issuer=TEST_ISSUER))


@pytest.mark.parametrize("unsafe", [["HS256"], ["none"], ["EdDSA", "HS512"], []])
def test_a_verifier_cannot_be_built_for_symmetric_or_no_signatures(unsafe: list[str]) -> None:
    with pytest.raises(ValueError, match="only EdDSA"):
        verifier(algorithms=unsafe)


def test_a_symmetric_key_in_the_jwks_is_not_used() -> None:
    claims = jwt.decode(token_for("admin", "ops"), options={"verify_signature": False})
    secret = "s" * 64
    oct_jwk = {
        "kty": "oct",
        "kid": "hmac",
        "k": jwt.utils.base64url_encode(secret.encode()).decode(),
    }
    keys = StaticKeys.from_document({"keys": [oct_jwk]})
    token = jwt.encode(claims, secret, algorithm="HS256", headers={"kid": "hmac"})
    with pytest.raises(InvalidTokenError):
        TokenVerifier(issuer=TEST_ISSUER, audience="kakehashi", keys=keys).verify(token)


def test_leeway_admits_a_token_just_expired_but_not_one_long_expired() -> None:
    principal = Principal(subject="s", role=Role.ADMIN, organisation_id="ops")
    just = datetime.now(UTC) - timedelta(minutes=15, seconds=10)
    assert verifier().verify(issue_token(TEST_KEY, principal, issuer=TEST_ISSUER, now=just))
    with pytest.raises(InvalidTokenError, match="expired"):
        verifier(leeway_s=0).verify(issue_token(TEST_KEY, principal, issuer=TEST_ISSUER, now=just))


def test_an_oversized_token_is_refused_before_parsing() -> None:
    with pytest.raises(InvalidTokenError, match="too long"):
        verifier().verify("a" * 10_000)


KEYCLOAK_CLAIMS: dict[str, Any] = {
    "sub": "f2c6…",
    "realm_access": {"roles": ["offline_access", "employer", "default-roles-kakehashi"]},
    "resource_access": {"kakehashi": {"roles": ["program_manager"]}},
    "org": ["emp-aichi-01"],
    "locale": "vi",
    "https://kakehashi.example/org": "emp-osaka-02",
}


def test_claims_are_found_by_dotted_path_or_by_their_full_name() -> None:
    assert claim_at(KEYCLOAK_CLAIMS, "realm_access.roles")[1] == "employer"
    assert claim_at(KEYCLOAK_CLAIMS, "resource_access.kakehashi.roles") == ["program_manager"]
    assert claim_at(KEYCLOAK_CLAIMS, "https://kakehashi.example/org") == "emp-osaka-02"
    assert claim_at(KEYCLOAK_CLAIMS, "realm_access.missing") is None
    assert claim_at(KEYCLOAK_CLAIMS, "sub.deeper") is None


def test_a_keycloak_shaped_token_maps_by_configuration() -> None:
    mapping = ClaimMapping(role="realm_access.roles", organisation="org", language="locale")
    assert mapping.principal(KEYCLOAK_CLAIMS) == Principal(
        subject="f2c6…", role=Role.EMPLOYER, organisation_id="emp-aichi-01", language="vi"
    )
    client_roles = ClaimMapping(
        role="resource_access.kakehashi.roles", organisation="https://kakehashi.example/org"
    )
    principal = client_roles.principal(KEYCLOAK_CLAIMS)
    assert (principal.role, principal.organisation_id) == (Role.PROGRAM_MANAGER, "emp-osaka-02")


@pytest.mark.parametrize(
    ("changed", "message"),
    [
        ({"realm_access": {"roles": ["offline_access"]}}, "no Kakehashi role"),
        ({"realm_access": {"roles": ["employer", "admin"]}}, "more than one"),
        ({"org": ["a", "b"]}, "no organisation"),
        ({"org": ""}, "no organisation"),
        ({"org": 42}, "no organisation"),
        ({"sub": ""}, "no subject"),
    ],
)
def test_a_missing_or_ambiguous_mapping_is_refused(changed: dict[str, Any], message: str) -> None:
    mapping = ClaimMapping(role="realm_access.roles", organisation="org")
    with pytest.raises(InvalidTokenError, match=message):
        mapping.principal(KEYCLOAK_CLAIMS | changed)


@pytest.mark.parametrize("language", ["fr", "en-US", 3, None])
def test_an_unsupported_language_is_no_reason_to_refuse(language: object) -> None:
    mapping = ClaimMapping(role="realm_access.roles", language="locale")
    assert mapping.principal(KEYCLOAK_CLAIMS | {"locale": language}).language is None
