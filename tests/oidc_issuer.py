"""Issuers for tests: the session's test issuer and key (conftest's `auth()` signs with it), and
a stand-in OpenID provider: a threaded HTTP server on a free local port that publishes a
discovery document and a JWKS, and signs tokens with keys the test controls."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt

from kakehashi.shared.signing import SigningKey, jwks

# The test issuer: every test's tokens (conftest's `auth()`), one key pair per session.
TEST_ISSUER = "https://identity.test.kakehashi.invalid"
TEST_KEY = SigningKey.generate(f"test-{uuid.uuid4().hex[:8]}")


class FakeIssuer:
    """What the server publishes (`published`) and how often its JWKS was fetched."""

    def __init__(self, server: ThreadingHTTPServer, path: str) -> None:
        self.server = server
        host, port = server.server_address[:2]
        self.url = f"http://{host!s}:{port}{path}"
        self.published: list[SigningKey] = []
        self.claimed_issuer = self.url  # what the discovery document says (tests may lie)
        self.jwks_fetches = 0

    @property
    def jwks_url(self) -> str:
        return f"{self.url}/protocol/openid-connect/certs"

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.claimed_issuer,
            "jwks_uri": self.jwks_url,
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def sign(self, key: SigningKey, claims: dict[str, Any]) -> str:
        """A token with `claims` (iss defaults to this issuer), signed by `key`."""
        return sign(key, {"iss": self.url, **claims})


def sign(key: SigningKey, claims: dict[str, Any]) -> str:
    """A JWT of exactly `claims`, signed by `key` and naming it by its kid."""
    return jwt.encode(
        claims, key.private_key, algorithm=key.algorithm, headers={"kid": key.kid, "typ": "JWT"}
    )


@contextmanager
def fake_issuer(path: str = "/realms/kakehashi") -> Iterator[FakeIssuer]:
    """A running FakeIssuer whose issuer URL is `http://127.0.0.1:<port><path>`."""
    issuer: FakeIssuer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == f"{path}/.well-known/openid-configuration":
                body = issuer.discovery()
            elif issuer.jwks_url.endswith(self.path):
                issuer.jwks_fetches += 1
                body = jwks(*issuer.published)
            else:
                self.send_error(404)
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet test output

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    issuer = FakeIssuer(server, path)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield issuer
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
