"""FastAPI guards on bearer tokens: 401 without a valid one, 403 for a role not admitted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from kakehashi.shared.auth import (
    InvalidTokenError,
    Principal,
    Role,
    TokenKeysUnavailableError,
    TokenVerifier,
)
from kakehashi.shared.web import verifier_of

_bearer = HTTPBearer(auto_error=False)


def authenticate(
    verifier: Annotated[TokenVerifier, Depends(verifier_of)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """FastAPI dependency: the caller a valid bearer token names; 401 without one, 503 when
    the issuer's keys cannot be fetched to tell."""
    unauthorized = HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail="a valid bearer token is required",
        headers={"WWW-Authenticate": "Bearer"},
    )
    if credentials is None:
        raise unauthorized
    try:
        return verifier.verify(credentials.credentials)
    except TokenKeysUnavailableError:
        raise HTTPException(
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            detail="the token issuer's keys are unavailable; try again shortly",
            headers={"Retry-After": "5"},
        ) from None
    except InvalidTokenError:
        raise unauthorized from None


def require_roles(*roles: Role) -> Callable[..., Principal]:
    """A dependency that admits only callers in one of `roles` (403 otherwise)."""
    allowed = frozenset(roles)

    def guard(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if principal.role not in allowed:
            raise HTTPException(
                status_code=status.HTTP_403_FORBIDDEN,
                detail=f"role {principal.role.value!r} may not do this; allowed: "
                + ", ".join(sorted(r.value for r in allowed)),
            )
        return principal

    return guard
