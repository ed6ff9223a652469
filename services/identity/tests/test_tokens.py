"""Access tokens and keys: the JWKS and discovery documents, rotation, and the tokens identity's
own verification refuses (unknown key, alg none, HS256 signed with the public key, foreign
issuer or audience, expired, a deactivated user)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlmodel import select

from kakehashi.identity.adapters.tables import SigningKey
from kakehashi.identity.domain.keys import TokenSubject
from kakehashi.identity.service_layer import keys
from services.identity.tests.conftest import Clock
from services.identity.tests.samples import (
    PASSWORD,
    TAY_NINH,
    Headers,
    Mailbox,
    identity_of,
    invite,
    runtime_of,
    sign_in,
)

pytestmark = pytest.mark.integration

LAN = "lan@tayninh.example.vn"
ISSUER = "http://127.0.0.1:8004"


def _token(headers: Headers) -> str:
    return headers["Authorization"].split()[1]


def _bearer(token: str) -> Headers:
    return {"Authorization": f"Bearer {token}"}


def _verify_with_jwks(client: TestClient, token: str) -> dict[str, Any]:
    """What another service does: the key by kid from the published JWKS, EdDSA only."""
    key_set = jwt.PyJWKSet.from_dict(client.get("/.well-known/jwks.json").json())
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(k for k in key_set.keys if k.key_id == kid)
    claims: dict[str, Any] = jwt.decode(
        token, key, algorithms=["EdDSA"], issuer=ISSUER, audience="kakehashi"
    )
    return claims


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _claims(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def test_the_discovery_document_and_the_jwks(client: TestClient) -> None:
    discovery = client.get("/.well-known/openid-configuration").json()
    assert discovery["issuer"] == ISSUER
    assert discovery["jwks_uri"] == f"{ISSUER}/.well-known/jwks.json"
    assert discovery["token_endpoint"] == f"{ISSUER}/sign-in"
    assert discovery["id_token_signing_alg_values_supported"] == ["EdDSA"]
    assert {"sub", "org", "role", "lang", "aud", "iss", "exp"} <= set(discovery["claims_supported"])
    response = client.get("/.well-known/jwks.json")
    assert response.headers["Cache-Control"] == "public, max-age=300"
    key, upcoming = response.json()["keys"]  # the active key, and the next one published ahead
    assert key["kid"] != upcoming["kid"]
    assert set(upcoming) == set(key)
    assert set(key) == {"kty", "crv", "x", "kid", "alg", "use"}
    assert (key["kty"], key["crv"], key["alg"], key["use"]) == ("OKP", "Ed25519", "EdDSA", "sig")
    assert "d" not in key
    # The kid is the key's RFC 7638 thumbprint.
    canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": key["x"]}, separators=(",", ":"))
    assert key["kid"] == _b64(hashlib.sha256(canonical.encode()).digest())


def test_a_token_verifies_against_the_jwks_with_the_whole_contract(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    user_id = invite(client, admin, mailbox, LAN, TAY_NINH, "training_centre")
    token = _token(sign_in(client, LAN, PASSWORD))
    header = jwt.get_unverified_header(token)
    assert (header["alg"], header["typ"]) == ("EdDSA", "JWT")
    claims = _verify_with_jwks(client, token)
    assert set(claims) == {
        "iss", "aud", "sub", "iat", "nbf", "exp", "jti", "org", "role", "lang", "name"
    }  # fmt: skip
    assert claims["sub"] == user_id
    assert (claims["org"], claims["role"], claims["lang"], claims["name"]) == (
        "tc-tay-ninh-01",
        "training_centre",
        "vi",
        "lan",
    )
    assert claims["exp"] - claims["iat"] == 900


def _published_ago(client: TestClient, kid: str, seconds: float) -> None:
    """Make key `kid` as old as if it had been published `seconds` ago."""
    with runtime_of(client).uow() as uow:
        row = uow.session.get(SigningKey, kid)
        assert row is not None
        row.created_at -= timedelta(seconds=seconds)
        uow.session.add(row)
        uow.commit()


def test_rotation_keeps_the_retiring_key_published_until_its_tokens_expired(
    client: TestClient, admin: Headers, clock: Clock
) -> None:
    old_token = _token(admin)
    old_kid = jwt.get_unverified_header(old_token)["kid"]
    before = client.get("/.well-known/jwks.json").json()  # what a verifier has cached
    _active, next_kid = (k["kid"] for k in before["keys"])
    _published_ago(client, next_kid, seconds=361)  # verifiers' cache lifetime (360 s) and more
    rotated = client.post("/admin/keys/rotate", headers=admin)
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["known_to_verifiers"] is True
    new_kid = rotated.json()["kid"]
    assert new_kid == next_kid
    published = [k["kid"] for k in client.get("/.well-known/jwks.json").json()["keys"]]
    assert published[0] == new_kid
    assert published[2] == old_kid
    following = published[1]  # a new next key, published ahead of the next rotation
    assert following not in (new_kid, old_kid)
    # A token the retiring key signed still verifies, with the JWKS and at identity.
    assert _verify_with_jwks(client, old_token)["sub"]
    assert client.get("/me", headers=admin).status_code == 200
    states = {k["kid"]: k["state"] for k in client.get("/admin/keys", headers=admin).json()}
    assert states == {new_kid: "active", following: "next", old_kid: "retiring"}
    new_token = client.post(
        "/sign-in",
        json={"email": "admin@kakehashi.example", "password": "correct horse battery staple"},
    ).json()["access_token"]
    assert jwt.get_unverified_header(new_token)["kid"] == new_kid
    # No refusal window: the key set a verifier cached before the rotation verifies it.
    cached = jwt.PyJWKSet.from_dict(before)[new_kid]
    decoded = jwt.decode(
        new_token,
        cached,
        algorithms=["EdDSA"],
        issuer=ISSUER,
        audience="kakehashi",
    )
    assert decoded["role"] == "admin"

    clock.advance(minutes=17)  # the token lifetime and the clock-skew margin have passed
    published = [k["kid"] for k in client.get("/.well-known/jwks.json").json()["keys"]]
    assert published == [new_kid, following]
    assert client.get("/me", headers=admin).status_code == 401
    new_admin = _bearer(new_token)
    assert client.get("/me", headers=new_admin).status_code == 200
    states = {k["kid"]: k["state"] for k in client.get("/admin/keys", headers=new_admin).json()}
    assert states == {new_kid: "active", following: "next", old_kid: "retired"}


def test_a_rotation_before_verifiers_know_the_next_key_needs_immediately(
    client: TestClient, admin: Headers
) -> None:
    _active, next_kid = (k["kid"] for k in client.get("/.well-known/jwks.json").json()["keys"])
    _published_ago(client, next_kid, seconds=100)
    early = client.post("/admin/keys/rotate", headers=admin)
    assert early.status_code == 409
    wait = re.search(r"rotate in (\d+) s, or immediately", early.json()["detail"])
    assert wait is not None
    assert 250 <= int(wait[1]) <= 260  # 360 s ahead, 100 s published
    assert client.get("/.well-known/jwks.json").json()["keys"][1]["kid"] == next_kid  # unchanged
    # A key to replace now (compromised, say): verifiers with an older cached set refetch it
    # when they meet its kid.
    now = client.post("/admin/keys/rotate?immediately=true", headers=admin)
    assert now.status_code == 200, now.text
    assert (now.json()["kid"], now.json()["known_to_verifiers"]) == (next_kid, False)
    assert client.get("/admin/keys/rotate", headers=admin).status_code == 405


def test_a_key_set_from_before_next_keys_gets_one_when_published(client: TestClient) -> None:
    """A database whose only key is active (made before next keys existed) publishes a next key
    with its next JWKS."""
    runtime = runtime_of(client)
    identity = identity_of(client)
    with runtime.uow() as uow:
        keys._ensure_active(uow, identity)
    with runtime.uow() as uow:
        for row in uow.session.exec(select(SigningKey).where(SigningKey.state == "next")):
            uow.session.delete(row)
        uow.commit()
    assert len(client.get("/.well-known/jwks.json").json()["keys"]) == 2


def test_identity_refuses_a_token_from_an_unknown_key(client: TestClient, admin: Headers) -> None:
    claims = _claims(_token(admin))
    stranger = Ed25519PrivateKey.generate()
    unknown_kid = jwt.encode(claims, stranger, algorithm="EdDSA", headers={"kid": "someone-else"})
    assert client.get("/me", headers=_bearer(unknown_kid)).status_code == 401
    # The same key's kid does not help a signature made with another key.
    kid = jwt.get_unverified_header(_token(admin))["kid"]
    borrowed = jwt.encode(claims, stranger, algorithm="EdDSA", headers={"kid": kid})
    assert client.get("/me", headers=_bearer(borrowed)).status_code == 401
    with pytest.raises(jwt.InvalidSignatureError):
        _verify_with_jwks(client, borrowed)


def test_identity_refuses_alg_none(client: TestClient, admin: Headers) -> None:
    kid = jwt.get_unverified_header(_token(admin))["kid"]
    header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": kid}).encode())
    payload = _b64(json.dumps(_claims(_token(admin))).encode())
    unsigned = f"{header}.{payload}."
    assert client.get("/me", headers=_bearer(unsigned)).status_code == 401


@pytest.mark.parametrize("secret_form", ["x", "jwk-json"])
def test_identity_refuses_hs256_signed_with_the_public_key(
    client: TestClient, admin: Headers, secret_form: str
) -> None:
    """Algorithm confusion: an HMAC made with the published public key as the secret."""
    jwk = client.get("/.well-known/jwks.json").json()["keys"][0]  # the active key
    secret = jwk["x"].encode() if secret_form == "x" else json.dumps(jwk).encode()
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": jwk["kid"]}).encode())
    payload = _b64(json.dumps(_claims(_token(admin))).encode())
    signing_input = f"{header}.{payload}".encode()
    signature = _b64(hmac.new(secret, signing_input, hashlib.sha256).digest())
    forged = f"{header}.{payload}.{signature}"
    assert client.get("/me", headers=_bearer(forged)).status_code == 401


@pytest.mark.parametrize(
    "change", [{"issuer": "https://idp.elsewhere.example"}, {"audience": "another-app"}]
)
def test_identity_refuses_a_foreign_issuer_or_audience(
    client: TestClient, admin: Headers, change: dict[str, str]
) -> None:
    identity = identity_of(client)
    foreign = replace(identity, settings=identity.settings.model_copy(update=change))
    subject = TokenSubject(_claims(_token(admin))["sub"], "kakehashi-operator", "admin", "en", "x")
    token = keys.mint(runtime_of(client).uow(), foreign, subject)
    own = keys.mint(runtime_of(client).uow(), identity, subject)
    assert client.get("/me", headers=_bearer(token)).status_code == 401
    assert client.get("/me", headers=_bearer(own)).status_code == 200


def test_an_expired_token_is_refused(client: TestClient, admin: Headers, clock: Clock) -> None:
    clock.advance(minutes=-17)
    old = sign_in(client, "admin@kakehashi.example", "correct horse battery staple")
    clock.advance(minutes=17)
    assert client.get("/me", headers=old).status_code == 401


def test_a_deactivated_user_gets_no_new_token(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    user_id = invite(client, admin, mailbox, LAN, TAY_NINH, "training_centre")
    issued = sign_in(client, LAN, PASSWORD)
    deactivated = client.post(f"/users/{user_id}/deactivate", headers=admin)
    assert deactivated.json()["active"] is False
    refused = client.post("/sign-in", json={"email": LAN, "password": PASSWORD})
    wrong = client.post("/sign-in", json={"email": LAN, "password": "wrong password here"})
    assert (refused.status_code, refused.json()) == (wrong.status_code, wrong.json())
    # Identity itself stops honouring the token at once; elsewhere it lapses at `exp`.
    assert client.get("/me", headers=issued).status_code == 401
    claims = _verify_with_jwks(client, _token(issued))
    assert claims["exp"] - claims["iat"] <= 900
    # No reset link for a deactivated user.
    client.post("/password-reset", json={"email": LAN})
    assert all(m["Subject"] != "Đặt lại mật khẩu Kakehashi" for m in mailbox.messages)
