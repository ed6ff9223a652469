"""Ed25519 signing keys as JWKs, and access tokens signed and verified with them (PyJWT)."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kakehashi.identity.domain.keys import ALGORITHM, REQUIRED_CLAIMS


class TokenRejectedError(Exception):
    """The token is not one of ours, or not valid now; the message is for logs, not callers."""


def new_key() -> tuple[str, dict[str, Any], bytes]:
    """A fresh key pair: its kid (the RFC 7638 thumbprint), public JWK and private key (raw)."""
    private = Ed25519PrivateKey.generate()
    x = _b64(
        private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
    )
    thumbprint = hashlib.sha256(
        json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":")).encode()
    ).digest()
    kid = _b64(thumbprint)
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": ALGORITHM, "use": "sig"}
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return kid, jwk, raw


def sign(claims: Mapping[str, Any], kid: str, private_raw: bytes) -> str:
    key = Ed25519PrivateKey.from_private_bytes(private_raw)
    return jwt.encode(dict(claims), key, algorithm=ALGORITHM, headers={"kid": kid, "typ": "JWT"})


def verify(
    token: str, public_jwks: Mapping[str, Mapping[str, Any]], issuer: str, audience: str
) -> dict[str, Any]:
    """The claims of `token` if a published key (by `kid`) signed it with EdDSA, for `audience`,
    from `issuer`, valid now; TokenRejectedError otherwise. The algorithm is ours, never the
    header's, so `alg: none` and HMAC-with-the-public-key tokens are refused."""
    try:
        header = jwt.get_unverified_header(token)
        kid = header.get("kid")
        if header.get("alg") != ALGORITHM or not isinstance(kid, str) or kid not in public_jwks:
            raise TokenRejectedError("unknown key or algorithm")
        key = public_key(public_jwks[kid])
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            issuer=issuer,
            audience=audience,
            leeway=60,
            options={"require": list(REQUIRED_CLAIMS)},
        )
        return claims
    except jwt.PyJWTError as error:
        raise TokenRejectedError(str(error)) from error


def public_key(jwk: Mapping[str, Any]) -> Ed25519PublicKey:
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise TokenRejectedError("not an Ed25519 key")
    return Ed25519PublicKey.from_public_bytes(_unb64(str(jwk["x"])))


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
