"""The console's lists for a full day of work: the eligible count and histogram honour the
filters; the dashboard searches, filters, sorts and pages its orders; warnings carry news."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import token_for
from kakehashi.matching.bootstrap import SPEC
from kakehashi.shared.ui.browser_session import SESSION_COOKIE
from services.matching.tests.market_events import applier, candidate_event, order_event

pytestmark = pytest.mark.integration
HTMX = {"HX-Request": "true"}
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def client(service_client: Any) -> TestClient:
    client: TestClient = service_client(SPEC)
    market = applier(client)
    market.apply(order_event("order-1"))
    market.apply(candidate_event("an", full_name="Nguyễn Thị Hằng", level="N3"))
    market.apply(candidate_event("binh", full_name="Trần Văn Bình"))
    market.apply(candidate_event("cuong", level="N5"))  # below the floor
    client.cookies.set(SESSION_COOKIE, token_for("program_manager", "pm-office"))
    return client


def histogram_total(html: str) -> int:
    return sum(int(n) for n in re.findall(r'data-count="(\d+)"', html))


def test_the_eligible_count_and_the_histogram_follow_the_filters(client: TestClient) -> None:
    page = client.get("/console/orders/order-1", headers=ENGLISH).text
    assert 'data-shown="2" data-eligible="2"' in page
    assert "2 eligible of 3 candidates in the sector" in page
    assert "match the filters" not in page
    assert histogram_total(page) == 2

    filtered = client.get(
        "/console/orders/order-1", params={"min_japanese_level": "N3"}, headers=HTMX | ENGLISH
    ).text
    assert 'data-shown="1" data-eligible="2"' in filtered
    assert "1 eligible candidate matches the filters" in filtered
    # The histogram comes along out of band, counting what the list shows.
    assert 'id="score-histogram" hx-swap-oob="true"' in filtered
    assert histogram_total(filtered) == 1

    none = client.get(
        "/console/orders/order-1", params={"province": "Thái Bình"}, headers=HTMX | ENGLISH
    ).text
    assert "0 eligible candidates match the filters" in none
    assert histogram_total(none) == 0


UUID = "5f0c8e2a-9d1b-4c3e-8f7a-2b6d4e1c9a07"


def test_orders_are_named_by_title_and_short_reference_never_a_bare_id(
    service_client: Any,
) -> None:
    client: TestClient = service_client(SPEC)
    market = applier(client)
    market.apply(order_event(UUID, title="溶接工 / Welder"))
    market.apply(candidate_event("an", full_name="Nguyễn Thị Hằng", level="N3"))
    client.cookies.set(SESSION_COOKIE, token_for("program_manager", "pm-office"))
    decided = client.post(
        f"/console/orders/{UUID}/candidates/an/decide", data={"action": "shortlist"}, headers=HTMX
    )
    assert decided.status_code == 200
    visible_text = re.compile(r">([^<]*)<")
    for path, params in (
        ("/console/candidates/an", {}),
        ("/console/allocation", {"sector": "construction"}),
    ):
        page = client.get(path, params=params, headers=ENGLISH).text
        shown = " ".join(visible_text.findall(page))
        assert "溶接工 / Welder" in shown, path
        assert "5f0c8e2a" in shown, path  # the short reference
        assert UUID not in shown, path  # the id is in links only
    history = client.get("/console/candidates/an", headers=ENGLISH).text.split("<h2>History</h2>")[
        1
    ]
    assert f'<a href="/console/orders/{UUID}">溶接工 / Welder</a>' in history
