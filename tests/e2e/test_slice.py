"""End to end: the three services, their relays and consumer as processes, a real broker.

Drives the vertical slice over HTTP and checks the topics with librdkafka (confluent-kafka), a
client independent of the services' kafka-python.
"""

from __future__ import annotations

import json
import signal
import time
import uuid
from datetime import date, timedelta
from functools import partial
from typing import Any

import httpx
import pytest

from conftest import auth, wait_until
from kakehashi.devtools.supervisor import Supervisor
from kakehashi.shared.events import CANDIDATE_EVENTS, EventEnvelope, dead_letter_topic
from tests.e2e.conftest import ARTIFACTS, produce_independently, read_independently

pytestmark = pytest.mark.e2e

MANAGER = auth("program_manager", "pm-office")
Json = dict[str, Any]


TODAY = date.today()
# Without the consent to share with employers in Japan a candidate is never published to matching.
SHARING_CONSENT = [
    {
        "purpose": "matching_in_japan",
        "scope": "share_with_employers_in_japan",
        "notice_version": "2026-01",
        "language": "vi",
    }
]


def _body(response: httpx.Response) -> Json:
    body: Json = response.json()
    return body


def _candidate(name: str, level: str, welding: int, sector: str = "construction") -> Json:
    """A profile complete enough for SSW i: adult, available, skills test passed."""
    return {
        "full_name": name,
        "date_of_birth": "1999-05-01",
        "province": "Tây Ninh",
        "sector": sector,
        "japanese_level": level,
        "available_from": (TODAY + timedelta(days=30)).isoformat(),
        "skills": [{"code": "welding", "level": welding, "tests_passed": [f"ssw1_{sector}"]}],
        "consents": SHARING_CONSENT,
    }


def _register(system: Supervisor, centre: str, body: Json) -> Json:
    response = httpx.post(
        f"{system.url('candidates')}/candidates", json=body, headers=auth("training_centre", centre)
    )
    assert response.status_code == 201, response.text
    return _body(response)


def _post_order(system: Supervisor, employer: str, **changes: object) -> Json:
    body = {
        "title": "溶接工 / Welder",
        "sector": "construction",
        "prefecture": "Aichi",
        "headcount": 2,
        "min_japanese_level": "N4",
        "required_skills": [{"code": "welding", "min_level": 3, "must_have": True}],
        "track": "ssw1",
        "expected_departure_date": (TODAY + timedelta(days=150)).isoformat(),
    } | changes
    response = httpx.post(
        f"{system.url('employers')}/job-orders", json=body, headers=auth("employer", employer)
    )
    assert response.status_code == 201, response.text
    return _body(response)


def _matches(system: Supervisor, order_id: str) -> list[Json]:
    response = httpx.get(
        f"{system.url('matching')}/job-orders/{order_id}/matches?limit=500", headers=MANAGER
    )
    if response.status_code == 404:  # the order's event has not arrived yet
        return []
    assert response.status_code == 200, response.text
    matches: list[Json] = _body(response)["matches"]
    return matches


def _topic_with(system: Supervisor, keys: set[str]) -> list[Json]:
    """The candidate topic as an independent client reads it, once it holds every key."""
    found: list[Json] = wait_until(
        lambda: (
            (records := read_independently(system.bootstrap, CANDIDATE_EVENTS))
            and keys <= {r["key"] for r in records}
            and records
        ),
        timeout_s=60,
    )
    return found


def _matched_ids(system: Supervisor, order_id: str) -> set[str]:
    return {m["candidate_id"] for m in _matches(system, order_id)}


def _is_matched(system: Supervisor, order_id: str, candidate_id: str) -> bool:
    return candidate_id in _matched_ids(system, order_id)


def test_registered_candidates_appear_ranked_in_the_order_match_list(
    system: Supervisor,
) -> None:
    centre = f"tc-{uuid.uuid4().hex[:6]}"
    strong = _register(system, centre, _candidate("Nguyễn Văn An", "N3", 4))
    fair = _register(system, centre, _candidate("Trần Thị Bình", "N4", 3))
    weak = _register(system, centre, _candidate("Lê Văn Cường", "N5", 5))  # below N4
    order = _post_order(system, f"emp-{uuid.uuid4().hex[:6]}")
    wait_until(lambda: _matched_ids(system, order["id"]) >= {strong["id"], fair["id"]})
    ranked = [
        m
        for m in _matches(system, order["id"])
        if m["candidate_id"] in {strong["id"], fair["id"], weak["id"]}
    ]
    assert [m["candidate_id"] for m in ranked] == [strong["id"], fair["id"]]
    assert ranked[0]["score"] > ranked[1]["score"]
    assert ranked[0]["full_name"] == "Nguyễn Văn An"

    ids = {strong["id"], fair["id"], weak["id"]}
    records = _topic_with(system, ids)
    mine = {r["key"]: json.loads(r["payload"]) for r in records if r["key"] in ids}
    for key, event in mine.items():
        assert event["type"] == "candidate.registered"
        assert event["subject"] == key
        assert event["data"]["training_centre_id"] == centre
    assert records[0]["headers"]["ce_type"] == "candidate.registered"


def test_registration_to_match_list_latency_is_recorded(system: Supervisor) -> None:
    order = _post_order(system, f"emp-{uuid.uuid4().hex[:6]}")
    wait_until(
        lambda: (
            httpx.get(
                f"{system.url('matching')}/job-orders/{order['id']}/matches", headers=MANAGER
            ).status_code
            == 200
        )
    )
    latencies = []
    for n in range(5):
        started = time.perf_counter()
        candidate = _register(system, "tc-latency", _candidate(f"Phạm Văn {n}", "N3", 4))
        wait_until(partial(_is_matched, system, order["id"], candidate["id"]), timeout_s=30)
        latencies.append(time.perf_counter() - started)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "e2e-latency.json").write_text(
        json.dumps({"registration_to_match_list_s": latencies})
    )
    print(f"registration -> match list: {[round(x * 1000) for x in latencies]} ms")


def test_candidates_registered_while_the_broker_is_down_all_arrive_after(
    system: Supervisor,
) -> None:
    order = _post_order(system, f"emp-{uuid.uuid4().hex[:6]}")
    wait_until(
        lambda: (
            httpx.get(
                f"{system.url('matching')}/job-orders/{order['id']}/matches", headers=MANAGER
            ).status_code
            == 200
        )
    )
    system.broker.send_signal(signal.SIGSTOP)
    try:
        registered = [
            _register(system, "tc-outage", _candidate(f"Võ Thị {n}", "N4", 3))["id"]
            for n in range(10)
        ]
        time.sleep(3)  # the relay tries, times out, and keeps the rows
        assert not set(registered) & _matched_ids(system, order["id"])
    finally:
        system.broker.send_signal(signal.SIGCONT)
    wait_until(lambda: set(registered) <= _matched_ids(system, order["id"]), timeout_s=90)
    _topic_with(system, set(registered))  # and every event is on the topic


def test_the_same_event_delivered_twice_is_applied_once(system: Supervisor) -> None:
    order = _post_order(system, f"emp-{uuid.uuid4().hex[:6]}")
    candidate = _register(system, "tc-dupes", _candidate("Đặng Văn Đức", "N4", 3))
    wait_until(lambda: candidate["id"] in _matched_ids(system, order["id"]))
    [original] = [
        json.loads(r["payload"])
        for r in _topic_with(system, {candidate["id"]})
        if r["key"] == candidate["id"]
    ]
    # Same event id, but data that would change the read model if it were applied again.
    replay = EventEnvelope.model_validate(
        original | {"data": original["data"] | {"version": 2, "full_name": "REPLAYED"}}
    )
    marker = _register(system, "tc-dupes", _candidate("Bùi Thị Mai", "N4", 3))
    produce_independently(system.bootstrap, CANDIDATE_EVENTS, candidate["id"], replay.to_bytes())
    later = _register(system, "tc-dupes", _candidate("Ngô Văn Long", "N4", 3))
    wait_until(lambda: {marker["id"], later["id"]} <= _matched_ids(system, order["id"]))
    [match] = [m for m in _matches(system, order["id"]) if m["candidate_id"] == candidate["id"]]
    assert match["full_name"] == "Đặng Văn Đức"


def test_a_poison_message_goes_to_the_dead_letter_topic_and_later_ones_are_processed(
    system: Supervisor,
) -> None:
    order = _post_order(system, f"emp-{uuid.uuid4().hex[:6]}")
    produce_independently(system.bootstrap, CANDIDATE_EVENTS, "poison", b"this is not an event")
    after = _register(system, "tc-poison", _candidate("Hồ Thị Lan", "N4", 3))
    wait_until(lambda: after["id"] in _matched_ids(system, order["id"]), timeout_s=30)
    dead = wait_until(lambda: read_independently(system.bootstrap, dead_letter_topic("matching")))
    [poison] = [r for r in dead if r["key"] == "poison"]
    assert poison["payload"] == "this is not an event"
    assert poison["headers"]["dlq_original_topic"] == CANDIDATE_EVENTS
    assert poison["headers"]["dlq_consumer_group"] == "matching"
    assert poison["headers"]["dlq_error_type"] == "ValidationError"
