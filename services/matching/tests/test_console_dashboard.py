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
        assert "5F0C8E2A" in shown, path  # the short reference, as the employer prints it
        assert UUID not in shown, path  # the id is in links only
    history = client.get("/console/candidates/an", headers=ENGLISH).text.split("<h2>History</h2>")[
        1
    ]
    assert f'<a href="/console/orders/{UUID}">溶接工 / Welder</a>' in history


def _listed(html: str) -> list[str]:
    return re.findall(r'<tr data-order="([^"]+)">', html)


@pytest.fixture
def board(service_client: Any) -> TestClient:
    """Orders across sectors, prefectures, deadlines and fills (today is the test's real day)."""
    from datetime import date, timedelta

    def day(offset: int) -> str:
        return (date.today() + timedelta(days=offset)).isoformat()

    client: TestClient = service_client(SPEC)
    market = applier(client)
    market.apply(order_event("o-late", title="Thợ hàn Aichi", application_deadline=day(-3)))
    market.apply(
        order_event("o-soon", title="介護職 / Care worker", sector="nursing_care",
                    prefecture="Osaka", application_deadline=day(5), headcount=1)
    )  # fmt: skip
    market.apply(order_event("o-far", title="Builder", application_deadline=day(90)))
    market.apply(order_event("o-none", title="Áo dài tailor", prefecture="Osaka"))
    market.apply(candidate_event("an", full_name="Nguyễn Thị Hằng", level="N3"))
    client.cookies.set(SESSION_COOKIE, token_for("program_manager", "pm-office"))
    for action in ("shortlist", "propose"):
        client.post(
            "/console/orders/o-far/candidates/an/decide", data={"action": action}, headers=HTMX
        )
    return client


def test_the_dashboard_searches_without_diacritics_and_filters(board: TestClient) -> None:
    def listed(**params: str) -> list[str]:
        answer = board.get("/console/orders", params=params, headers=ENGLISH)
        assert answer.status_code == 200, answer.text
        return _listed(answer.text)

    assert listed() == ["o-late", "o-soon", "o-far", "o-none"]  # soonest deadline first
    assert listed(q="tho han") == ["o-late"]  # finds Thợ hàn
    assert listed(q="ao dai") == ["o-none"]
    assert listed(q="o-so") == ["o-soon"]  # by reference
    assert listed(sector="nursing_care") == ["o-soon"]
    assert listed(prefecture="Osaka") == ["o-soon", "o-none"]
    assert listed(deadline="passed") == ["o-late"]
    assert listed(deadline="soon") == ["o-soon"]
    assert listed(deadline="none") == ["o-none"]
    assert listed(fill="empty", prefecture="Osaka", deadline="soon") == ["o-soon"]
    assert listed(fill="filled") == []
    # The form sends every field: blank ones filter nothing.
    assert listed(q="", sector="", prefecture="", deadline="", fill="") == listed()
    page = board.get("/console/orders", params={"prefecture": "Osaka"}, headers=ENGLISH).text
    assert "2 orders match of 4 open" in page
    assert 'data-label="Aichi"' not in page  # the charts count the orders the filters keep
    assert 'data-label="Osaka"' in page
    empty = board.get("/console/orders", params={"fill": "filled"}, headers=ENGLISH).text
    assert "No open job order matches these filters." in empty


def test_the_dashboard_sorts_and_refuses_unknown_values_naming_the_field(
    board: TestClient,
) -> None:
    titles = _listed(board.get("/console/orders", params={"sort": "title"}).text)
    assert titles == ["o-none", "o-far", "o-late", "o-soon"]  # Áo dài, Builder, Thợ, 介護
    reverse = board.get("/console/orders", params={"sort": "title", "order": "desc"}).text
    assert _listed(reverse) == titles[::-1]
    assert 'aria-sort="descending"' in reverse
    in_review = _listed(board.get("/console/orders", params={"sort": "in_review", "order": "desc"}).text)  # fmt: skip
    assert in_review[0] == "o-far"  # the one with a candidate in review
    for field, value in (("sort", "salary"), ("deadline", "yesterday"), ("fill", "half"), ("page", "0"), ("q", "x" * 101)):  # fmt: skip
        refused = board.get("/console/orders", params={field: value})
        assert refused.status_code == 422, field
        assert field in refused.text


def test_the_dashboard_pages_through_many_orders(service_client: Any) -> None:
    client: TestClient = service_client(SPEC)
    market = applier(client)
    for n in range(30):
        market.apply(order_event(f"o-{n:02d}", title=f"Order {n:02d}"))
    client.cookies.set(SESSION_COOKIE, token_for("program_manager", "pm-office"))
    first = client.get("/console/orders", params={"sort": "title"}, headers=ENGLISH).text
    assert _listed(first) == [f"o-{n:02d}" for n in range(25)]
    assert "Page 1 of 2" in first
    assert 'href="/console/orders?sort=title&amp;page=2" rel="next"' in first
    second = client.get("/console/orders", params={"sort": "title", "page": 2}).text
    assert _listed(second) == [f"o-{n:02d}" for n in range(25, 30)]
    beyond = client.get("/console/orders", params={"sort": "title", "page": 9}).text
    assert _listed(beyond) == _listed(second)  # past the end: the last page


def test_warnings_appear_only_where_they_ask_for_action(board: TestClient) -> None:
    page = board.get("/console/orders", headers=ENGLISH).text

    def warnings_of(order_id: str) -> list[str]:
        row = page.split(f'<tr data-order="{order_id}">')[1].split("</tr>")[0]
        return re.findall(r'<div class="warning">⚠ ([^<]+)</div>', row)

    assert warnings_of("o-late") == ["deadline passed with places unfilled"]
    assert warnings_of("o-soon") == [
        "deadline soon with places unfilled",
        "fewer candidates in review than open places",
    ]
    assert warnings_of("o-far") == []  # far off: nothing to act on yet
    assert warnings_of("o-none") == []  # no deadline: nothing is late


def test_why_others_are_not_ranked_says_when_one_counts_under_several_reasons(
    service_client: Any,
) -> None:
    client: TestClient = service_client(SPEC)
    market = applier(client)
    market.apply(order_event("order-1"))
    market.apply(candidate_event("an", level="N3"))
    market.apply(candidate_event("binh", level="N5"))  # below the Japanese floor only
    # Below the floor and without the must-have skill: counted under both.
    market.apply(candidate_event("cuong", level="N5", skills=[{"code": "painting", "level": 2}]))
    client.cookies.set(SESSION_COOKIE, token_for("program_manager", "pm-office"))
    page = client.get("/console/orders/order-1", headers=ENGLISH).text
    assert 'data-not-ranked="2" data-several="1"' in page
    assert "2 candidates of the sector are not ranked." in page
    assert "1 of them fails several requirements and counts under each" in page
    panel = page.split('id="not-ranked"')[1].split("</table>")[0]
    rows = dict(re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td></tr>", panel))
    assert rows["Japanese level"] == "2"
    assert rows["Must-have skills"] == "1"


def test_allocation_explains_itself_and_offers_only_sectors_with_open_orders(
    client: TestClient,
) -> None:
    page = client.get("/console/allocation", headers=ENGLISH).text
    assert 'id="allocation-explained"' in page
    assert "each candidate in at most one order" in page
    offered = re.findall(r'<option value="([a-z_]+)"', page)
    assert offered == ["construction"]
    assert "Construction (1 order, 2 places)" in page
    closed = client.get("/console/allocation", params={"sector": "aviation"}, headers=ENGLISH)
    assert closed.status_code == 200
    assert 'data-empty="sector-closed"' in closed.text
    assert 'id="gain"' not in closed.text


def test_an_orders_ranked_list_pages_25_at_a_time_keeping_the_filters(
    service_client: Any,
) -> None:
    client: TestClient = service_client(SPEC)
    market = applier(client)
    market.apply(order_event("order-1"))
    for n in range(30):
        market.apply(candidate_event(f"c{n:02d}", level="N3"))
    client.cookies.set(SESSION_COOKIE, token_for("program_manager", "pm-office"))
    params = {"min_japanese_level": "N3"}
    first = client.get("/console/orders/order-1", params=params, headers=ENGLISH).text
    ranks = re.findall(r'<tr data-candidate="[^"]+">\s*<td>(\d+)</td>', first)
    assert ranks == [str(n) for n in range(1, 26)]
    assert "Page 1 of 2" in first
    assert 'href="/console/orders/order-1?min_japanese_level=N3&amp;page=2" rel="next"' in first
    second = client.get(
        "/console/orders/order-1", params=params | {"page": "2"}, headers=HTMX | ENGLISH
    ).text
    assert re.findall(r'<tr data-candidate="[^"]+">\s*<td>(\d+)</td>', second) == [
        "26", "27", "28", "29", "30",
    ]  # fmt: skip
    shown_first = set(re.findall(r'<tr data-candidate="([^"]+)">', first))
    shown_second = set(re.findall(r'<tr data-candidate="([^"]+)">', second))
    assert not shown_first & shown_second
    assert len(shown_first | shown_second) == 30
    assert client.get("/console/orders/order-1", params={"page": "0"}).status_code == 422
