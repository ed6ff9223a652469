"""`kakehashi-candidates api` as several worker processes on PostgreSQL: they start, share the
port, register, and /metrics sums every worker's counts whichever answers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from conftest import TEST_ISSUER, auth, free_port, wait_until
from services.candidates.tests.samples import SHARING

pytestmark = pytest.mark.integration

WORKERS = 2
REQUESTS = 12


def _requests_counted(url: str) -> float:
    text = httpx.get(f"{url}/metrics", timeout=10).text
    prefix = 'kakehashi_http_requests_total{method="POST",route="/candidates",status="201"}'
    lines = [line for line in text.splitlines() if line.startswith(prefix)]
    return sum(float(line.rsplit(" ", 1)[1]) for line in lines)


def test_several_workers_serve_one_port_and_count_together(
    postgres_only: None, database_url: str, test_jwks_file: Path, tmp_path: Path
) -> None:
    port = free_port()
    prefix = "KAKEHASHI_CANDIDATES_"
    env = os.environ | {
        prefix + "DATABASE_URL": database_url,
        prefix + "API_WORKERS": str(WORKERS),
        prefix + "API_PORT": str(port),
        prefix + "ENVIRONMENT": "test",
        prefix + "AUTH_ISSUER": TEST_ISSUER,
        prefix + "AUTH_JWKS_FILE": str(test_jwks_file),
        prefix + "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9",
        prefix + "DATA_DIR": str(tmp_path),
    }
    log = (tmp_path / "api.log").open("wb")
    api = subprocess.Popen(
        [sys.executable, "-m", "kakehashi.candidates.entrypoints.cli", "api"],
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:

        def live() -> bool:
            try:
                return httpx.get(f"{url}/health/live", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(live, timeout_s=240)
        for n in range(REQUESTS):
            body = {
                "full_name": f"Phạm Văn Hùng {n}",
                "province": "Hà Nội",
                "sector": "construction",
                "consents": [SHARING],
            }
            # A new connection each time, so the kernel may hand it to either worker.
            created = httpx.post(
                f"{url}/candidates", json=body, headers=auth("training_centre", "tc-1"), timeout=30
            )
            assert created.status_code == 201, created.text

        def started() -> int:
            lines = (tmp_path / "api.log").read_text().splitlines()
            return sum("Started server process" in line for line in lines)

        # The port answers once the first worker is up; the others follow moments later.
        wait_until(lambda: started() == WORKERS, timeout_s=120)
        assert _requests_counted(url) == REQUESTS
    finally:
        os.killpg(api.pid, signal.SIGTERM)
        try:
            api.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(api.pid, signal.SIGKILL)
            api.wait()
        log.close()
