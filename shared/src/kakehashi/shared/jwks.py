"""Where a verifying service finds the issuer's public keys: a JWKS by URL (given, or discovered
from the issuer's OpenID configuration), a static JWKS file, and the development key.

Remote key sets go through PyJWT's `PyJWKClient`: cached for a lifespan, refetched once on an
unknown `kid`, and no more often than a cooldown, so a stream of made-up key ids cannot turn
into a stream of requests to the issuer.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol
from urllib.error import URLError

import jwt

# The development key pair's public half (its private half ships in kakehashi-devtools, which
# production images do not install). Services trust it only when ENVIRONMENT=development.
DEVELOPMENT_KID = "kakehashi-development"
DEVELOPMENT_JWK: Mapping[str, str] = {
    "kty": "OKP",
    "crv": "Ed25519",
    "x": "TxPWbFp66drCpLl06yA3yIZBh0G4cMSiNWrnIPaPqFc",
    "kid": DEVELOPMENT_KID,
    "alg": "EdDSA",
    "use": "sig",
}
FETCH_TIMEOUT_S = 5.0
DISCOVERY_RETRY_S = 5.0
MAX_DOCUMENT_BYTES = 1_000_000


class UnknownKeyError(Exception):
    """The token names a key the issuer does not publish (now, or any more)."""


class KeysUnavailableError(Exception):
    """The issuer's keys could not be fetched: the token is neither good nor bad yet."""


class KeySource(Protocol):
    def key(self, kid: str) -> jwt.PyJWK:
        """The public key with id `kid`: UnknownKeyError or KeysUnavailableError otherwise."""
        ...


def read_jwks(document: Mapping[str, Any]) -> dict[str, jwt.PyJWK]:
    """The signing keys of a JWKS document by `kid` (keys without a kid, or for encryption,
    are not for us)."""
    keys: dict[str, jwt.PyJWK] = {}
    for entry in document.get("keys", []):
        if not isinstance(entry, dict) or not entry.get("kid") or entry.get("use") == "enc":
            continue
        keys[str(entry["kid"])] = jwt.PyJWK.from_dict(entry)
    return keys


def fingerprints(document: Mapping[str, Any]) -> set[str]:
    """The public key material of every key in a JWKS (`x` for OKP/EC, `n` for RSA)."""
    keys = document.get("keys", [])
    return {str(k.get("x") or k.get("n")) for k in keys if isinstance(k, dict)}


def trusts_development_key(document: Mapping[str, Any]) -> bool:
    """True if a JWKS publishes the development key (by its id or its public key)."""
    kids = {k.get("kid") for k in document.get("keys", []) if isinstance(k, dict)}
    return DEVELOPMENT_KID in kids or DEVELOPMENT_JWK["x"] in fingerprints(document)


def load_jwks_file(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


class StaticKeys:
    """Keys known at start: a JWKS file, or the development key."""

    def __init__(self, keys: Mapping[str, jwt.PyJWK]) -> None:
        self._keys = dict(keys)

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> StaticKeys:
        return cls(read_jwks(document))

    def key(self, kid: str) -> jwt.PyJWK:
        try:
            return self._keys[kid]
        except KeyError:
            raise UnknownKeyError(kid) from None


def _fetch_json(url: str) -> dict[str, Any]:
    if not url.startswith(("https://", "http://")):
        raise KeysUnavailableError(f"not an http(s) URL: {url!r}")
    try:
        with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_S) as response:  # noqa: S310 - scheme checked above
            body = response.read(MAX_DOCUMENT_BYTES + 1)
    except (URLError, TimeoutError, OSError) as error:
        raise KeysUnavailableError(f"could not fetch {url}: {error}") from error
    if len(body) > MAX_DOCUMENT_BYTES:
        raise KeysUnavailableError(f"{url} answered with more than {MAX_DOCUMENT_BYTES} bytes")
    try:
        document = json.loads(body)
    except ValueError as error:
        raise KeysUnavailableError(f"{url} did not answer with JSON") from error
    if not isinstance(document, dict):
        raise KeysUnavailableError(f"{url} did not answer with a JSON object")
    return document


def discover_jwks_url(issuer: str) -> str:
    """The `jwks_uri` of an issuer's OpenID configuration, which must name the same issuer."""
    configuration = _fetch_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
    if configuration.get("issuer") != issuer:
        raise KeysUnavailableError(
            f"the OpenID configuration at {issuer} names another issuer: "
            f"{configuration.get('issuer')!r}"
        )
    jwks_uri = configuration.get("jwks_uri")
    if not isinstance(jwks_uri, str) or not jwks_uri:
        raise KeysUnavailableError(f"the OpenID configuration at {issuer} has no jwks_uri")
    return jwks_uri


class RemoteKeys:
    """An issuer's JWKS over HTTP(S), cached; its URL given or discovered on first use."""

    def __init__(
        self,
        *,
        issuer: str,
        jwks_url: str | None = None,
        lifespan_s: float = 300.0,
        cooldown_s: float = 30.0,
    ) -> None:
        self.issuer = issuer
        self._jwks_url = jwks_url
        self._lifespan_s = lifespan_s
        self._cooldown_s = cooldown_s
        self._client: jwt.PyJWKClient | None = None
        self._lock = threading.Lock()
        self._failed_at: float | None = None

    def _jwks_client(self) -> jwt.PyJWKClient:
        with self._lock:
            if self._client is not None:
                return self._client
            # A failed discovery is retried at most every few seconds (sooner only if the
            # refresh cooldown is shorter), not once per incoming request.
            pause = min(self._cooldown_s, DISCOVERY_RETRY_S)
            if self._failed_at is not None and time.monotonic() - self._failed_at < pause:
                raise KeysUnavailableError(f"the keys of {self.issuer} are unavailable")
            try:
                url = self._jwks_url or discover_jwks_url(self.issuer)
                self._client = jwt.PyJWKClient(
                    url,
                    cache_keys=False,
                    cache_jwk_set=True,
                    lifespan=self._lifespan_s,
                    timeout=FETCH_TIMEOUT_S,
                    cooldown_duration=self._cooldown_s,
                )
            except (KeysUnavailableError, jwt.PyJWKClientError) as error:
                self._failed_at = time.monotonic()
                raise KeysUnavailableError(str(error)) from error
            return self._client

    def key(self, kid: str) -> jwt.PyJWK:
        client = self._jwks_client()
        try:
            return client.get_signing_key(kid)
        except jwt.PyJWKClientConnectionError as error:
            raise KeysUnavailableError(str(error)) from error
        except (jwt.PyJWKClientError, jwt.PyJWKSetError) as error:
            # The set was fetched but holds no (usable) key with this id.
            raise UnknownKeyError(kid) from error
        except ValueError as error:  # the endpoint answered, but not with JSON
            raise KeysUnavailableError(f"the JWKS of {self.issuer} is not JSON") from error


class KeyChain:
    """Several sources asked in order: the development key first, then the issuer's."""

    def __init__(self, *sources: KeySource) -> None:
        self._sources = sources

    def key(self, kid: str) -> jwt.PyJWK:
        for source in self._sources[:-1]:
            try:
                return source.key(kid)
            except UnknownKeyError:
                continue
        return self._sources[-1].key(kid)
