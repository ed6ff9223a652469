"""Pipeline moves and history, tenancy on every endpoint, and search over HTTP."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from httpx import Response

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


ELIGIBLE = {
    "full_name": "Nguyen Van An",
    "name_vi": "Nguyễn Văn An",
    "date_of_birth": "2000-05-01",
    "province": "Long An",
    "sector": "construction",
    "skills": [{"code": "welding", "level": 3, "tests_passed": ["ssw1_construction"]}],
    "japanese_tests": [{"test": "jlpt", "level": "N4", "date": "2025-12-07"}],
    "available_from": "2027-02-01",
    "consents": [SHARING],
}
BINH = {
    "full_name": "Tran Thi Binh",
    "name_vi": "Trần Thị Bình",
    "province": "Nghệ An",
    "sector": "nursing_care",
    "japanese_level": "N3",
    "available_from": "2027-06-01",
}


def _register(client: TestClient, body: Body, headers: Headers = CENTRE) -> str:
    response = client.post("/candidates", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _move(
    client: TestClient, cid: str, to: str, headers: Headers = CENTRE, reason: str = "ok"
) -> Response:
    response: Response = client.post(f"/candidates/{cid}/transitions", json={"to": to, "reason": reason}, headers=headers)  # fmt: skip
    return response


def test_moves_follow_the_pipeline_and_are_recorded(client: TestClient) -> None:
    cid = _register(client, ELIGIBLE)
    assert _move(client, cid, "in_training").status_code == 200
    moved = _move(client, cid, "ready", headers=MANAGER, reason="passed mock interview")
    assert moved.status_code == 200, moved.text
    assert (moved.json()["status"], moved.json()["version"]) == ("ready", 3)
    refused = _move(client, cid, "departed")
    assert refused.status_code == 409
    assert "allowed" in refused.json()["detail"]
    history = client.get(f"/candidates/{cid}/transitions", headers=CENTRE).json()
    assert [(h["from_status"], h["to_status"]) for h in history] == [
        (None, "registered"),
        ("registered", "in_training"),
        ("in_training", "ready"),
    ]
    assert history[2]["actor"] == "user@pm-office"
    assert history[2]["reason"] == "passed mock interview"
    changed = [e for e in outbox_events(client) if e["type"] == "candidate.status_changed"]
    assert [e["data"] for e in changed][-1] == {
        "candidate_id": cid,
        "version": 3,
        "status": "ready",
        "previous_status": "in_training",
        "cause": "training_centre",  # the note stays in the history, off the broker
        "training_status": "ready",
    }


def test_ready_needs_an_eligible_track_and_withdrawn_is_final(client: TestClient) -> None:
    cid = _register(client, BINH)  # no date of birth: no track can be confirmed
    assert _move(client, cid, "ready").status_code == 409
    assert _move(client, cid, "withdrawn").status_code == 200
    assert _move(client, cid, "registered").status_code == 409
    assert client.post(f"/candidates/{cid}/transitions", json={"to": "gone"}, headers=CENTRE).status_code == 422  # fmt: skip


def test_no_endpoint_shows_or_changes_another_centres_candidate(client: TestClient) -> None:
    cid = _register(client, ELIGIBLE)
    calls = [
        ("get", f"/candidates/{cid}", None),
        ("patch", f"/candidates/{cid}", {"training_hours": 300}),
        ("post", f"/candidates/{cid}/transitions", {"to": "in_training"}),
        ("get", f"/candidates/{cid}/transitions", None),
    ]
    for method, url, body in calls:
        kwargs: Body = {"json": body} if body is not None else {}
        assert client.request(method, url, headers=OTHER_CENTRE, **kwargs).status_code == 404
        assert client.request(method, url, headers=EMPLOYER, **kwargs).status_code == 403
        assert client.request(method, url, **kwargs).status_code == 401
    assert client.get("/candidates", headers=OTHER_CENTRE).json()["total"] == 0
    assert client.get("/candidates", headers=EMPLOYER).status_code == 403
    # Program managers read and move every centre's candidates, but only the centre edits.
    assert client.get(f"/candidates/{cid}", headers=MANAGER).status_code == 200
    assert client.get(f"/candidates/{cid}/transitions", headers=ADMIN).status_code == 200
    assert client.patch(f"/candidates/{cid}", json={"training_hours": 1}, headers=MANAGER).status_code == 403  # fmt: skip
    assert client.get(f"/candidates/{cid}", headers=CENTRE).json()["version"] == 1


def _ids(client: TestClient, query: str, headers: Headers = MANAGER) -> list[str]:
    response = client.get(f"/candidates?{query}", headers=headers)
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["items"]]


def test_search_by_name_ignores_diacritics_and_case(client: TestClient) -> None:
    an = _register(client, ELIGIBLE)
    binh = _register(client, BINH)
    assert _ids(client, "name=nguyen van an") == [an]
    assert _ids(client, "name=NGUYỄN an") == [an]
    assert _ids(client, "name=tran binh") == [binh]
    assert _ids(client, "name=Trần Thị Bình", headers=CENTRE) == [binh]
    assert _ids(client, "name=%25") == []  # LIKE wildcards are taken literally


def test_search_filters(client: TestClient) -> None:
    an = _register(client, ELIGIBLE)
    binh = _register(client, BINH)
    elsewhere = _register(client, BINH | {"full_name": "Le Van Loi", "name_vi": None}, OTHER_CENTRE)
    _move(client, an, "in_training")
    assert _ids(client, "status=in_training") == [an]
    assert _ids(client, "sector=nursing_care") == [elsewhere, binh]
    assert _ids(client, "eligible_for=ssw1") == [an]
    assert _ids(client, "min_japanese_level=N3") == [elsewhere, binh]
    assert _ids(client, "province=Tây Ninh") == [an]  # Long An is part of Tây Ninh now
    assert _ids(client, "province=80") == [an]
    assert _ids(client, "available_from=2027-03-01&available_until=2027-12-31") == [elsewhere, binh]
    assert _ids(client, "training_centre_id=tc-nghe-an") == [elsewhere]
    assert _ids(client, "sector=nursing_care", headers=CENTRE) == [binh]
    page = client.get("/candidates?limit=1&offset=1", headers=MANAGER).json()
    assert (page["total"], len(page["items"]), page["items"][0]["id"]) == (3, 1, binh)


def test_bad_search_parameters(client: TestClient) -> None:
    response = client.get("/candidates?province=Atlantis", headers=MANAGER)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "province"]
    assert client.get("/candidates?status=lost", headers=MANAGER).status_code == 422
    assert (
        client.get("/candidates?training_centre_id=tc-nghe-an", headers=CENTRE).status_code == 403
    )
