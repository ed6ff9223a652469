"""The console's pages in Chromium, served by the app itself (no processes, no broker): none
scrolls sideways on a 390 px phone or at 1366 px, axe finds no serious or critical violation, in
Vietnamese, Japanese and English. Screenshots land in test-artifacts/console-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import token_for
from kakehashi.matching.bootstrap import SPEC
from kakehashi.shared.ui.browser_session import SESSION_COOKIE
from services.matching.tests.market_events import applier, candidate_event, order_event
from tests.e2e import conftest as e2e
from tests.e2e.accessibility import assert_accessible, screenshot_widths
from tests.e2e.accessibility import horizontal_overflow as e2e_overflow

pytestmark = pytest.mark.integration
HTMX = {"HX-Request": "true"}
ORIGIN = "http://testserver"
chromium = e2e.browser  # the e2e tests' Chromium fixture, here as `chromium`
LONG_TITLE = "Industrial products manufacturing: machining and assembly operator"


@pytest.fixture
def client(service_client: Any) -> TestClient:
    """A market with long names and an order whose candidate was proposed."""
    client: TestClient = service_client(SPEC)
    market = applier(client)
    market.apply(
        order_event(
            "order-1",
            application_deadline="2020-01-31",
            track="ssw1",
            expected_departure_date="2027-09-01",
            experience_years_min=1,
        )
    )
    market.apply(
        order_event("order-2", employer="emp-osaka", title="介護職 / Care worker",
                    sector="nursing_care", prefecture="Osaka")
    )  # fmt: skip
    market.apply(
        order_event("order-3", title=LONG_TITLE, sector="industrial_products_manufacturing",
                    prefecture="Kagoshima", headcount=5)
    )  # fmt: skip
    market.apply(
        candidate_event("an", full_name="Nguyễn Thị Hằng", level="N3", experience_years=1,
                        desired_prefectures=["Aichi"], available_from="2027-01-10",
                        eligible_tracks=["ssw1"])
    )  # fmt: skip
    market.apply(candidate_event("binh", full_name="Trần Văn Bình", experience_years=2.5))
    market.apply(candidate_event("cuong", level="N5"))
    client.cookies.set(SESSION_COOKIE, token_for("program_manager", "pm-office"))
    for action in ("shortlist", "propose"):
        url = "/console/orders/order-1/candidates/an/decide"
        assert client.post(url, data={"action": action}, headers=HTMX).status_code == 200
    return client


@pytest.fixture
def page(client: TestClient, chromium: Any) -> Iterator[Any]:
    """A Chromium page whose requests to http://testserver the app answers."""

    def answer(route: Any) -> None:
        request = route.request
        forwarded = {
            k: v for k, v in request.headers.items() if k.lower() in {"hx-request", "content-type"}
        }
        response = client.request(
            request.method,
            request.url.removeprefix(ORIGIN),
            headers=forwarded,
            content=request.post_data_buffer,
        )
        route.fulfill(status=response.status_code, headers=dict(response.headers),
                      body=response.content)  # fmt: skip

    context = chromium.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.route(ORIGIN + "/**", answer)
    yield page
    context.close()


MANAGER_PAGES = {
    "orders": "/console/orders",
    "order": "/console/orders/order-1",
    "candidate": "/console/candidates/an",
    "allocation": "/console/allocation?sector=construction",
}


# Every text of every chart, as Chromium lays it out, inside its SVG's viewBox (an SVG clips
# whatever falls outside): the texts that stick out, with how they are cut.
CLIPPED_CHART_TEXTS = """() => [...document.querySelectorAll("svg.chart")].flatMap(svg => {
  const box = svg.viewBox.baseVal;
  return [...svg.querySelectorAll("text")].map(t => [t.textContent, t.getBBox()])
    .filter(([, b]) => b.x < box.x - 0.5 || b.y < box.y - 0.5
      || b.x + b.width > box.x + box.width + 0.5 || b.y + b.height > box.y + box.height + 0.5)
    .map(([text, b]) => `${text}: ${b.x},${b.y} ${b.width}x${b.height} in ${box.width}x${box.height}`);
})"""


@pytest.mark.parametrize("language", ["vi", "ja", "en"])
def test_charts_never_clip_a_label(client: TestClient, page: Any, language: str) -> None:
    for path in ("/console/orders", "/console/orders/order-1"):
        page.goto(f"{ORIGIN}{path}?lang={language}")
        assert page.locator("svg.chart text").count() > 3
        assert page.evaluate(CLIPPED_CHART_TEXTS) == []
    ticks = page.locator("svg.chart text.tick").all_text_contents()
    assert ticks == ["0%", "20%", "40%", "60%", "80%", "100%"]


@pytest.mark.parametrize("language", ["vi", "ja", "en"])
def test_every_console_page_fits_a_phone_and_passes_axe(
    client: TestClient, page: Any, language: str
) -> None:
    for name, path in MANAGER_PAGES.items():
        separator = "&" if "?" in path else "?"
        page.goto(f"{ORIGIN}{path}{separator}lang={language}")
        assert page.locator("html").get_attribute("lang") == language
        assert_accessible(page)
        screenshot_widths(page, f"console-fast-{name}-{language}")
    client.cookies.set(SESSION_COOKIE, token_for("employer", "emp-aichi"))
    page.goto(f"{ORIGIN}/console/orders/order-1?lang={language}")
    assert page.locator("[data-candidate=an]").count() == 1  # proposed to this employer
    assert_accessible(page)
    screenshot_widths(page, f"console-fast-employer-order-{language}")


# How far the ranked list's wrapper scrolls sideways (0: it fits its box).
LIST_OVERFLOW = """() => { const wrap = document.querySelector("#ranked").closest(".table-wrap");
  return wrap.scrollWidth - wrap.clientWidth; }"""


@pytest.mark.parametrize("language", ["vi", "ja", "en"])
def test_on_a_phone_the_decisions_are_reached_without_scrolling_sideways(
    client: TestClient, page: Any, language: str
) -> None:
    """At 390 px the ranked candidates are cards: neither the page nor the list scrolls
    sideways, and every row's decision buttons lie inside the viewport's width."""
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{ORIGIN}/console/orders/order-1?lang={language}")
    assert e2e_overflow(page) == 0
    assert page.evaluate(LIST_OVERFLOW) <= 0
    rows = page.locator("#ranked tbody tr[data-candidate]")
    assert rows.count() >= 1
    buttons = page.locator("#ranked .decision button:visible")
    assert buttons.count() >= rows.count()  # each row offers at least one decision
    for index in range(buttons.count()):
        button = buttons.nth(index)
        button.scroll_into_view_if_needed()
        box = button.bounding_box()
        assert box is not None
        assert box["x"] >= 0, button.inner_text()
        assert box["x"] + box["width"] <= 390, button.inner_text()
    assert page.evaluate("window.scrollX") == 0
    # A decision taken on the phone: the card's buttons work where they are.
    status = page.locator("#ranked tr[data-candidate=an] .decision > .status")
    before = status.inner_text()
    page.locator("#ranked tr[data-candidate=an] .decision button:visible").first.click()
    expect(status).not_to_have_text(before)
    assert page.evaluate(LIST_OVERFLOW) <= 0
    assert e2e_overflow(page) == 0
    # On a wide screen it stays a table with its header row.
    page.set_viewport_size({"width": 1366, "height": 900})
    assert page.locator("#ranked thead th").first.is_visible()


# How far the dashboard's order list scrolls sideways inside its box (0: it fits).
ORDERS_OVERFLOW = """() => { const wrap = document.querySelector("#orders").closest(".table-wrap");
  return wrap.scrollWidth - wrap.clientWidth; }"""


@pytest.mark.parametrize("language", ["en", "vi"])
def test_on_a_phone_the_allocation_s_sector_select_fits(
    client: TestClient, page: Any, language: str
) -> None:
    """The sector select offers "Industrial products manufacturing (12 orders, 60 places)":
    at 390 px it is cut within the page, which does not scroll sideways."""
    market = applier(client)
    for number in range(4, 15):
        market.apply(
            order_event(f"order-{number}", title=LONG_TITLE, headcount=5,
                        sector="industrial_products_manufacturing", prefecture="Kagoshima")
        )  # fmt: skip
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{ORIGIN}/console/allocation?lang={language}")
    select = page.locator("select[name=sector]")
    assert "12" in select.inner_text()  # the long option is there
    box = select.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 390
    assert e2e_overflow(page) == 0


@pytest.mark.parametrize("language", ["en", "vi"])
def test_on_a_phone_the_dashboard_s_orders_are_cards_with_every_column(
    client: TestClient, page: Any, language: str
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{ORIGIN}/console/orders?lang={language}")
    assert page.evaluate(ORDERS_OVERFLOW) <= 0
    assert e2e_overflow(page) == 0
    row = page.locator("#orders tr[data-order=order-1]")
    for cell in ("td:nth-child(4)", "td:nth-child(6)", "td.warnings"):
        located = row.locator(cell)
        located.scroll_into_view_if_needed()
        box = located.bounding_box()
        assert box is not None, cell
        assert box["x"] >= 0, cell
        assert box["x"] + box["width"] <= 390, cell
    assert page.evaluate("window.scrollX") == 0
    # Each card names its columns (the header row is hidden on a phone).
    label = row.locator("td.warnings").evaluate("td => getComputedStyle(td, '::before').content")
    assert label not in ("none", "normal", "")
    page.set_viewport_size({"width": 1366, "height": 900})
    assert page.locator("#orders thead th").first.is_visible()


def test_a_selection_updates_the_order_s_header_without_a_reload(
    client: TestClient, page: Any
) -> None:
    """The employer passed the interview; the manager selects on the order's page and the
    header's "Selected 0 of 2" becomes 1 of 2 at once (no htmx error about a missing target)."""
    from playwright.sync_api import expect

    client.cookies.set(SESSION_COOKIE, token_for("employer", "emp-aichi"))
    interview = client.post(
        "/console/orders/order-1/candidates/an/interview", data={"result": "pass"}, headers=HTMX
    )
    assert interview.status_code == 200
    client.cookies.set(SESSION_COOKIE, token_for("program_manager", "pm-office"))
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.goto(f"{ORIGIN}/console/orders/order-1?lang=en")
    count = page.locator("#selected-count")
    expect(count).to_have_text("Selected 0 of 2")
    page.locator("#ranked tr[data-candidate=an] .decision button", has_text="Select").click()
    expect(page.locator("#ranked tr[data-candidate=an] .decision > .status")).to_have_text(
        "selected"
    )
    expect(count).to_have_text("Selected 1 of 2")
    page.locator("#ranked tr[data-candidate=an] .decision button", has_text="Undo").click()
    expect(count).to_have_text("Selected 0 of 2")
    assert errors == []
