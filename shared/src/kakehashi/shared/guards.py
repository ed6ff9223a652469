"""FastAPI guards on bearer tokens: 401 without a valid one, 403 for a role not admitted."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
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
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """FastAPI dependency: the caller a valid bearer token names; 401 without one, 503 when
    the issuer's keys cannot be fetched to tell.

    The one guard that runs in the thread pool: checking a token may fetch the issuer's keys.
    The guards around it are coroutines, since each synchronous dependency costs a hand-off to
    a pool thread and back (with five of them, a tenth of a registration's CPU, py-spy)."""
    verifier: TokenVerifier = verifier_of(request)
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


def require_roles(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency that admits only callers in one of `roles` (403 otherwise)."""
    allowed = frozenset(roles)

    async def guard(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if principal.role not in allowed:
            raise HTTPException(
                status_code=status.HTTP_403_FORBIDDEN,
                detail=f"role {principal.role.value!r} may not do this; allowed: "
                + ", ".join(sorted(r.value for r in allowed)),
            )
        return principal

    return guard
