"""Who is calling (a role in an organisation), and verifying the access tokens that say so.

Tokens are signed by an issuer with an asymmetric key (EdDSA, RS256 or ES256) and checked
against its published keys (`kakehashi.shared.jwks`): no service holds a signing secret.
Plain Python and PyJWT: service layers and workers use it without the web stack; the FastAPI
guards built on it are in `kakehashi.shared.guards`.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal, get_args

import jwt
from pydantic import BaseModel, ConfigDict, Field

from kakehashi.shared.jwks import (
    DEVELOPMENT_JWK,
    KeyChain,
    KeySource,
    KeysUnavailableError,
    RemoteKeys,
    StaticKeys,
    UnknownKeyError,
    load_jwks_file,
)

if TYPE_CHECKING:
    from kakehashi.shared.settings import ServiceSettings

DEFAULT_ISSUER = "http://127.0.0.1:8004"
DEFAULT_AUDIENCE = "kakehashi"
# Only asymmetric signatures: `none` and the HS* family (whose "key" a verifier would have to
# share, and which an attacker could sign with a published public key) are never accepted.
Algorithm = Literal["EdDSA", "RS256", "ES256"]
ASYMMETRIC_ALGORITHMS: tuple[Algorithm, ...] = get_args(Algorithm)
Language = Literal["vi", "ja", "en"]
LANGUAGES: tuple[str, ...] = get_args(Language)
MAX_TOKEN_LENGTH = 8192
MAX_ORGANISATION_ID_LENGTH = 200
REQUIRED_CLAIMS = ("iss", "aud", "sub", "iat", "exp")


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
    language: Language | None = Field(default=None, description="preferred language, if known")

    @property
    def sees_everything(self) -> bool:
        """Program managers and admins read across organisations."""
        return self.role in (Role.PROGRAM_MANAGER, Role.ADMIN)

    def may_access(self, organisation_id: str) -> bool:
        """True for an object of the caller's own organisation, or for anyone who sees everything."""
        return self.sees_everything or organisation_id == self.organisation_id


class InvalidTokenError(Exception):
    """The token is not one of ours: unsigned, forged, expired, for someone else, or unmapped."""


class TokenKeysUnavailableError(InvalidTokenError):
    """The issuer's keys could not be fetched, so the token could not be checked (retry later)."""


def claim_at(claims: Mapping[str, Any], path: str) -> Any:
    """The claim `path` names: a top-level name (which may itself contain dots, like
    `https://example.org/org`), else a dotted path into nested objects (`realm_access.roles`)."""
    if path in claims:
        return claims[path]
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


@dataclass(frozen=True)
class ClaimMapping:
    """Which claims hold the role, the organisation and the language (dotted paths)."""

    role: str = "role"
    organisation: str = "org"
    language: str = "lang"

    def principal(self, claims: Mapping[str, Any]) -> Principal:
        """The principal the verified `claims` name; InvalidTokenError if one is missing."""
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise InvalidTokenError("the token names no subject")
        return Principal(
            subject=subject,
            role=self._role(claim_at(claims, self.role)),
            organisation_id=self._organisation(claim_at(claims, self.organisation)),
            language=self._language(claim_at(claims, self.language)),
        )

    def _role(self, value: Any) -> Role:
        # A provider may list every role the user has (Keycloak's realm_access.roles, with
        # offline_access and the like): exactly one of them must be a Kakehashi role.
        names = value if isinstance(value, list) else [value]
        roles = {
            Role(name)
            for name in names
            if isinstance(name, str) and name in Role._value2member_map_
        }
        if len(roles) != 1:
            found = "no" if not roles else "more than one"
            raise InvalidTokenError(f"{found} Kakehashi role in claim {self.role!r}")
        return roles.pop()

    def _organisation(self, value: Any) -> str:
        if isinstance(value, list) and len(value) == 1:
            value = value[0]  # a single-valued user attribute some providers send as a list
        if not isinstance(value, str) or not 0 < len(value) <= MAX_ORGANISATION_ID_LENGTH:
            raise InvalidTokenError(f"no organisation in claim {self.organisation!r}")
        return value

    @staticmethod
    def _language(value: Any) -> Language | None:
        # A preference, not a permission: an absent or unsupported language is no reason to
        # refuse the caller, the pages fall back to the browser's.
        if value == "vi":
            return "vi"
        if value == "ja":
            return "ja"
        if value == "en":
            return "en"
        return None


def _unverified_header(token: str) -> dict[str, Any]:
    """The JOSE header, read without checking anything (PyJWT's full parse would decode the
    whole token once more; jwt.decode checks every segment afterwards)."""
    head = token.split(".", 1)[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (ValueError, binascii.Error):
        raise InvalidTokenError("the token is not a JWT") from None
    if not isinstance(header, dict) or token.count(".") != 2:
        raise InvalidTokenError("the token is not a JWT")
    return header


class TokenVerifier:
    """Checks an access token's signature against the issuer's keys, then its issuer, audience,
    expiry and not-before, and maps its claims to a Principal."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        keys: KeySource,
        algorithms: Sequence[str] = ASYMMETRIC_ALGORITHMS,
        claims: ClaimMapping | None = None,
        leeway_s: float = 30.0,
    ) -> None:
        unsafe = set(algorithms) - set[str](ASYMMETRIC_ALGORITHMS)
        if unsafe or not algorithms:
            raise ValueError(f"only {', '.join(ASYMMETRIC_ALGORITHMS)} may be allowed: {unsafe}")
        self.issuer = issuer
        self.audience = audience
        self.keys = keys
        self.algorithms = tuple(algorithms)
        self.claims = claims or ClaimMapping()
        self.leeway_s = leeway_s

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> TokenVerifier:
        """The verifier a service's settings describe; fetches nothing until the first token."""
        source: KeySource
        if settings.auth_jwks_file is not None:
            source = StaticKeys.from_document(load_jwks_file(settings.auth_jwks_file))
        else:
            source = RemoteKeys(
                issuer=settings.auth_issuer,
                jwks_url=settings.auth_jwks_url or None,
                lifespan_s=settings.auth_jwks_cache_s,
                cooldown_s=settings.auth_jwks_refresh_cooldown_s,
            )
        if settings.trusts_development_key:
            source = KeyChain(StaticKeys.from_document({"keys": [dict(DEVELOPMENT_JWK)]}), source)
        return cls(
            issuer=settings.auth_issuer,
            audience=settings.auth_audience,
            keys=source,
            algorithms=settings.auth_algorithms,
            claims=ClaimMapping(
                role=settings.auth_role_claim,
                organisation=settings.auth_organisation_claim,
                language=settings.auth_language_claim,
            ),
            leeway_s=settings.auth_leeway_s,
        )

    def verify(self, token: str) -> Principal:
        """The principal a valid token names; InvalidTokenError (or its subclass
        TokenKeysUnavailableError when the keys cannot be fetched) otherwise."""
        if len(token) > MAX_TOKEN_LENGTH:
            raise InvalidTokenError("the token is too long")
        header = _unverified_header(token)
        algorithm, kid = header.get("alg"), header.get("kid")
        # Refused before any key is looked up: `none`, HS* and anything not configured.
        if algorithm not in self.algorithms:
            raise InvalidTokenError(f"algorithm {algorithm!r} is not accepted")
        if not isinstance(kid, str) or not kid:
            raise InvalidTokenError("the token names no key (kid)")
        try:
            key = self.keys.key(kid)
        except UnknownKeyError:
            raise InvalidTokenError("the token's key is not published by the issuer") from None
        except KeysUnavailableError as error:
            raise TokenKeysUnavailableError(str(error)) from error
        if key.algorithm_name not in self.algorithms:
            raise InvalidTokenError(f"the key {kid!r} is not for an accepted algorithm")
        try:
            # PyJWT also insists that the header's alg is the key's own algorithm.
            claims = jwt.decode(
                token,
                key,
                algorithms=[key.algorithm_name],
                issuer=self.issuer,
                audience=self.audience,
                leeway=self.leeway_s,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.PyJWTError as error:
            raise InvalidTokenError(str(error)) from error
        return self.claims.principal(claims)
