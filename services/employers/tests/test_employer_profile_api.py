"""`/employers/me` on a real database."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from services.employers.tests.samples import EMPLOYER, MANAGER, OTHER_EMPLOYER, Body

pytestmark = pytest.mark.integration


PROFILE = {
    "company_name_ja": "田中工業株式会社",
    "company_name_romaji": "Tanaka Kogyo Co., Ltd.",
    "prefecture": "Aichi",
    "industry": "construction",
    "intermediary_kind": "registered_support_organisation",
    "intermediary_name": "Chubu Support Association",
}


def test_an_employer_puts_and_reads_its_own_profile(client: TestClient) -> None:
    assert client.get("/employers/me", headers=EMPLOYER).status_code == 404
    created = client.put("/employers/me", json=PROFILE, headers=EMPLOYER)
    assert created.status_code == 200, created.text
    assert created.json()["organisation_id"] == "emp-aichi"
    assert created.json()["version"] == 1
    replaced = client.put(
        "/employers/me",
        json=PROFILE | {"intermediary_kind": None, "intermediary_name": None},
        headers=EMPLOYER,
    ).json()
    assert (replaced["version"], replaced["intermediary_kind"]) == (2, None)
    assert client.get("/employers/me", headers=EMPLOYER).json() == replaced
    assert client.get("/employers/me", headers=OTHER_EMPLOYER).status_code == 404
    assert client.get("/employers/me", headers=MANAGER).status_code == 403


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"company_name_romaji": "田中工業"}, "company_name_romaji"),
        ({"prefecture": "Atlantis"}, "prefecture"),
        ({"industry": "banking"}, "industry"),
        ({"intermediary_kind": None}, "intermediary_kind"),
        ({"intermediary_name": None}, "intermediary_name"),
        ({"website": "x"}, "website"),
    ],
)
def test_a_bad_profile_is_a_422_naming_the_field(
    client: TestClient, change: Body, field: str
) -> None:
    response = client.put("/employers/me", json=PROFILE | change, headers=EMPLOYER)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][-1] == field
