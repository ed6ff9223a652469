"""Matching's metrics: decisions per action (only what committed), the match list's latency and
the candidate index, as the API's /metrics shows them."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import auth
from kakehashi.matching.bootstrap import SPEC
from kakehashi.shared.applier import EventApplier
from kakehashi.shared.metrics import sample_value
from services.matching.tests.market_events import applier, candidate_event, order_event

pytestmark = pytest.mark.integration

MANAGER = auth("program_manager", "pm-office")
EMPLOYER = auth("employer", "emp-aichi")
DECISIONS = "kakehashi_matching_decisions_total"
LISTS = "kakehashi_matching_match_list_duration_seconds_count"


@pytest.fixture
def client(service_client: Any) -> TestClient:
    client: TestClient = service_client(SPEC)
    return client


@pytest.fixture
def market(client: TestClient) -> EventApplier:
    consumer = applier(client)
    consumer.apply(order_event("order-1", headcount=1))
    consumer.apply(order_event("order-2"))
    for name in ("an", "binh", "cuong"):
        consumer.apply(candidate_event(name))
    return consumer


def decided(action: str) -> float:
    return sample_value(DECISIONS, {"action": action})


def scraped(client: TestClient, name: str, **labels: str) -> float:
    """A sample's value as GET /metrics shows it."""
    rendered = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    line = f"{name}{{{rendered}}} " if labels else f"{name} "
    for row in client.get("/metrics").text.splitlines():
        if row.startswith(line):
            return float(row.rsplit(" ", 1)[1])
    return 0.0


def test_decisions_are_counted_per_action_once_committed(
    client: TestClient, market: EventApplier
) -> None:
    before = {a: decided(a) for a in ("shortlist", "propose", "interview", "undo", "reject")}
    url = "/job-orders/order-1/candidates/{}/decisions"
    assert client.post(url.format("an"), json={"action": "shortlist"}, headers=MANAGER).is_success
    assert client.post(url.format("an"), json={"action": "propose"}, headers=MANAGER).is_success
    interview = client.post(
        "/job-orders/order-1/candidates/an/interview", json={"result": "pass"}, headers=EMPLOYER
    )
    assert interview.is_success, interview.text
    assert client.post("/job-orders/order-1/candidates/an/undo", headers=MANAGER).is_success
    refused = client.post(url.format("binh"), json={"action": "reject"}, headers=MANAGER)
    assert refused.status_code == 422  # no reason code: refused, so not counted

    def item(candidate: str, action: str = "shortlist") -> dict[str, str]:
        return {"job_order_id": "order-2", "candidate_id": candidate, "action": action}

    bulk_refused = {"decisions": [item("an"), item("binh", "select")]}
    assert client.post("/decisions/bulk", json=bulk_refused, headers=MANAGER).status_code == 409
    bulk = {"decisions": [item("binh"), item("cuong")]}
    assert client.post("/decisions/bulk", json=bulk, headers=MANAGER).is_success

    assert decided("shortlist") == before["shortlist"] + 3  # one alone, two in the bulk
    assert decided("propose") == before["propose"] + 1
    assert decided("interview") == before["interview"] + 1
    assert decided("undo") == before["undo"] + 1
    assert decided("reject") == before["reject"]
    assert scraped(client, DECISIONS, action="shortlist") == decided("shortlist")


def test_match_lists_are_timed_and_the_index_counts_its_candidates(
    client: TestClient, market: EventApplier
) -> None:
    lists = sample_value(LISTS)
    builds = sample_value("kakehashi_matching_index_build_duration_seconds_count")
    for _ in range(3):
        assert client.get("/job-orders/order-1/matches", headers=MANAGER).status_code == 200
    assert sample_value(LISTS) == lists + 3
    assert sample_value("kakehashi_matching_index_build_duration_seconds_count") > builds
    assert scraped(client, "kakehashi_matching_index_candidates") == 3
    route = "/job-orders/{job_order_id}/matches"
    assert (
        scraped(client, "kakehashi_http_requests_total", method="GET", route=route, status="200")
        >= 3
    )
