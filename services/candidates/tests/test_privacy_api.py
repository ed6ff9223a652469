"""Consent gating of publication, export, erasure and the audit log over HTTP."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from conftest import outbox_events
from services.candidates.tests.samples import (
    ADMIN,
    CENTRE,
    EMPLOYER,
    MANAGER,
    OTHER_CENTRE,
    SHARING,
    Body,
    Headers,
)

pytestmark = pytest.mark.integration


ABROAD = SHARING | {"scope": "transfer_abroad"}
AN = {
    "full_name": "Nguyen Van An",
    "name_vi": "Nguyễn Văn An",
    "name_katakana": "グエン・ヴァン・アン",
    "date_of_birth": "2000-05-01",
    "sex": "male",
    "province": "Tây Ninh",
    "phone": "+84 912 345 678",
    "email": "an.nguyen@example.vn",
    "passport_number": "C1234567",
    "health_check_status": "fit",
    "sector": "construction",
    "skills": [{"code": "welding", "level": 3, "tests_passed": ["ssw1_construction"]}],
    "japanese_tests": [{"test": "jlpt", "level": "N4", "date": "2025-12-07"}],
    "available_from": "2027-02-01",
}


def _register(client: TestClient, body: Body = AN, headers: Headers = CENTRE) -> Body:
    response = client.post("/candidates", json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: Body = response.json()
    return created


def _give(client: TestClient, cid: str, consent: Body = SHARING) -> Body:
    response = client.post(f"/candidates/{cid}/consents", json=consent, headers=CENTRE)
    assert response.status_code == 201, response.text
    given: Body = response.json()
    return given


def test_without_sharing_consent_the_candidate_is_stored_but_not_published(
    client: TestClient,
) -> None:
    created = _register(client, AN | {"consents": [ABROAD]})
    assert created["published"] is False
    assert outbox_events(client) == []
    # Changes and moves of an unpublished candidate bump the version but tell matching nothing.
    client.patch(f"/candidates/{created['id']}", json={"training_hours": 300}, headers=CENTRE)
    client.post(f"/candidates/{created['id']}/transitions", json={"to": "in_training"}, headers=CENTRE)  # fmt: skip
    assert outbox_events(client) == []
    assert client.get(f"/candidates/{created['id']}", headers=CENTRE).json()["version"] == 3


def test_consent_given_later_publishes_a_full_snapshot(client: TestClient) -> None:
    created = _register(client)
    consent = _give(client, created["id"])
    assert (consent["status"], consent["recorded_by"], consent["language"]) == (
        "given",
        "user@tc-tay-ninh",
        "vi",
    )
    [event] = outbox_events(client)
    assert event["type"] == "candidate.updated"
    assert (event["data"]["version"], event["data"]["candidate_id"]) == (2, created["id"])
    assert event["data"]["skills"] == [
        {"code": "welding", "level": 3, "tests_passed": ["ssw1_construction"]}
    ]
    assert client.get(f"/candidates/{created['id']}", headers=CENTRE).json()["published"] is True
    # Another scope adds a record but publishes nothing new.
    _give(client, created["id"], ABROAD)
    assert len(outbox_events(client)) == 1
    again = client.post(f"/candidates/{created['id']}/consents", json=SHARING, headers=CENTRE)
    assert again.status_code == 409


def test_withdrawing_the_sharing_consent_unpublishes(client: TestClient) -> None:
    created = _register(client, AN | {"consents": [SHARING, ABROAD]})
    assert created["published"] is True
    consents = client.get(f"/candidates/{created['id']}/consents", headers=MANAGER).json()
    sharing = next(c for c in consents if c["scope"] == SHARING["scope"])
    url = f"/candidates/{created['id']}/consents/{sharing['id']}/withdraw"
    response = client.post(url, json={"reason": "asked by phone"}, headers=CENTRE)
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["withdrawal_reason"]) == (
        "withdrawn",
        "asked by phone",
    )
    registered, unpublished = outbox_events(client)
    assert registered["type"] == "candidate.registered"
    assert unpublished["type"] == "candidate.unpublished"
    assert unpublished["data"] == {"candidate_id": created["id"], "version": 2}
    assert client.post(url, headers=CENTRE).status_code == 409
    # Unpublished: later changes emit nothing until consent is given again.
    client.patch(f"/candidates/{created['id']}", json={"training_hours": 300}, headers=CENTRE)
    assert len(outbox_events(client)) == 2
    _give(client, created["id"])
    assert [e["type"] for e in outbox_events(client)][-1] == "candidate.updated"
    assert outbox_events(client)[-1]["data"]["version"] == 4


def test_bad_consents_are_422s_naming_the_field(client: TestClient) -> None:
    cases: list[tuple[Body, str]] = [
        ({"scope": "sell_to_brokers"}, "scope"),
        ({"language": "fr"}, "language"),
        ({"notice_version": ""}, "notice_version"),
        ({"signed": True}, "signed"),
    ]
    for change, field in cases:
        response = client.post("/candidates", json=AN | {"consents": [SHARING | change]}, headers=CENTRE)  # fmt: skip
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["loc"][-1] == field
    assert outbox_events(client) == []


def test_export_holds_everything_and_is_audited(client: TestClient) -> None:
    created = _register(client, AN | {"consents": [SHARING]})
    client.post(f"/candidates/{created['id']}/transitions", json={"to": "in_training", "reason": "course"}, headers=CENTRE)  # fmt: skip
    response = client.get(f"/candidates/{created['id']}/export", headers=CENTRE)
    assert response.status_code == 200, response.text
    export = response.json()
    assert export["candidate"]["passport_number"] == "C1234567"
    assert export["candidate"]["health_check_status"] == "fit"
    assert [c["scope"] for c in export["consents"]] == [SHARING["scope"]]
    assert [t["to_status"] for t in export["transitions"]] == ["registered", "in_training"]
    assert [a["action"] for a in export["audit"]] == ["create", "move", "export"]
    assert export["audit"][-1]["subject"] == "user@tc-tay-ninh"


def test_erasure_anonymises_and_tells_matching(client: TestClient) -> None:
    created = _register(client, AN | {"consents": [SHARING]})
    client.post(f"/candidates/{created['id']}/transitions", json={"to": "in_training", "reason": "An's course"}, headers=CENTRE)  # fmt: skip
    response = client.post(f"/candidates/{created['id']}/erase", headers=CENTRE)
    assert response.status_code == 200, response.text
    erased = response.json()
    assert (erased["id"], erased["full_name"], erased["name_vi"]) == (
        created["id"],
        "erased",
        "erased",
    )
    for field in ("name_katakana", "phone", "email", "passport_number", "date_of_birth", "sex", "health_check_status"):  # fmt: skip
        assert erased[field] is None, field
    assert (erased["skills"], erased["japanese_tests"]) == ([], [])
    assert (erased["status"], erased["published"], erased["erased_at"] is not None) == ("withdrawn", False, True)  # fmt: skip
    last = outbox_events(client)[-1]
    assert last["type"] == "candidate.erased"
    assert last["data"] == {"candidate_id": created["id"], "version": erased["version"]}
    export = client.get(f"/candidates/{created['id']}/export", headers=ADMIN).json()
    raw = json.dumps(export, ensure_ascii=False)
    leaks = (
        "Nguyen",
        "Nguyễn",
        "グエン",
        "C1234567",
        "+84 912",
        "example.vn",
        "2000-05-01",
        "An's",
    )
    for value in leaks:
        assert value not in raw, value
    assert {c["status"] for c in export["consents"]} == {"withdrawn"}
    # Erasing again changes nothing; the record can no longer be edited or consented.
    count = len(outbox_events(client))
    assert client.post(f"/candidates/{created['id']}/erase", headers=ADMIN).status_code == 200
    assert len(outbox_events(client)) == count
    assert client.patch(f"/candidates/{created['id']}", json={"training_hours": 1}, headers=CENTRE).status_code == 409  # fmt: skip
    assert client.post(f"/candidates/{created['id']}/consents", json=SHARING, headers=CENTRE).status_code == 409  # fmt: skip
    # The person may be registered again afresh: nothing identifying is left to match on.
    assert client.post("/candidates", json=AN, headers=CENTRE).status_code == 201


def test_reads_searches_and_changes_are_audited(client: TestClient) -> None:
    created = _register(client, AN | {"consents": [SHARING]})
    cid = created["id"]
    other = _register(client, AN | {"full_name": "Tran Thi Binh", "passport_number": "C7654321"})
    client.get(f"/candidates/{cid}", headers=MANAGER)
    client.get("/candidates", headers=CENTRE)
    client.patch(f"/candidates/{cid}", json={"training_hours": 300}, headers=CENTRE)
    response = client.get(f"/audit?candidate_id={cid}", headers=MANAGER)
    assert response.status_code == 200, response.text
    page = response.json()
    assert [(e["action"], e["role"], e["organisation_id"]) for e in reversed(page["items"])] == [
        ("create", "training_centre", "tc-tay-ninh"),
        ("read", "program_manager", "pm-office"),
        ("search", "training_centre", "tc-tay-ninh"),
        ("update", "training_centre", "tc-tay-ninh"),
    ]
    assert page["total"] == 4
    everything = client.get("/audit?limit=500", headers=ADMIN).json()
    assert {e["candidate_id"] for e in everything["items"]} == {cid, other["id"]}
    assert client.get("/audit", headers=CENTRE).status_code == 403
    assert client.get("/audit", headers=EMPLOYER).status_code == 403


def test_every_privacy_endpoint_hides_other_centres_and_refuses_employers(
    client: TestClient,
) -> None:
    created = _register(client, AN | {"consents": [SHARING]})
    cid = created["id"]
    consent_id = client.get(f"/candidates/{cid}/consents", headers=CENTRE).json()[0]["id"]
    calls = [
        ("post", f"/candidates/{cid}/consents", ABROAD),
        ("get", f"/candidates/{cid}/consents", None),
        ("post", f"/candidates/{cid}/consents/{consent_id}/withdraw", {}),
        ("get", f"/candidates/{cid}/export", None),
        ("post", f"/candidates/{cid}/erase", None),
    ]
    for method, url, body in calls:
        kwargs = {"json": body} if body is not None else {}
        assert client.request(method, url, headers=OTHER_CENTRE, **kwargs).status_code == 404, url
        assert client.request(method, url, headers=EMPLOYER, **kwargs).status_code == 403, url
        assert client.request(method, url, **kwargs).status_code == 401, url
    # Managers read consents and export, but only the centre records and only it or an admin
    # withdraws or erases.
    assert client.get(f"/candidates/{cid}/consents", headers=MANAGER).status_code == 200
    assert client.get(f"/candidates/{cid}/export", headers=MANAGER).status_code == 200
    assert client.post(f"/candidates/{cid}/consents", json=ABROAD, headers=MANAGER).status_code == 403  # fmt: skip
    assert client.post(f"/candidates/{cid}/erase", headers=MANAGER).status_code == 403
    assert client.post(f"/candidates/{cid}/consents/nope/withdraw", headers=CENTRE).status_code == 404  # fmt: skip
    assert client.get(f"/candidates/{cid}", headers=CENTRE).json()["version"] == 1
    assert len(outbox_events(client)) == 1
