"""Erasure reaches the broker: the outbox relay publishes `candidate.erased`, which names no one."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from conftest import Broker, read_topic
from kakehashi.candidates.bootstrap import SPEC
from kakehashi.shared.events import CANDIDATE_EVENTS
from kakehashi.shared.kafka import make_producer
from kakehashi.shared.outbox import OutboxRelay, pending_count
from services.candidates.tests.samples import CENTRE, SHARING, runtime_of

pytestmark = pytest.mark.integration

AN = {
    "full_name": "Nguyen Van An",
    "name_vi": "Nguyễn Văn An",
    "date_of_birth": "2000-05-01",
    "sex": "male",
    "province": "Tây Ninh",
    "phone": "+84 912 345 678",
    "email": "an.nguyen@example.vn",
    "passport_number": "C1234567",
    "health_check_status": "fit",
    "sector": "construction",
    "skills": [{"code": "welding", "level": 3, "tests_passed": ["ssw1_construction"]}],
    "available_from": "2027-02-01",
    "consents": [SHARING],
}
PERSONAL = ("Nguyen", "Nguyễn", "2000-05-01", "male", "+84", "912 345", "example.vn", "C1234567")


def test_erasure_is_published_through_the_relay_without_personal_data(
    broker: Broker, service_client: Callable[..., TestClient]
) -> None:
    client = service_client(SPEC, kafka_bootstrap_servers=broker.bootstrap)
    created = client.post("/candidates", json=AN, headers=CENTRE)
    assert created.status_code == 201, created.text
    cid = created.json()["id"]
    erased = client.post(f"/candidates/{cid}/erase", headers=CENTRE)
    assert erased.status_code == 200, erased.text

    sessions = runtime_of(client).session_factory
    producer = make_producer(broker.servers)
    try:
        assert OutboxRelay(sessions, producer).publish_pending() == 2
    finally:
        producer.close(timeout=10)
    assert pending_count(sessions) == 0

    records = [
        r for r in read_topic(broker.servers, CANDIDATE_EVENTS, expected=2) if r.key == cid.encode()
    ]
    assert [dict(r.headers)["ce_type"] for r in records] == [
        b"candidate.registered",
        b"candidate.erased",
    ]
    last = records[-1]
    event = json.loads(last.value)
    assert (event["type"], event["subject"]) == ("candidate.erased", cid)
    assert event["data"] == {"candidate_id": cid, "version": erased.json()["version"]}
    raw = last.value.decode()
    for value in PERSONAL:
        assert value not in raw, value
