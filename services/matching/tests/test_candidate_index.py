"""The API's candidate index is built at start-up, before any request, and still syncs after."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from conftest import auth
from kakehashi.matching.bootstrap import CONSUMER_GROUP, SPEC
from kakehashi.matching.service_layer.candidate_index import CandidateIndex
from kakehashi.matching.service_layer.event_handlers import HANDLERS
from kakehashi.shared.consumer import EventConsumer
from kakehashi.shared.events import EventEnvelope

pytestmark = pytest.mark.integration

MANAGER = auth("program_manager", "pm-office")


def candidate(candidate_id: str, sector: str) -> EventEnvelope:
    data = {
        "candidate_id": candidate_id,
        "version": 1,
        "training_centre_id": "tc-tay-ninh",
        "full_name": f"Nguyễn Văn {candidate_id}",
        "province": "Tây Ninh",
        "sector": sector,
        "japanese_level": "N4",
        "skills": [{"code": "welding", "level": 3}],
        "date_of_birth": "1999-05-01",
    }
    return EventEnvelope.new(
        type="candidate.registered", source="test", subject=candidate_id, data=data
    )


def order() -> EventEnvelope:
    data = {
        "job_order_id": "order-1",
        "version": 1,
        "employer_id": "emp-aichi",
        "title": "Welder",
        "sector": "construction",
        "prefecture": "Aichi",
        "headcount": 2,
        "min_japanese_level": "N4",
        "required_skills": [{"code": "welding", "min_level": 3, "must_have": True}],
        "status": "open",
    }
    return EventEnvelope.new(type="job_order.opened", source="test", subject="order-1", data=data)


def test_every_sector_pool_is_built_at_start_up_and_changes_still_sync(service_client) -> None:
    client: TestClient = service_client(SPEC)
    consumer = EventConsumer(
        group_id=CONSUMER_GROUP,
        topics=[],
        handlers=HANDLERS,
        uow_factory=client.app.state.runtime.uow,
        consumer=None,  # type: ignore[arg-type]
        dead_letters=None,  # type: ignore[arg-type]
    )
    for event in (
        order(),
        candidate("an", "construction"),
        candidate("binh", "construction"),
        candidate("chi", "nursing_care"),
    ):
        consumer.apply(event)
    index: CandidateIndex = client.app.state.candidate_index
    assert index.built_sectors() == set()  # the app is built, not started
    with client:  # start-up (the lifespan) runs here
        assert index.built_sectors() == {"construction", "nursing_care"}  # before any request
        consumer.apply(candidate("dung", "construction"))
        body = client.get("/job-orders/order-1/matches", headers=MANAGER).json()
        assert [m["candidate_id"] for m in body["matches"]] == ["an", "binh", "dung"]
