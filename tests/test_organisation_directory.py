"""Candidates and employers keep identity's organisations (their names) from identity-events:
each one's migration makes the directory, its consumer reads the topic and its handlers apply
the snapshots. (Matching's console test shows the names on its pages.)"""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from conftest import event_applier
from kakehashi.candidates.bootstrap import SPEC as CANDIDATES
from kakehashi.employers.bootstrap import SPEC as EMPLOYERS
from kakehashi.shared.events import IDENTITY_EVENTS, EventEnvelope
from kakehashi.shared.organisations import display_name, organisation_names
from kakehashi.shared.runtime import ServiceSpec

pytestmark = pytest.mark.integration


def identity_event(type: str, subject: str, data: dict[str, Any]) -> EventEnvelope:
    return EventEnvelope.new(type=type, source="kakehashi.identity", subject=subject, data=data)


@pytest.mark.parametrize("spec", [CANDIDATES, EMPLOYERS], ids=lambda spec: spec.name)
def test_organisations_from_identity_are_named_and_user_events_read_past(
    service_client: Any, spec: ServiceSpec
) -> None:
    assert IDENTITY_EVENTS in spec.consumes
    client = service_client(spec)
    applier = event_applier(client, spec)
    snapshot = {
        "organisation_id": "emp-aichi-tanaka-kogyo",
        "version": 1,
        "kind": "employer",
        "name_latin": "Tanaka Kogyo",
        "name_vi": None,
        "name_ja": "田中工業株式会社",
        "province": None,
        "prefecture": "Aichi",
    }
    assert applier.apply(
        identity_event("organisation.registered", "emp-aichi-tanaka-kogyo", snapshot)
    )
    renamed = snapshot | {"version": 2, "name_vi": "Công ty Tanaka Kogyo"}
    assert applier.apply(identity_event("organisation.updated", "emp-aichi-tanaka-kogyo", renamed))
    user = {"user_id": "u-1", "version": 1, "display_name": "Lan", "memberships": []}
    assert applier.apply(identity_event("user.registered", "u-1", user))
    assert not applier.skipped_unknown

    with Session(client.app.state.runtime.engine) as session:
        names = organisation_names(session, ["emp-aichi-tanaka-kogyo", "tc-unknown"])
    assert display_name("emp-aichi-tanaka-kogyo", names, "vi") == "Công ty Tanaka Kogyo"
    assert display_name("emp-aichi-tanaka-kogyo", names, "ja") == "田中工業株式会社"
    assert display_name("tc-unknown", names, "ja") == "tc-unknown"
