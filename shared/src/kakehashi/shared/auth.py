"""Who is calling (a role in an organisation) and the signed bearer tokens that say so.

Plain Python and PyJWT: service layers and workers use it without the web stack; the FastAPI
guards built on it are in `kakehashi.shared.guards`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import jwt
from pydantic import BaseModel, ConfigDict, ValidationError

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
