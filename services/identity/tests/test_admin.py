"""The administration API: organisations, users and roles, who may use it, and the events it
puts in the outbox for the other services."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from conftest import outbox_events
from kakehashi.shared.events import EventEnvelope
from services.identity.tests.samples import (
    PASSWORD,
    TANAKA,
    TAY_NINH,
    Headers,
    Mailbox,
    invite,
    sign_in,
)

pytestmark = pytest.mark.integration

LAN = "lan@tayninh.example.vn"


def test_organisations_are_registered_and_updated_with_events(
    client: TestClient, admin: Headers
) -> None:
    created = client.post("/organisations", json=TAY_NINH, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["name_vi"] == "Trung tâm đào tạo Tây Ninh"
    again = client.post("/organisations", json=TAY_NINH, headers=admin)
    assert again.status_code == 409
    patched = client.patch(
        "/organisations/tc-tay-ninh-01", json={"name_ja": "タイニン研修センター"}, headers=admin
    )
    assert patched.json()["version"] == 2
    assert patched.json()["name_vi"] == "Trung tâm đào tạo Tây Ninh"

    events = [e for e in outbox_events(client) if e["subject"] == "tc-tay-ninh-01"]
    assert [e["type"] for e in events] == ["organisation.registered", "organisation.updated"]
    for event in events:
        EventEnvelope.model_validate(event)
        assert event["source"] == "kakehashi.identity"
    assert events[-1]["data"] == {
        "organisation_id": "tc-tay-ninh-01",
        "version": 2,
        "kind": "training_centre",
        "name_latin": "Tay Ninh Training Centre",
        "name_vi": "Trung tâm đào tạo Tây Ninh",
        "name_ja": "タイニン研修センター",
        "province": "Tây Ninh",
        "prefecture": None,
    }


def test_organisation_rules_and_unknown_fields_are_refused(
    client: TestClient, admin: Headers
) -> None:
    no_prefecture = {k: v for k, v in TANAKA.items() if k != "prefecture"}
    refused = client.post("/organisations", json=no_prefecture, headers=admin)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "prefecture"]
    extra = client.post("/organisations", json=TANAKA | {"owner": "me"}, headers=admin)
    assert extra.status_code == 422
    client.post("/organisations", json=TANAKA, headers=admin)
    cleared = client.patch(
        f"/organisations/{TANAKA['id']}", json={"name_latin": None}, headers=admin
    )
    assert cleared.status_code == 422
    missing = client.patch("/organisations/nope-01", json={"name_ja": "x"}, headers=admin)
    assert missing.status_code == 404


def test_roles_change_and_are_told(client: TestClient, admin: Headers, mailbox: Mailbox) -> None:
    user_id = invite(client, admin, mailbox, LAN, TAY_NINH, "training_centre")
    client.post("/organisations", json=TANAKA, headers=admin)
    put = client.put(
        f"/users/{user_id}/memberships/{TANAKA['id']}", json={"role": "employer"}, headers=admin
    )
    assert put.status_code == 200
    removed = client.delete(f"/users/{user_id}/memberships/{TAY_NINH['id']}", headers=admin)
    assert removed.json()["memberships"] == [
        {"organisation_id": "emp-aichi-tanaka-kogyo", "role": "employer"}
    ]
    headers = sign_in(client, LAN, PASSWORD)
    assert client.get("/me", headers=headers).json()["memberships"][0]["role"] == "employer"

    events = [e for e in outbox_events(client) if e["subject"] == user_id]
    assert [(e["type"], e["data"]["version"]) for e in events] == [
        ("user.registered", 1),
        ("user.memberships_changed", 2),
        ("user.memberships_changed", 3),
    ]
    assert events[-1]["data"] == {
        "user_id": user_id,
        "version": 3,
        "display_name": "lan",
        "preferred_language": "vi",
        "active": True,
        "memberships": [{"organisation_id": "emp-aichi-tanaka-kogyo", "role": "employer"}],
    }
    assert all("email" not in e["data"] for e in outbox_events(client))


def test_a_token_for_a_role_taken_away_stops_working_at_identity(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    user_id = invite(client, admin, mailbox, LAN, TAY_NINH, "training_centre")
    headers = sign_in(client, LAN, PASSWORD)
    client.put(
        f"/users/{user_id}/memberships/{TAY_NINH['id']}", json={"role": "employer"}, headers=admin
    )
    assert client.get("/me", headers=headers).status_code == 401


def test_deactivation_is_told(client: TestClient, admin: Headers, mailbox: Mailbox) -> None:
    user_id = invite(client, admin, mailbox, LAN, TAY_NINH, "training_centre")
    client.post(f"/users/{user_id}/deactivate", headers=admin)
    client.post(f"/users/{user_id}/deactivate", headers=admin)  # again: nothing new to tell
    types = [e["type"] for e in outbox_events(client) if e["subject"] == user_id]
    assert types == ["user.registered", "user.deactivated"]


def test_only_admins_administer(client: TestClient, admin: Headers, mailbox: Mailbox) -> None:
    user_id = invite(client, admin, mailbox, LAN, TAY_NINH, "training_centre")
    lan = sign_in(client, LAN, PASSWORD)
    forbidden = [
        client.post("/organisations", json=TANAKA, headers=lan),
        client.patch("/organisations/tc-tay-ninh-01", json={"name_ja": "x"}, headers=lan),
        client.get("/users", headers=lan),
        client.post(f"/users/{user_id}/deactivate", headers=lan),
        client.put(
            f"/users/{user_id}/memberships/tc-tay-ninh-01", json={"role": "admin"}, headers=lan
        ),
        client.post("/admin/keys/rotate", headers=lan),
        client.get("/admin/keys", headers=lan),
    ]
    assert [r.status_code for r in forbidden] == [403] * len(forbidden)
    assert client.get("/organisations", headers=lan).status_code == 200
    assert client.get("/users").status_code == 401
    assert client.get("/users", headers={"Authorization": "Bearer not-a-token"}).status_code == 401


def test_an_email_is_unique_whatever_its_case(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    invite(client, admin, mailbox, LAN, TAY_NINH, "training_centre")
    body = {
        "email": LAN.upper(),
        "display_name": "Lan again",
        "organisation_id": TAY_NINH["id"],
        "role": "training_centre",
    }
    assert client.post("/invitations", json=body, headers=admin).status_code == 409
    unknown_org = body | {"email": "hoa@tayninh.example.vn", "organisation_id": "nope-01"}
    assert client.post("/invitations", json=unknown_org, headers=admin).status_code == 404
