"""Time from a candidate's registration (HTTP 201) to its appearance in a job order's match list.

Starts the whole system as separate processes (broker, APIs, relays, consumer) on free ports with
fresh SQLite databases, then registers candidates one at a time and polls the match list.

    uv run python bench/slice_latency.py --candidates 50
"""

from __future__ import annotations

import argparse
import socket
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

from kakehashi.devtools.development_key import development_token
from kakehashi.devtools.supervisor import SERVICES, Ports, Supervisor
from kakehashi.shared.auth import Principal, Role


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _headers(system: Supervisor, role: Role, org: str) -> dict[str, str]:
    """A development token naming the issuer the running services trust (identity's URL)."""
    principal = Principal(subject="bench", role=role, organisation_id=org)
    token = development_token(principal, issuer=system.url("identity"))
    return {"Authorization": f"Bearer {token}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=50)
    args = parser.parse_args()
    ports = Ports(broker=_free_port(), apis={s: _free_port() for s in SERVICES})
    with tempfile.TemporaryDirectory() as scratch:
        system = Supervisor(Path(scratch) / "data", ports=ports, log_dir=Path(scratch) / "logs")
        system.start()
        try:
            run(system, args.candidates)
        finally:
            system.stop()


def run(system: Supervisor, count: int) -> None:
    centre = _headers(system, Role.TRAINING_CENTRE, "tc-bench")
    manager = _headers(system, Role.PROGRAM_MANAGER, "pm-bench")
    order = httpx.post(
        f"{system.url('employers')}/job-orders",
        headers=_headers(system, Role.EMPLOYER, "emp-bench"),
        json={
            "title": "溶接工 / Welder",
            "sector": "construction",
            "prefecture": "Aichi",
            "headcount": 5,
            "min_japanese_level": "N4",
            "required_skills": [{"code": "welding", "min_level": 2, "must_have": True}],
            "track": "ssw1",
            "expected_departure_date": (date.today() + timedelta(days=150)).isoformat(),
        },
    ).json()
    matches_url = f"{system.url('matching')}/job-orders/{order['id']}/matches?limit=500"
    with httpx.Client(headers=manager) as client:
        while client.get(matches_url).status_code != 200:
            time.sleep(0.01)
        latencies = []
        for n in range(count):
            body = {
                "full_name": f"Nguyễn Văn {n}",
                "date_of_birth": "2000-03-15",
                "province": "Tây Ninh",
                "sector": "construction",
                "japanese_level": "N4",
                "available_from": (date.today() + timedelta(days=30)).isoformat(),
                "skills": [{"code": "welding", "level": 3, "tests_passed": ["ssw1_construction"]}],
                "consents": [
                    {
                        "purpose": "matching_in_japan",
                        "scope": "share_with_employers_in_japan",
                        "notice_version": "2026-01",
                        "language": "vi",
                    }
                ],
            }
            started = time.perf_counter()
            response = client.post(
                f"{system.url('candidates')}/candidates", json=body, headers=centre
            )
            response.raise_for_status()
            candidate_id = response.json()["id"]
            while candidate_id not in {
                m["candidate_id"] for m in client.get(matches_url).json()["matches"]
            }:
                time.sleep(0.005)
            latencies.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(latencies, n=20, method="inclusive")
    print(
        f"registration -> match list over {count} candidates (ms): "
        f"p50 {statistics.median(latencies):.0f}, p95 {cuts[18]:.0f}, max {max(latencies):.0f}"
    )


if __name__ == "__main__":
    main()
