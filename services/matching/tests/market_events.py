"""Events from the other services, as the matching consumer receives them, for tests."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from conftest import event_applier
from kakehashi.matching.bootstrap import SPEC
from kakehashi.shared.applier import EventApplier
from kakehashi.shared.events import EventEnvelope
from kakehashi.shared.runtime import Runtime


def applier(client: Any) -> EventApplier:
    """The service's own event applier, without Kafka clients: events are handed to it."""
    return event_applier(client, SPEC)


def runtime_of_client(client: TestClient) -> Runtime:
    """The runtime (settings and database) the client's app was built with."""
    app = client.app
    assert isinstance(app, FastAPI)
    runtime: Runtime = app.state.runtime
    return runtime


def candidate_event(
    candidate_id: str, *, version: int = 1, level: str = "N4", **changes: object
) -> EventEnvelope:
    data = {
        "candidate_id": candidate_id,
        "version": version,
        "training_centre_id": "tc-tay-ninh",
        "full_name": f"Nguyễn Văn {candidate_id}",
        "province": "Tây Ninh",
        "sector": "construction",
        "japanese_level": level,
        "skills": [{"code": "welding", "level": 3}],
        "date_of_birth": "1999-05-01",
    } | changes
    return EventEnvelope.new(
        type="candidate.registered", source="test", subject=candidate_id, data=data
    )


def order_event(
    order_id: str = "order-1", employer: str = "emp-aichi", **changes: object
) -> EventEnvelope:
    data = {
        "job_order_id": order_id,
        "version": 1,
        "employer_id": employer,
        "title": "溶接工 / Welder",
        "sector": "construction",
        "prefecture": "Aichi",
        "headcount": 2,
        "min_japanese_level": "N4",
        "required_skills": [{"code": "welding", "min_level": 3, "must_have": True}],
        "status": "open",
    } | changes
    return EventEnvelope.new(type="job_order.opened", source="test", subject=order_id, data=data)


def status_event(type: str, key: str, id_value: str, version: int, status: str) -> EventEnvelope:
    data = {key: id_value, "version": version, "status": status}
    return EventEnvelope.new(type=type, source="test", subject=id_value, data=data)


def organisation_event(
    organisation_id: str,
    name_latin: str,
    *,
    version: int = 1,
    kind: str | None = None,
    **names: str,
) -> EventEnvelope:
    """identity's `organisation.registered` (names in Vietnamese and Japanese by keyword); its
    kind from the id's prefix unless given (`program_office`)."""
    guessed = "employer" if organisation_id.startswith("emp-") else "training_centre"
    data = {
        "organisation_id": organisation_id,
        "version": version,
        "kind": kind or guessed,
        "name_latin": name_latin,
        "name_vi": names.get("name_vi"),
        "name_ja": names.get("name_ja"),
        "province": None,
        "prefecture": None,
    }
    return EventEnvelope.new(
        type="organisation.registered",
        source="kakehashi.identity",
        subject=organisation_id,
        data=data,
    )
