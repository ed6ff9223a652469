"""Headcount filled from matching's decisions: applied as the consumer would, and over the broker."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from conftest import Broker, match_decision, outbox_events, wait_until
from kakehashi.employers.bootstrap import SPEC
from kakehashi.shared.applier import EventApplier
from kakehashi.shared.events import MATCH_EVENTS, EventEnvelope
from kakehashi.shared.kafka import make_producer
from services.employers.tests.samples import EMPLOYER, runtime_of

pytestmark = pytest.mark.integration

ORDER = {
    "title": "溶接工 / Welder",
    "sector": "construction",
    "prefecture": "Aichi",
    "headcount": 2,
    "min_japanese_level": "N4",
    "required_skills": [{"code": "welding", "min_level": 3, "must_have": True}],
}


def test_the_order_fills_when_selections_reach_headcount(
    client: TestClient, consumer: EventApplier
) -> None:
    order = client.post("/job-orders", json=ORDER, headers=EMPLOYER).json()
    consumer.apply(match_decision(order["id"], "an", "selected", 3))
    current = client.get(f"/job-orders/{order['id']}", headers=EMPLOYER).json()
    assert (current["status"], current["headcount_filled"]) == ("open", 1)
    consumer.apply(match_decision(order["id"], "binh", "shortlisted", 1))
    consumer.apply(match_decision(order["id"], "binh", "selected", 4))
    current = client.get(f"/job-orders/{order['id']}", headers=EMPLOYER).json()
    assert (current["status"], current["headcount_filled"]) == ("filled", 2)
    history = client.get(f"/job-orders/{order['id']}/transitions", headers=EMPLOYER).json()
    assert [(h["to_status"], h["by_subject"]) for h in history[-2:]] == [
        ("interviewing", "matching-decisions"),
        ("filled", "matching-decisions"),
    ]
    assert [e["type"] for e in outbox_events(client)] == [
        "job_order.opened",
        "job_order.updated",
        "job_order.filled",
    ]


def refusal(order_id: str, candidate_id: str, match_version: int) -> EventEnvelope:
    return EventEnvelope.new(
        type="candidate.match_refused",
        source="kakehashi.candidates",
        subject=candidate_id,
        data={
            "match_id": f"{order_id}:{candidate_id}",
            "job_order_id": order_id,
            "candidate_id": candidate_id,
            "match_version": match_version,
            "status": "selected",
            "reason_code": "withdrawn",
            "message": "the candidate has withdrawn",
        },
    )


def _order(client: TestClient, order_id: str) -> tuple[str, int]:
    current = client.get(f"/job-orders/{order_id}", headers=EMPLOYER).json()
    return current["status"], current["headcount_filled"]


def test_a_selection_the_candidates_owner_refused_is_not_counted(
    client: TestClient, consumer: EventApplier
) -> None:
    order = client.post("/job-orders", json={**ORDER, "headcount": 1}, headers=EMPLOYER).json()
    consumer.apply(match_decision(order["id"], "an", "selected", 3))
    assert _order(client, order["id"]) == ("filled", 1)
    assert consumer.apply(refusal(order["id"], "an", 2))  # an older decision's: no effect
    assert _order(client, order["id"]) == ("filled", 1)
    assert consumer.apply(refusal(order["id"], "an", 3))
    # The compensating step: the place is free again and the order back to interviewing.
    assert _order(client, order["id"]) == ("interviewing", 0)
    history = client.get(f"/job-orders/{order['id']}/transitions", headers=EMPLOYER).json()
    assert (history[-1]["to_status"], history[-1]["reason"]) == (
        "interviewing",
        "a selection was released",
    )
    assert outbox_events(client)[-1]["type"] == "job_order.updated"


def test_a_refusal_arriving_before_its_decision_still_keeps_it_uncounted(
    client: TestClient, consumer: EventApplier
) -> None:
    order = client.post("/job-orders", json=ORDER, headers=EMPLOYER).json()
    assert consumer.apply(refusal(order["id"], "an", 3))
    assert consumer.apply(match_decision(order["id"], "an", "selected", 3))
    assert _order(client, order["id"]) == ("open", 0)
    consumer.apply(match_decision(order["id"], "an", "selected", 5))  # decided again: counted
    assert _order(client, order["id"]) == ("open", 1)


def test_other_candidate_events_are_read_past_quietly(
    client: TestClient, consumer: EventApplier
) -> None:
    event = EventEnvelope.new(
        type="candidate.status_changed",
        source="kakehashi.candidates",
        subject="an",
        data={"candidate_id": "an", "version": 2, "status": "ready"},
    )
    assert consumer.apply(event)
    assert consumer.skipped_unknown == {}


def test_late_and_repeated_decisions_do_not_count_twice(
    client: TestClient, consumer: EventApplier
) -> None:
    order = client.post("/job-orders", json=ORDER, headers=EMPLOYER).json()
    selected = match_decision(order["id"], "an", "selected", 3)
    consumer.apply(selected)
    consumer.apply(selected)  # redelivered: the inbox makes it a no-op
    consumer.apply(match_decision(order["id"], "an", "selected", 3))  # same version, new event id
    consumer.apply(match_decision(order["id"], "an", "interviewed", 2))  # older: ignored
    current = client.get(f"/job-orders/{order['id']}", headers=EMPLOYER).json()
    assert (current["status"], current["headcount_filled"]) == ("open", 1)


def test_decisions_arriving_through_the_broker_fill_the_order(
    broker: Broker, service_client: Callable[..., TestClient], database_url: str
) -> None:
    client = service_client(SPEC, kafka_bootstrap_servers=broker.bootstrap)
    order = client.post("/job-orders", json=ORDER | {"headcount": 1}, headers=EMPLOYER).json()
    producer = make_producer(broker.servers)
    try:
        producer.send(
            MATCH_EVENTS,
            key=order["id"].encode(),
            value=match_decision(order["id"], "an", "selected", 1).to_bytes(),
        ).get(timeout=10)
    finally:
        producer.close(timeout=10)
    consumer = SPEC.consumer(runtime_of(client))
    try:
        consumer.assign()
        wait_until(
            lambda: (
                client.get(f"/job-orders/{order['id']}", headers=EMPLOYER).json()["status"]
                == "filled"
            ),
            step=consumer.poll_once,
        )
    finally:
        consumer.consumer.close()
        consumer.dead_letters.close(timeout=10)
    assert [e["type"] for e in outbox_events(client)][-1] == "job_order.filled"
