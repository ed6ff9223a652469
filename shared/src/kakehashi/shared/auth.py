"""Signed bearer tokens carrying a role and an organisation, and FastAPI guards built on them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, ValidationError

from kakehashi.shared.settings import ServiceSettings
from kakehashi.shared.web import settings_of

ISSUER = "kakehashi"


class Role(StrEnum):
    TRAINING_CENTRE = "training_centre"
    EMPLOYER = "employer"
    PROGRAM_MANAGER = "program_manager"
    ADMIN = "admin"


class Principal(BaseModel):
    """Who is calling: a user of one organisation acting in one role."""

    model_config = ConfigDict(frozen=True)

    subject: str
    role: Role
    organisation_id: str

    @property
    def sees_everything(self) -> bool:
        """Program managers and admins read across organisations."""
        return self.role in (Role.PROGRAM_MANAGER, Role.ADMIN)

    def may_access(self, organisation_id: str) -> bool:
        """True for an object of the caller's own organisation, or for anyone who sees everything."""
        return self.sees_everything or organisation_id == self.organisation_id


class InvalidTokenError(Exception):
    pass


def mint_token(
    principal: Principal,
    secret: str,
    *,
    algorithm: str = "HS256",
    ttl: timedelta = timedelta(hours=8),
) -> str:
    now = datetime.now(UTC)
    claims = {
        "iss": ISSUER,
        "sub": principal.subject,
        "role": principal.role.value,
        "org": principal.organisation_id,
        "iat": now,
        "exp": now + ttl,
        "jti": str(uuid.uuid4()),
    }
    return jwt.encode(claims, secret, algorithm=algorithm)


def decode_token(token: str, secret: str, *, algorithm: str = "HS256") -> Principal:
    """The principal a token names, or InvalidTokenError if it is unsigned, expired or malformed."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[algorithm],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "iss"]},
        )
        return Principal(subject=claims["sub"], role=claims["role"], organisation_id=claims["org"])
    except (jwt.PyJWTError, KeyError, ValidationError) as error:
        raise InvalidTokenError(str(error)) from error


_bearer = HTTPBearer(auto_error=False)


def authenticate(
    settings: Annotated[ServiceSettings, Depends(settings_of)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """FastAPI dependency: 401 without a valid token. The secret comes from the service's settings."""
    unauthorized = HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail="a valid bearer token is required",
        headers={"WWW-Authenticate": "Bearer"},
    )
    if credentials is None:
        raise unauthorized
    try:
        return decode_token(
            credentials.credentials,
            settings.jwt_secret.get_secret_value(),
            algorithm=settings.jwt_algorithm,
        )
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
