"""The development signing key: DEVELOPMENT ONLY, published in this repository on purpose.

Anyone can sign with it, so services trust its public half (kakehashi.shared.jwks.DEVELOPMENT_JWK)
only when ENVIRONMENT=development, and their settings refuse it anywhere else. It lets
`kakehashi token`, `kakehashi seed` and the console's demo sign-in work without the identity
service. This package (kakehashi-devtools) is not installed in production images.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path

from kakehashi.shared.auth import DEFAULT_ISSUER, Principal
from kakehashi.shared.jwks import DEVELOPMENT_KID
from kakehashi.shared.signing import SigningKey, issue_token

DEVELOPMENT_KEY_FILE = Path(__file__).with_name("development_key.pem")


def development_key() -> SigningKey:
    return SigningKey.from_pem(DEVELOPMENT_KEY_FILE.read_bytes(), DEVELOPMENT_KID)


def development_signer(
    key_file: Path | None = None, *, kid: str = DEVELOPMENT_KID, issuer: str = DEFAULT_ISSUER
) -> Callable[[Principal], str]:
    """Signs tokens for principals: with the development key, or with the PEM `key_file` (and
    its `kid`) for a system that trusts another issuer, such as the one the e2e tests run."""
    if key_file is None:
        return partial(development_token, issuer=issuer)
    key = SigningKey.from_pem(key_file.read_bytes(), kid)
    return partial(issue_token, key, issuer=issuer, ttl=timedelta(hours=8))


def development_token(
    principal: Principal,
    *,
    ttl: timedelta = timedelta(hours=8),
    issuer: str = DEFAULT_ISSUER,
    name: str | None = None,
) -> str:
    """A token a service in development accepts (its default issuer, the development key)."""
    return issue_token(development_key(), principal, issuer=issuer, ttl=ttl, name=name)
