"""The cost of verifying an access token per request, with the issuer's JWKS cache warm.

A local HTTP server publishes the JWKS (as identity or Keycloak would); the verifier fetches it
once through PyJWKClient, then every verification is signature + claims checks + claim mapping.
Wall time and this process's CPU time are both printed: on a busy machine the second is the
cost of the work itself.

    uv run python bench/token_verify.py [--count 20000]
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kakehashi.shared.auth import Principal, Role, TokenVerifier
from kakehashi.shared.jwks import RemoteKeys
from kakehashi.shared.signing import SigningKey, issue_token, jwks


def serve(document: dict[str, Any]) -> tuple[ThreadingHTTPServer, str]:
    body = json.dumps(document).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/jwks.json"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20_000)
    args = parser.parse_args()
    issuer = "http://127.0.0.1:8004"
    principal = Principal(subject="u1", role=Role.EMPLOYER, organisation_id="emp-1", language="ja")
    for algorithm in ("EdDSA", "RS256", "ES256"):
        key = SigningKey.generate(f"bench-{algorithm}", algorithm)
        server, url = serve(jwks(key))
        try:
            verifier = TokenVerifier(
                issuer=issuer, audience="kakehashi", keys=RemoteKeys(issuer=issuer, jwks_url=url)
            )
            token = issue_token(key, principal, issuer=issuer)
            assert verifier.verify(token) == principal  # warms the JWKS cache
            started, cpu_started = time.perf_counter(), time.process_time()
            for _ in range(args.count):
                verifier.verify(token)
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
        finally:
            server.shutdown()
            server.server_close()
        print(
            f"verify {algorithm:<5} (warm JWKS cache): {elapsed / args.count * 1e6:6.1f} µs "
            f"per token, {cpu / args.count * 1e6:6.1f} µs CPU (n={args.count:,})",
            flush=True,
        )


if __name__ == "__main__":
    main()
