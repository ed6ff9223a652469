"""Signing keys and the access-token contract (claims, algorithm, key states).

One key is active (signs). The next one is published beside it before it ever signs, so that
verifiers holding a cached key set already know it when a rotation makes it active: a rotation
then opens no window in which new tokens are refused. After a rotation the previous active key
is retiring (still published, so tokens it signed verify until they expire) and becomes retired
once the token lifetime has passed, with a margin for clock skew. Retired keys are never
published again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

ALGORITHM = "EdDSA"  # Ed25519 (RFC 8037): small keys, fast, no parameter choices to get wrong
CLOCK_SKEW = timedelta(seconds=60)
# Claims every access token carries; verifiers require them.
REQUIRED_CLAIMS = ("iss", "aud", "sub", "iat", "nbf", "exp", "jti", "org", "role")
CLAIMS = (*REQUIRED_CLAIMS, "lang", "name")


class KeyState(StrEnum):
    NEXT = "next"  # published, not signing yet
    ACTIVE = "active"
    RETIRING = "retiring"
    RETIRED = "retired"


@dataclass(frozen=True)
class KeyStatus:
    kid: str
    state: KeyState
    retiring_since: datetime | None = None


def effective_state(key: KeyStatus, now: datetime, token_ttl: timedelta) -> KeyState:
    """A retiring key is retired once every token it signed has expired."""
    if (
        key.state is KeyState.RETIRING
        and key.retiring_since is not None
        and now >= key.retiring_since + token_ttl + CLOCK_SKEW
    ):
        return KeyState.RETIRED
    return key.state


def published(keys: list[KeyStatus], now: datetime, token_ttl: timedelta) -> list[str]:
    """The kids of the JWKS: the active key first, then the next one, then the retiring ones,
    newest first."""
    order = {KeyState.ACTIVE: 0, KeyState.NEXT: 1, KeyState.RETIRING: 2}
    live = [k for k in keys if effective_state(k, now, token_ttl) in order]
    live.sort(key=lambda k: (order[k.state], -(k.retiring_since or now).timestamp()))
    return [k.kid for k in live]


def known_to_verifiers(published_at: datetime, now: datetime, publish_ahead: timedelta) -> bool:
    """True once a key published at `published_at` is in every verifier's key set: each has
    refetched its cached set since (the cache lives at most `publish_ahead`)."""
    return now >= published_at + publish_ahead


@dataclass(frozen=True)
class TokenSubject:
    """Who a token speaks for: one user acting in one membership."""

    user_id: str
    organisation_id: str
    role: str
    language: str
    display_name: str


def access_claims(
    subject: TokenSubject, issuer: str, audience: str, now: datetime, ttl: timedelta
) -> dict[str, Any]:
    """The claims of an access token issued at `now` (whole seconds, as JWT NumericDate)."""
    issued = int(now.timestamp())
    return {
        "iss": issuer,
        "aud": audience,
        "sub": subject.user_id,
        "iat": issued,
        "nbf": issued,
        "exp": issued + int(ttl.total_seconds()),
        "jti": str(uuid.uuid4()),
        "org": subject.organisation_id,
        "role": subject.role,
        "lang": subject.language,
        "name": subject.display_name,
    }
