"""The employer portal's pages through the TestClient: session and roles, my orders, the 求人票
form (valid, refused with inline errors, live checks), the order page, lifecycle, profile."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from conftest import match_decision, token_for
from kakehashi.shared.applier import EventApplier

pytestmark = pytest.mark.integration

CSRF = "c" * 43  # a token of the kit's length (secrets.token_urlsafe(32))
ORIGIN = {"Origin": "http://testserver"}
EN = {"Accept-Language": "en"}


def sign_in(client: TestClient, role: str = "employer", organisation: str = "emp-aichi") -> None:
    """The browser holds identity's session cookie and the kit's CSRF cookie."""
    client.cookies.set("kakehashi_session", token_for(role, organisation))
    client.cookies.set("kakehashi_csrf", CSRF)


def post(client: TestClient, url: str, data: dict[str, str | list[str]], **headers: str) -> object:
    return client.post(
        url, data={**data, "csrf_token": CSRF}, headers=ORIGIN | headers, follow_redirects=False
    )


WELDER = {
    "title": "溶接工 / Welder",
    "track": "ssw1",
    "sector": "construction",
    "prefecture": "Aichi",
    "headcount": "2",
    "min_japanese_level": "N4",
    "skill": ["welding"],
    "level_welding": "3",
    "must_welding": "on",
    "monthly_base_pay_yen": "230000",
    "application_deadline": "2099-01-10",
    "status": "open",
}


def test_smoke(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/portal/orders")
    assert page.status_code == 200, page.text
    form = client.get("/portal/orders/new")
    assert form.status_code == 200, form.text
    posted = post(client, "/portal/orders", WELDER)
    assert posted.status_code == 303, posted.text  # type: ignore[attr-defined]
    url = posted.headers["location"]  # type: ignore[attr-defined]
    order = client.get(url)
    assert order.status_code == 200, order.text
    print(order.text)
    checks = post(client, "/portal/orders/check", {**WELDER, "min_japanese_level": "N5", "monthly_base_pay_yen": "100000", "preferred_sex": "male"})
    print(checks.text)  # type: ignore[attr-defined]
    bad = post(client, "/portal/orders", {**WELDER, "headcount": "0", "title": ""}, **EN)
    print(bad.status_code, bad.text)  # type: ignore[attr-defined]
    assert client.get(url + "/edit").status_code == 200
    assert client.get("/portal/profile").status_code == 200
    assert client.get("/portal/orders/skills?sector=nursing_care").status_code == 200
