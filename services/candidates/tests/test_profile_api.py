"""Registering and changing full profiles over HTTP: 422s, duplicates, events without PII."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from conftest import outbox_events
from services.candidates.tests.samples import CENTRE, MANAGER, OTHER_CENTRE, SHARING, Body

pytestmark = pytest.mark.integration


FULL = {
    "full_name": "Nguyen Van An",
    "name_vi": "Nguyễn Văn An",
    "name_katakana": "グエン・ヴァン・アン",
    "date_of_birth": "2000-05-01",
    "sex": "male",
    "province": "tay ninh",
    "phone": "+84 912 345 678",
    "email": "an.nguyen@example.vn",
    "passport_number": "C1234567",
    "education": {"level": "upper_secondary", "graduation_year": 2018},
    "work_history": [
        {"employer": "Cty Xây dựng Tây Ninh", "role": "welder", "sector": "construction",
         "from": "2019-01-01", "to": "2023-01-01"},
    ],
    "sector": "construction",
    "skills": [{"code": "welding", "level": 3, "tests_passed": ["ssw1_construction"]}],
    "japanese_tests": [
        {"test": "jft_basic", "score": 215, "date": "2026-03-10", "certificate_id": "JFT-99"},
        {"test": "jlpt", "level": "N5", "date": "2025-07-06"},
    ],
    "training_hours": 400,
    "training_cohort": "2026-A",
    "health_check_status": "fit",
    "desired_tracks": ["ssw1"],
    "desired_sectors": ["construction"],
    "desired_prefectures": ["Aichi", "Gifu"],
    "available_from": "2027-01-15",
    "earlier_stays": [],
    "consents": [SHARING],
}  # fmt: skip
SNAPSHOT_KEYS = {
    "candidate_id", "version", "training_centre_id", "full_name", "name_vi", "name_katakana",
    "province", "province_code",
    "sector", "japanese_level", "skills", "date_of_birth", "available_from", "desired_tracks",
    "desired_sectors", "desired_prefectures", "eligible_tracks", "experience_years", "status", "training_status",
    "eligible_windows",
}  # fmt: skip
SENSITIVE = ["+84 912 345 678", "an.nguyen@example.vn", "C1234567", "health", '"fit"', "male"]


def test_a_full_profile_is_saved_with_derived_level_province_and_eligibility(
    client: TestClient,
) -> None:
    response = client.post("/candidates", json=FULL, headers=CENTRE)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["province"], body["province_code"]) == ("Tây Ninh", "M72")
    assert (body["japanese_level"], body["japanese_level_source"]) == ("N4", "tests")
    assert body["work_history"][0]["from"] == "2019-01-01"
    assert body["japanese_tests"][0]["date"] == "2026-03-10"
    assert body["phone"] == FULL["phone"]  # the owning centre sees its own records
    eligibility = {e["track"]: e for e in body["eligibility"]}
    assert eligibility["ssw1"]["eligible"], eligibility["ssw1"]
    assert not eligibility["ssw2"]["eligible"]
    assert client.get(f"/candidates/{body['id']}", headers=MANAGER).json() == body


def test_events_carry_the_matching_snapshot_and_nothing_sensitive(client: TestClient) -> None:
    created = client.post("/candidates", json=FULL, headers=CENTRE).json()
    [event] = outbox_events(client)
    data = event["data"]
    assert set(data) == SNAPSHOT_KEYS
    assert data["skills"] == [
        {"code": "welding", "level": 3, "tests_passed": ["ssw1_construction"]}
    ]
    # Every script of the name, so matching shows each reader the one they know.
    assert (data["full_name"], data["name_vi"], data["name_katakana"]) == (
        "Nguyen Van An",
        "Nguyễn Văn An",
        "グエン・ヴァン・アン",
    )
    assert "ssw1" in data["eligible_tracks"]
    assert data["eligible_tracks"] == [e["track"] for e in created["eligibility"] if e["eligible"]]
    assert data["experience_years"] == 4.0
    assert (data["status"], data["version"], data["candidate_id"]) == (
        "registered",
        1,
        created["id"],
    )
    raw = json.dumps(event, ensure_ascii=False)
    for value in SENSITIVE:
        assert value not in raw


def test_the_minimal_body_still_registers(client: TestClient) -> None:
    minimal = {"full_name": "Trần Thị Bình", "province": "Nghệ An", "sector": "agriculture",
               "japanese_level": "N5", "skills": [], "consents": [SHARING]}  # fmt: skip
    response = client.post("/candidates", json=minimal, headers=CENTRE)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["province_code"], body["japanese_level_source"]) == ("40", "declared")
    assert all(
        "date_of_birth" in e["needs_data"] for e in body["eligibility"] if e["track"] != "esd"
    )
    assert outbox_events(client)[0]["data"]["date_of_birth"] is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date_of_birth": "2012-01-01"}, "date_of_birth"),  # 14: younger than 15
        ({"date_of_birth": "2099-01-01"}, "date_of_birth"),  # in the future
        ({"japanese_tests": [{"test": "jft_basic", "score": 251, "date": "2026-01-01"}]}, "score"),
        ({"japanese_tests": [{"test": "jlpt", "date": "2026-01-01"}]}, "japanese_tests[0].level"),
        ({"japanese_tests": [{"test": "jft_basic", "date": "2026-01-01"}]}, "japanese_tests[0].score"),
        ({"japanese_level": "N1"}, "japanese_level"),  # contradicts the results
        ({"province": "Atlantis"}, "province"),
        ({"province_code": "99"}, "province_code"),
        ({"province_code": "40"}, "province_code"),  # Nghệ An's code with Tây Ninh's name
        ({"desired_tracks": ["work_holiday"]}, 0),
        ({"desired_prefectures": ["Aichi", "Aichi"]}, "desired_prefectures"),
        ({"skills": [{"code": "welding", "level": 3, "tests_passed": ["Bad Code"]}]}, 0),
        ({"work_history": [{"employer": "A", "role": "B", "from": "2024-01-01", "to": "2023-01-01"}]},
         "work_history[0].to"),
        ({"earlier_stays": [{"track": "titp", "from": "2019-01-01", "to": "2022-01-01",
                             "titp_stage_completed": 4}]}, "titp_stage_completed"),
        ({"sex": "unknown"}, "sex"),
        ({"email": "not-an-email"}, "email"),
        ({"education": {"level": "phd", "ranking": 1}}, "level"),
        ({"work_history": [{"employer": "A", "role": "B", "from": "2020-01-01", "boss": "X"}]}, "boss"),
    ],
)  # fmt: skip
def test_bad_input_is_a_422_naming_the_field(client: TestClient, change: Body, field: str) -> None:
    response = client.post("/candidates", json=FULL | change, headers=CENTRE)
    assert response.status_code == 422, response.text
    error = response.json()["detail"][0]
    assert error["loc"][-1] == field, error
    assert outbox_events(client) == []


def test_the_same_person_twice_at_the_same_centre_is_a_409_with_the_record(
    client: TestClient,
) -> None:
    first = client.post("/candidates", json=FULL, headers=CENTRE).json()
    again = client.post("/candidates", json=FULL | {"full_name": "NGUYEN VAN AN"}, headers=CENTRE)
    assert again.status_code == 409
    assert again.json()["existing_id"] == first["id"]
    # Same name and date of birth, diacritics aside, without a passport number.
    twin = FULL | {"passport_number": None, "full_name": "Nguyễn Văn An"}
    response = client.post("/candidates", json=twin, headers=CENTRE)
    assert response.status_code == 409
    assert response.json()["existing_id"] == first["id"]


def test_a_duplicate_at_another_centre_is_a_409_that_reveals_nothing(client: TestClient) -> None:
    first = client.post("/candidates", json=FULL, headers=CENTRE).json()
    response = client.post(
        "/candidates", json=FULL | {"date_of_birth": "1999-01-01"}, headers=OTHER_CENTRE
    )
    assert response.status_code == 409
    assert set(response.json()) == {"detail"}
    assert first["id"] not in response.text
    assert "another training centre" in response.json()["detail"]
    assert len(outbox_events(client)) == 1


def test_the_owning_centre_patches_and_a_full_snapshot_follows(client: TestClient) -> None:
    created = client.post("/candidates", json=FULL, headers=CENTRE).json()
    patch = {"name_vi": "Nguyễn Văn Ân", "province": "Long An", "desired_tracks": ["ssw1", "esd"]}
    response = client.patch(f"/candidates/{created['id']}", json=patch, headers=CENTRE)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["version"], body["province_code"], body["name_vi"]) == (2, "80", "Nguyễn Văn Ân")
    assert body["phone"] == FULL["phone"]  # untouched fields are kept
    _registered, updated = outbox_events(client)
    assert updated["type"] == "candidate.updated"
    assert set(updated["data"]) == SNAPSHOT_KEYS
    assert (updated["data"]["version"], updated["data"]["province"]) == (2, "Long An")
    assert updated["data"]["desired_tracks"] == ["ssw1", "esd"]
    assert (updated["data"]["name_vi"], updated["data"]["name_katakana"]) == (
        "Nguyễn Văn Ân",
        "グエン・ヴァン・アン",
    )


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"full_name": None}, "full_name"),
        ({"status": "ready"}, "status"),
        ({"japanese_tests": [{"test": "jft_basic", "score": 5, "date": "2026-01-01"}]}, "score"),
    ],
)
def test_bad_patches_are_422s_and_change_nothing(
    client: TestClient, patch: Body, field: str
) -> None:
    created = client.post("/candidates", json=FULL, headers=CENTRE).json()
    response = client.patch(f"/candidates/{created['id']}", json=patch, headers=CENTRE)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][-1] == field
    assert client.get(f"/candidates/{created['id']}", headers=CENTRE).json()["version"] == 1


def test_patching_into_someone_elses_identity_is_a_409(client: TestClient) -> None:
    client.post("/candidates", json=FULL, headers=CENTRE)
    other = client.post(
        "/candidates",
        json=FULL | {"full_name": "Tran Thi Binh", "passport_number": "C7654321"},
        headers=CENTRE,
    ).json()
    response = client.patch(
        f"/candidates/{other['id']}", json={"passport_number": "c 1234567"}, headers=CENTRE
    )
    assert response.status_code == 409
