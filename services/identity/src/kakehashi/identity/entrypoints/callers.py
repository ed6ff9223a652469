"""Who may call identity's protected routes: the one place its routes learn the caller.

Today it verifies identity's own tokens against identity's own keys (service_layer.callers).
When the shared JWKS verifier lands, `authenticate` becomes that verifier's dependency and the
aliases below stay as they are.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from kakehashi.identity.adapters.signing import TokenRejectedError
from kakehashi.identity.service_layer import callers, totp
from kakehashi.identity.service_layer.context import Identity
from kakehashi.identity.service_layer.errors import LinkRefusedError
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.web import UowDep

_bearer = HTTPBearer(auto_error=False)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def identity_of(request: Request) -> Identity:
    """The identity context the app was built with (settings, hasher, sealer, mailer)."""
    identity: Identity = request.app.state.identity
    return identity


async def _identity(request: Request) -> Identity:
    # A coroutine: a synchronous dependency is a hand-off to a pool thread and back.
    return identity_of(request)


IdentityDep = Annotated[Identity, Depends(_identity)]


def client_address_of(request: Request) -> str:
    """Who is asking, for the per-address throttle and the audit: the peer, or behind a trusted
    proxy the client it names in X-Forwarded-For."""
    peer = request.client.host if request.client else "unknown"
    forwarded = request.headers.getlist("x-forwarded-for")
    return identity_of(request).client_address(peer, forwarded)


def _unauthorized() -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail="a valid bearer token is required",
        headers={"WWW-Authenticate": "Bearer"},
    )


def authenticate(uow: UowDep, identity: IdentityDep, credentials: Credentials) -> Principal:
    """401 without a valid, current access token."""
    if credentials is None:
        raise _unauthorized()
    try:
        return callers.principal_of(uow, identity, credentials.credentials)
    except TokenRejectedError:
        raise _unauthorized() from None


async def require_admin(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
    if principal.role is not Role.ADMIN:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="only an admin may do this")
    return principal


Caller = Annotated[Principal, Depends(authenticate)]
Admin = Annotated[Principal, Depends(require_admin)]


class Enrolling:
    """Who is setting up a second factor: a signed-in user, or one holding the enrolment link
    that sign-in handed out because their role requires a factor they do not have yet."""

    def __init__(self, user_id: str, enrolment_token: str | None) -> None:
        self.user_id = user_id
        self.enrolment_token = enrolment_token


def enrolling(uow: UowDep, identity: IdentityDep, credentials: Credentials) -> Enrolling:
    if credentials is None:
        raise _unauthorized()
    bearer = credentials.credentials
    if bearer.count(".") == 2:  # a JWT; enrolment links are plain URL-safe tokens
        try:
            return Enrolling(callers.principal_of(uow, identity, bearer).subject, None)
        except TokenRejectedError:
            raise _unauthorized() from None
    try:
        return Enrolling(totp.enrolling_user(uow, bearer), bearer)
    except LinkRefusedError:
        raise _unauthorized() from None


EnrollingDep = Annotated[Enrolling, Depends(enrolling)]
