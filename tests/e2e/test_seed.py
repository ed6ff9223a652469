"""`kakehashi seed` against a running system: a market where every open order has eligible
candidates and candidates stand at many pipeline stages; a second run adds nothing and exits 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from conftest import TEST_ISSUER, TEST_KEY, auth, sign_as_test_issuer
from kakehashi.devtools.seed import seed
from kakehashi.devtools.supervisor import SERVICES, Supervisor

pytestmark = pytest.mark.e2e
CANDIDATES, JOB_ORDERS = 90, 10


def test_seed_twice_gives_one_market_where_every_open_order_has_candidates(
    system: Supervisor, tmp_path: Path
) -> None:
    urls = {service: system.url(service) for service in SERVICES}
    first = seed(urls, sign_as_test_issuer, candidates=CANDIDATES, job_orders=JOB_ORDERS, seed=7)
    assert first.candidates + first.candidates_existing == CANDIDATES
    assert first.job_orders == JOB_ORDERS
    assert first.moves > 0
    assert first.decisions > 0
    # Each posting employer has its company profile, so its 求人票 names the company.
    assert first.profiles == len(first.employers)
    employer = min(first.employers)
    profile = httpx.get(f"{urls['employers']}/employers/me", headers=auth("employer", employer))
    assert profile.status_code == 200, profile.text

    pm = auth("program_manager", "pm-e2e")
    statuses = {
        status: httpx.get(
            f"{urls['candidates']}/candidates", params={"status": status}, headers=pm
        ).json()["total"]
        for status in ("registered", "in_training", "ready", "shortlisted", "interviewed")
    }
    assert all(statuses.values()), statuses
    for order_id in first.job_order_ids:
        listing = httpx.get(f"{urls['matching']}/job-orders/{order_id}/matches", headers=pm).json()
        if listing["status"] in ("open", "interviewing"):
            assert listing["candidates_eligible"] >= 1, listing

    # The CLI signs with the test issuer's key, which the system under test trusts.
    key_file = tmp_path / "test-key.pem"
    key_file.write_bytes(TEST_KEY.to_pem())
    again = subprocess.run(
        [sys.executable, "-m", "kakehashi.devtools.cli", "seed",
         "--candidates", str(CANDIDATES), "--job-orders", str(JOB_ORDERS),
         *(f"--{service}-url={url}" for service, url in urls.items()),
         f"--mail-dir={system.mail_dir}"],
        env=dict(os.environ, KAKEHASHI_SEED_SIGNING_KEY=str(key_file),
                 KAKEHASHI_SEED_KID=TEST_KEY.kid, KAKEHASHI_SEED_ISSUER=TEST_ISSUER),
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "already seeded" in again.stdout
    assert "Traceback" not in again.stderr
    assert "uv run kakehashi token --role employer --org emp-" in again.stdout
    # Identity had no demo users yet: one per organisation, with the printed password.
    assert "identity: 31 organisations registered (0 already there)" in again.stdout
    assert "email pm-office@kakehashi.example   password hashi-demo-2026" in again.stdout
