"""Signing access tokens with an asymmetric key: what an issuer does, never a verifying service.

The identity service issues Kakehashi's tokens; this module is for the places that must sign
without it: `kakehashi token` and the console's demo sign-in (the development key), and tests
(a key pair of their own). The claims are the token contract of docs/security.md.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

from kakehashi.shared.auth import DEFAULT_AUDIENCE, Principal

PrivateKey = ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
ACCESS_TOKEN_TTL = timedelta(minutes=15)


@dataclass(frozen=True)
class SigningKey:
    """A private key, its key id (`kid`) and the one algorithm it signs with."""

    kid: str
    private_key: PrivateKey
    algorithm: str

    @classmethod
    def generate(cls, kid: str, algorithm: str = "EdDSA") -> SigningKey:
        """A fresh key pair: Ed25519 for EdDSA, RSA-2048 for RS256, P-256 for ES256."""
        key: PrivateKey
        if algorithm == "EdDSA":
            key = ed25519.Ed25519PrivateKey.generate()
        elif algorithm == "RS256":
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        elif algorithm == "ES256":
            key = ec.generate_private_key(ec.SECP256R1())
        else:
            raise ValueError(f"unsupported signing algorithm {algorithm!r}")
        return cls(kid, key, algorithm)

    @classmethod
    def from_pem(cls, pem: bytes, kid: str) -> SigningKey:
        """A PKCS#8 PEM private key (unencrypted); the algorithm follows from the key type."""
        key = serialization.load_pem_private_key(pem, password=None)
        if isinstance(key, ed25519.Ed25519PrivateKey):
            return cls(kid, key, "EdDSA")
        if isinstance(key, rsa.RSAPrivateKey):
            return cls(kid, key, "RS256")
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return cls(kid, key, "ES256")
        raise ValueError("the PEM holds no Ed25519, RSA or EC private key")

    def to_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def public_jwk(self) -> dict[str, Any]:
        """The public half as a JWK, with `kid`, `alg` and `use`: one entry of a JWKS."""
        public = self.private_key.public_key()
        exported: str
        if isinstance(public, ed25519.Ed25519PublicKey):
            exported = OKPAlgorithm.to_jwk(public)
        elif isinstance(public, rsa.RSAPublicKey):
            exported = RSAAlgorithm.to_jwk(public)
        else:
            exported = ECAlgorithm.to_jwk(public)
        jwk: dict[str, Any] = json.loads(exported)
        return jwk | {"kid": self.kid, "alg": self.algorithm, "use": "sig"}

    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def jwks(*keys: SigningKey) -> dict[str, list[dict[str, Any]]]:
    """A JSON Web Key Set publishing the public halves of `keys`."""
    return {"keys": [key.public_jwk() for key in keys]}


def issue_token(
    key: SigningKey,
    principal: Principal,
    *,
    issuer: str,
    audience: str = DEFAULT_AUDIENCE,
    ttl: timedelta = ACCESS_TOKEN_TTL,
    name: str | None = None,
    now: datetime | None = None,
) -> str:
    """An access token for `principal` with the contract's claims, signed by `key`."""
    issued = now or datetime.now(UTC)
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "sub": principal.subject,
        "iat": issued,
        "nbf": issued,
        "exp": issued + ttl,
        "jti": str(uuid.uuid4()),
        "org": principal.organisation_id,
        "role": principal.role.value,
    }
    if principal.language is not None:
        claims["lang"] = principal.language
    if name is not None:
        claims["name"] = name
    return jwt.encode(
        claims, key.private_key, algorithm=key.algorithm, headers={"kid": key.kid, "typ": "JWT"}
    )
