"""The matching API at scale: match-list latency over HTTP and the service's resident memory.

Fills a matching read model (SQLite) with a synthetic market, starts `kakehashi-matching api` as
its own process, and measures GET /job-orders/{id}/matches after the first (index-building) call.

    uv run python bench/matching_service.py --candidates 100000 --orders 300
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import insert, update

sys.path.insert(0, str(Path(__file__).resolve().parent))

from market import LEVELS, SECTORS, generate, job_order_fields

from kakehashi.devtools.development_key import development_token
from kakehashi.matching.adapters.tables import CandidateView, ChangeSequence, JobOrderView
from kakehashi.matching.bootstrap import MIGRATIONS
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.db import make_engine, migrate
from kakehashi.shared.net import wait_for_port


def fill(url: str, candidates: int, orders: int) -> list[str]:
    market = generate(candidates, orders)
    now = datetime.now(UTC)
    engine = make_engine(url)
    migrate(engine, MIGRATIONS)
    candidate_rows = [
        {
            "candidate_id": c.id,
            "training_centre_id": "tc-bench",
            "full_name": f"Nguyễn Văn {c.id}",
            "province": "Tây Ninh",
            "sector": SECTORS[int(market.candidate_sector[i])],
            "japanese_level": LEVELS[c.japanese_rank].value,
            "skills": [{"code": k, "level": v} for k, v in c.skills.items()],
            "status": "ready",
            "date_of_birth": c.date_of_birth,
            "available_from": c.available_from,
            "desired_tracks": [t.value for t in c.desired_tracks],
            "desired_sectors": [],
            "desired_prefectures": sorted(c.desired_prefectures),
            "eligible_tracks": None
            if c.eligible_tracks is None
            else [t.value for t in c.eligible_tracks],
            "experience_years": c.experience_years,
            "version": 1,
            "change_seq": i + 1,
            "updated_at": now,
        }
        for i, c in enumerate(market.candidates)
    ]
    order_rows = [
        {**job_order_fields(market, j), "version": 1, "updated_at": now}
        for j in range(len(market.orders))
    ]
    with engine.begin() as connection:
        connection.execute(insert(CandidateView.__table__), candidate_rows)  # type: ignore[attr-defined]
        connection.execute(insert(JobOrderView.__table__), order_rows)  # type: ignore[attr-defined]
        connection.execute(
            update(ChangeSequence.__table__).values(value=len(candidate_rows))  # type: ignore[attr-defined]
        )
    engine.dispose()
    return [row["job_order_id"] for row in order_rows]


def resident_mb(pid: int) -> tuple[float, float]:
    """Current and peak resident memory of a process, in MB."""
    fields = dict(
        line.split(":", 1)
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if ":" in line
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{scratch}/matching.db"
        started = time.perf_counter()
        order_ids = fill(url, args.candidates, args.orders)
        print(
            f"read model filled with {args.candidates:,} candidates, {args.orders} orders "
            f"in {time.perf_counter() - started:.1f} s"
        )
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        env = os.environ | {
            "KAKEHASHI_MATCHING_DATABASE_URL": url,
            "KAKEHASHI_MATCHING_LOG_LEVEL": "WARNING",
        }
        api = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kakehashi.matching.entrypoints.cli",
                "api",
                "--port",
                str(port),
            ],
            env=env,
        )
        try:
            wait_for_port("127.0.0.1", port, timeout_s=60)
            token = development_token(
                Principal(subject="bench", role=Role.PROGRAM_MANAGER, organisation_id="pm")
            )
            with httpx.Client(
                base_url=f"http://127.0.0.1:{port}",
                headers={"Authorization": f"Bearer {token}"},
                timeout=120,
            ) as client:
                started = time.perf_counter()
                for sector_order in {o.split("-")[1]: o for o in order_ids}.values():
                    client.get(f"/job-orders/{sector_order}/matches?limit=50").raise_for_status()
                print(
                    f"first calls (building the in-memory index): {time.perf_counter() - started:.1f} s"
                )
                latencies = []
                for n in range(args.requests):
                    t = time.perf_counter()
                    client.get(
                        f"/job-orders/{order_ids[n % len(order_ids)]}/matches?limit=50"
                    ).raise_for_status()
                    latencies.append((time.perf_counter() - t) * 1000)
            cuts = statistics.quantiles(latencies, n=20)
            now_mb, peak_mb = resident_mb(api.pid)
            print(
                f"GET match list (top 50, over HTTP): p50 {statistics.median(latencies):.1f} ms, "
                f"p95 {cuts[18]:.1f} ms"
            )
            print(f"matching API resident memory: {now_mb:,.0f} MB now, {peak_mb:,.0f} MB peak")
        finally:
            api.terminate()
            api.wait(timeout=30)


if __name__ == "__main__":
    main()
