"""The development signing key: DEVELOPMENT ONLY, published in this repository on purpose.

Anyone can sign with it, so services trust its public half (kakehashi.shared.jwks.DEVELOPMENT_JWK)
only when ENVIRONMENT=development, and their settings refuse it anywhere else. It lets
`kakehashi token`, `kakehashi seed` and the console's demo sign-in work without the identity
service. This package (kakehashi-devtools) is not installed in production images.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from kakehashi.shared.auth import DEFAULT_ISSUER, Principal
from kakehashi.shared.jwks import DEVELOPMENT_KID
from kakehashi.shared.signing import SigningKey, issue_token

DEVELOPMENT_KEY_FILE = Path(__file__).with_name("development_key.pem")


def development_key() -> SigningKey:
    return SigningKey.from_pem(DEVELOPMENT_KEY_FILE.read_bytes(), DEVELOPMENT_KID)


def development_token(
    principal: Principal,
    *,
    ttl: timedelta = timedelta(hours=8),
    issuer: str = DEFAULT_ISSUER,
    name: str | None = None,
) -> str:
    """A token a service in development accepts (its default issuer, the development key)."""
    return issue_token(development_key(), principal, issuer=issuer, ttl=ttl, name=name)
