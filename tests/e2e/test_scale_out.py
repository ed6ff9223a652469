"""Scaling out (issue #17, item 4): two matching API replicas and, for every consumer group, its
partitions split between two consumer processes, on PostgreSQL with six partitions per topic, give
the same match lists, decisions and counts as one process of each.

The "one process" run is a reference matching service beside the scaled one: its own database,
one consumer taking every partition, one API, fed by the same topics. The same decisions are
taken on both. Every list the scaled system serves, from either replica, must equal the
reference's, byte for byte of its JSON; the candidates service, whose consumer is split too,
must show each proposal exactly once.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from conftest import POSTGRES_ENV, TEST_ISSUER, auth, free_port
from kakehashi.devtools.scratch_database import scratch_database
from kakehashi.devtools.supervisor import PROCESSES, Process, Supervisor
from tests.e2e.conftest import running_system

pytestmark = [
    pytest.mark.e2e,
    # Fifteen processes start on two cores (with PostgreSQL beside them): more than the
    # default five minutes on a busy machine.
    pytest.mark.timeout(900),
    pytest.mark.skipif(
        not os.environ.get(POSTGRES_ENV),
        reason=f"scaling out is a PostgreSQL deployment (SQLite keeps one writer); set {POSTGRES_ENV}",
    ),
]

PARTITIONS = 6
HALVES = ("0,1,2", "3,4,5")
CANDIDATES = 48
ORDERS = 6


def _split(process: Process) -> tuple[Process, ...]:
    """A consumer as two processes, each taking half of the partitions; others as they are."""
    if process.subcommand != "consume":
        return (process,)
    setting = f"KAKEHASHI_{process.service.upper()}_CONSUMER_PARTITIONS"
    return tuple(
        Process(f"{process.name}-{half}", process.service, "consume", env=((setting, partitions),))
        for half, partitions in zip("ab", HALVES, strict=True)
    )


@pytest.fixture(scope="module")
def reference_database() -> Iterator[str]:
    """A database of its own for the reference (one-process) matching service."""
    with scratch_database(os.environ[POSTGRES_ENV], "kakehashi_e2e_reference") as url:
        yield url.render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def ports() -> dict[str, int]:
    return {"replica": free_port(), "reference": free_port()}


@pytest.fixture(scope="module")
def system(
    tmp_path_factory: pytest.TempPathFactory,
    test_jwks_file: Any,
    reference_database: str,
    ports: dict[str, int],
) -> Iterator[Supervisor]:
    reference = (("KAKEHASHI_MATCHING_DATABASE_URL", reference_database),)
    processes = (
        # identity stays out: the services trust the test issuer's key here.
        *(split for p in PROCESSES if p.service != "identity" for split in _split(p)),
        Process("matching-api-replica", "matching", "api", port=ports["replica"]),
        Process("reference-matching-consumer", "matching", "consume", env=reference),
        Process(
            "reference-matching-api", "matching", "api", env=reference, port=ports["reference"]
        ),
    )
    service_env = {
        "ENVIRONMENT": "test",
        "AUTH_ISSUER": TEST_ISSUER,
        "AUTH_JWKS_FILE": str(test_jwks_file),
    }
    with running_system(tmp_path_factory, service_env, processes, PARTITIONS) as supervisor:
        yield supervisor


def _candidate(n: int) -> dict[str, Any]:
    """Welders of varied strength, Japanese and availability, so that scores differ."""
    return {
        "full_name": f"Nguyen Van Scale {n:03d}",
        "date_of_birth": f"199{n % 10}-0{1 + n % 9}-1{n % 10}",
        "province": "Tây Ninh",
        "sector": "construction",
        "japanese_level": ("N4", "N3", "N2")[n % 3],
        "available_from": (date.today() + timedelta(days=20 + n % 40)).isoformat(),
        "skills": [
            {"code": "welding", "level": 3 + n % 3, "tests_passed": ["ssw1_construction"]},
            *([{"code": "scaffolding", "level": 1 + n % 4}] if n % 2 else []),
        ],
        "consents": [
            {
                "purpose": "matching_in_japan",
                "scope": "share_with_employers_in_japan",
                "notice_version": "2026-01",
                "language": "vi",
            }
        ],
    }


def _order(n: int) -> dict[str, Any]:
    return {
        "title": f"溶接工 / Welder {n}",
        "sector": "construction",
        "prefecture": ("Aichi", "Osaka", "Tokyo")[n % 3],
        "headcount": 1 + n % 3,
        "min_japanese_level": "N4",
        "required_skills": [
            {"code": "welding", "min_level": 3, "must_have": True},
            {"code": "scaffolding", "min_level": 1 + n % 2, "must_have": False},
        ],
        "track": "ssw1",
        "expected_departure_date": (date.today() + timedelta(days=150)).isoformat(),
    }


def _lists(url: str, orders: list[str], manager: dict[str, str]) -> dict[str, Any]:
    """Each order's match list at `url` (None while the order has not reached it)."""
    lists = {}
    for order in orders:
        response = httpx.get(f"{url}/job-orders/{order}/matches?limit=500", headers=manager)
        if response.status_code != 404:
            response.raise_for_status()
        lists[order] = response.json() if response.status_code == 200 else None
    return lists


def _settled(
    urls: dict[str, str], orders: list[str], manager: dict[str, str], done: Any
) -> dict[str, dict[str, Any]]:
    """Every replica's lists once `done(lists)` holds for each of them (events take a moment)."""
    deadline = time.monotonic() + 120
    while True:
        seen = {name: _lists(url, orders, manager) for name, url in urls.items()}
        if all(done(lists) for lists in seen.values()) or time.monotonic() > deadline:
            return seen
        time.sleep(0.5)


def test_replicas_and_split_consumers_agree_with_one_process(
    system: Supervisor, ports: dict[str, int]
) -> None:
    centre, manager = auth("training_centre", "tc-scale"), auth("program_manager", "pm-scale")
    urls = {
        "replica 1": system.url("matching"),
        "replica 2": f"http://{system.host}:{ports['replica']}",
        "reference": f"http://{system.host}:{ports['reference']}",
    }
    candidates = []
    for n in range(CANDIDATES):
        created = httpx.post(
            f"{system.url('candidates')}/candidates", json=_candidate(n), headers=centre
        )
        assert created.status_code == 201, created.text
        candidates.append(created.json()["id"])
    orders = []
    for n in range(ORDERS):
        employer = auth("employer", f"emp-scale-{n % 3}")
        posted = httpx.post(
            f"{system.url('employers')}/job-orders", json=_order(n), headers=employer
        )
        assert posted.status_code == 201, posted.text
        orders.append(posted.json()["id"])

    def everyone_evaluated(lists: dict[str, Any]) -> bool:
        return all(
            lists[o] is not None and lists[o]["candidates_evaluated"] == CANDIDATES for o in orders
        )

    before = _settled(urls, orders, manager, everyone_evaluated)
    assert everyone_evaluated(before["reference"]), before["reference"]
    assert before["replica 1"] == before["reference"]
    assert before["replica 2"] == before["reference"]

    # The top candidate of each order is proposed, through the two replicas in turn (and on
    # the reference, which publishes nothing: it runs no relay).
    proposed = {order: before["reference"][order]["matches"][0]["candidate_id"] for order in orders}
    for number, (order, candidate) in enumerate(proposed.items()):
        path = f"/job-orders/{order}/candidates/{candidate}/decisions"
        for url in (list(urls.values())[number % 2], urls["reference"]):
            decided = httpx.post(url + path, json={"action": "propose"}, headers=manager)
            assert decided.status_code in (200, 201), decided.text

    def shortlisted_everywhere(lists: dict[str, Any]) -> bool:
        return all(
            entry["pipeline_status"] == "shortlisted"
            for order, candidate in proposed.items()
            for entry in lists[order]["matches"]
            if entry["candidate_id"] == candidate
        )

    after = _settled(urls, orders, manager, shortlisted_everywhere)
    assert shortlisted_everywhere(after["reference"]), after["reference"]
    assert after["replica 1"] == after["reference"]
    assert after["replica 2"] == after["reference"]

    # Each replica reads the decisions the other took, and each shortlist holds one proposal.
    for order, candidate in proposed.items():
        shortlists = []
        for url in (urls["replica 1"], urls["replica 2"]):
            shortlist = httpx.get(f"{url}/job-orders/{order}/shortlist", headers=manager)
            shortlist.raise_for_status()
            shortlists.append(shortlist.json())
        assert shortlists[0] == shortlists[1]
        entries = [(e["candidate"]["candidate_id"], e["status"]) for e in shortlists[0]["entries"]]
        assert entries == [(candidate, "proposed")]
    # The candidates service, its consumer split in two, applied each proposal once.
    for candidate in set(proposed.values()):
        shown = httpx.get(f"{system.url('candidates')}/candidates/{candidate}", headers=centre)
        shown.raise_for_status()
        assert shown.json()["status"] == "shortlisted", shown.text
    assert system.dead_child() is None
