"""Identity benchmark: what signing in costs (argon2id at the settings' cost) and what verifying
an access token costs per request.

    uv run python bench/identity_tokens.py --sign-ins 20 --verifications 5000

Sign-in goes through the whole API (HTTP, database, audit row, throttle, token) on a fresh
SQLite database with the production argon2 defaults; verification is timed as a verifier does
it per request (key already fetched from the JWKS), with the JWKS parsed each time (no cache),
at identity itself (signature plus the user's and membership's rows), and for comparison the
HS256 shared-secret check the services use today.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import jwt
from fastapi.testclient import TestClient

from kakehashi.identity.adapters.crypto import Passwords
from kakehashi.identity.bootstrap import SPEC
from kakehashi.identity.config import IdentitySettings
from kakehashi.identity.service_layer import callers, users
from kakehashi.identity.service_layer.context import Identity
from kakehashi.shared.runtime import Runtime

EMAIL = "bench@kakehashi.example"
PASSWORD = "correct horse battery staple"  # noqa: S105 - a benchmark user's


def timed(label: str, repeat: int, call: Callable[[], object]) -> None:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"{label:<58} p50 {statistics.median(times):8.3f} ms  p95 {p95:8.3f} ms  (n={repeat})")


def _claims(token: str) -> dict[str, object]:
    claims: dict[str, object] = jwt.decode(token, options={"verify_signature": False})
    return claims


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sign-ins", type=int, default=20)
    parser.add_argument("--verifications", type=int, default=5000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        settings = IdentitySettings(database_url=f"sqlite:///{Path(folder) / 'identity.db'}")
        runtime = Runtime.build(settings, SPEC.migrations)
        runtime.migrate()
        client = TestClient(SPEC.create_app(runtime))
        assert hasattr(client.app, "state")
        identity: Identity = client.app.state.identity
        users.create_admin(
            runtime.uow(),
            identity,
            email=EMAIL,
            display_name="Bench",
            organisation_id="kakehashi-operator",
            password=PASSWORD,
        )
        body = {"email": EMAIL, "password": PASSWORD}
        cost = (
            f"t={settings.argon2_time_cost} m={settings.argon2_memory_kib}KiB "
            f"p={settings.argon2_parallelism}"
        )
        password_hash = identity.passwords.hash(PASSWORD)
        # For comparison, OWASP's minimum for argon2id (19 MiB, 2 passes, 1 lane).
        owasp = Passwords(time_cost=2, memory_kib=19456, parallelism=1)
        owasp_hash = owasp.hash(PASSWORD)
        timed(
            "argon2id verify alone (t=2 m=19456KiB p=1, OWASP minimum)",
            args.sign_ins,
            lambda: owasp.verify(owasp_hash, PASSWORD),
        )
        timed(
            f"argon2id verify alone ({cost})",
            args.sign_ins,
            lambda: identity.passwords.verify(password_hash, PASSWORD),
        )

        def sign_in() -> None:
            response = client.post("/sign-in", json=body)
            assert response.status_code == 200, response.text

        timed("POST /sign-in, right password (whole API)", args.sign_ins, sign_in)

        def wrong() -> None:
            # Under the lockout limit: a success in between resets the account counter.
            client.post("/sign-in", json={"email": EMAIL, "password": "wrong password here"})
            client.post("/sign-in", json=body)

        timed("POST /sign-in, wrong then right (two requests)", args.sign_ins, wrong)

        def unknown() -> None:
            client.post(
                "/sign-in", json={"email": "nobody@kakehashi.example", "password": PASSWORD}
            )

        timed("POST /sign-in, unknown email (dummy hash)", 4, unknown)

        token = client.post("/sign-in", json=body).json()["access_token"]
        jwks = client.get("/.well-known/jwks.json").json()
        key = jwt.PyJWKSet.from_dict(jwks).keys[0]
        n = args.verifications

        def verify_cached() -> None:
            jwt.decode(
                token, key, algorithms=["EdDSA"], audience="kakehashi", issuer=settings.issuer
            )

        timed("verify EdDSA token, JWKS key cached (a verifier)", n, verify_cached)

        def verify_parsing() -> None:
            parsed = jwt.PyJWKSet.from_dict(jwks)[jwt.get_unverified_header(token)["kid"]]
            jwt.decode(
                token, parsed, algorithms=["EdDSA"], audience="kakehashi", issuer=settings.issuer
            )

        timed("verify EdDSA token, JWKS parsed every time", n, verify_parsing)
        timed(
            "verify at identity (keys and user rows from SQLite)",
            max(1, n // 10),
            lambda: callers.principal_of(runtime.uow(), identity, token),
        )
        # Today's check, done as shared.auth did it (HS256, a shared secret), for comparison.
        secret = "bench-secret-0123456789abcdef-0123456789"  # noqa: S105 - benchmark only
        hs = jwt.encode(_claims(token) | {"iss": "kakehashi"}, secret, algorithm="HS256")
        timed(
            "verify HS256 token, shared secret (today's services)",
            n,
            lambda: jwt.decode(
                hs, secret, algorithms=["HS256"], audience="kakehashi", issuer="kakehashi"
            ),
        )
        client.close()
        runtime.engine.dispose()


if __name__ == "__main__":
    main()
