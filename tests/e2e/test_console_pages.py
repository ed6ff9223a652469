"""Every page of the review console, on the whole system (real processes and broker), in
Vietnamese, Japanese and English: axe-core finds no serious or critical violation, and at 1366 px
and 390 px none scrolls sideways. Screenshots: test-artifacts/console-<page>-<lang>-<width>.png."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from conftest import auth, wait_until
from kakehashi.devtools.supervisor import Supervisor
from kakehashi.matching.entrypoints.console.i18n import LOCALES_DIR as CONSOLE_LOCALES
from kakehashi.shared.ui.i18n import KIT_LOCALES
from tests.e2e.accessibility import (
    assert_accessible,
    english_leftovers,
    screenshot_widths,
    translated_msgids,
)
from tests.e2e.conftest import post_welder_order, register_welder

pytestmark = pytest.mark.e2e

MANAGER = auth("program_manager", "pm-office")
LANGUAGES = ("vi", "ja", "en")


@dataclass(frozen=True)
class Market:
    candidate_id: str
    order_id: str
    employer: dict[str, str]
    centre: dict[str, str]


@pytest.fixture(scope="module")
def market(system: Supervisor) -> Market:
    """A ready welder proposed to a welding order, as the console shows them once the events
    have arrived."""
    centre = auth("training_centre", f"tc-{uuid.uuid4().hex[:6]}")
    employer = auth("employer", f"emp-{uuid.uuid4().hex[:6]}")
    cid = register_welder(system, centre, full_name="Phạm Thị Thu", date_of_birth="1998-04-02")
    ready = httpx.post(
        f"{system.url('candidates')}/candidates/{cid}/transitions",
        json={"to": "ready"},
        headers=centre,
    )
    assert ready.status_code == 200, ready.text
    order_id = post_welder_order(system, 2, employer)
    matching = system.url("matching")

    def ranked() -> bool:
        listed = httpx.get(f"{matching}/job-orders/{order_id}/matches", headers=MANAGER)
        return listed.status_code == 200 and cid in {
            m["candidate_id"] for m in listed.json()["matches"]
        }

    wait_until(ranked, timeout_s=60)
    for action in ("shortlist", "propose"):
        decided = httpx.post(
            f"{matching}/job-orders/{order_id}/candidates/{cid}/decisions",
            json={"action": action},
            headers=MANAGER,
        )
        assert decided.status_code == 200, decided.text
    return Market(cid, order_id, employer, centre)


@pytest.fixture
def open_page(system: Supervisor, browser: object) -> Iterator[Any]:
    """Opens a console page as a principal (their session cookie, as identity sets it)."""
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    console = system.url("matching") + "/console"
    contexts: list[Any] = []

    def open_as(headers: dict[str, str], path: str, language: str) -> Any:
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        contexts.append(context)
        token = headers["Authorization"].removeprefix("Bearer ")
        context.add_cookies([{"name": "kakehashi_session", "value": token, "url": console}])
        page = context.new_page()
        separator = "&" if "?" in path else "?"
        answer = page.goto(f"{console}{path}{separator}lang={language}")
        assert answer is not None
        page.wait_for_load_state("networkidle")
        assert page.locator("html").get_attribute("lang") == language
        return page

    yield open_as
    for context in contexts:
        context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_console_page_is_accessible_and_fits_a_phone(
    market: Market, open_page: Any, language: str
) -> None:
    pages = {
        "orders": (MANAGER, "/orders"),
        "order": (MANAGER, f"/orders/{market.order_id}"),
        "candidate": (MANAGER, f"/candidates/{market.candidate_id}"),
        "allocation": (MANAGER, "/allocation?sector=construction"),
        "employer-order": (market.employer, f"/orders/{market.order_id}"),
        "not-for-this-role": (market.centre, "/orders"),
    }
    msgids = translated_msgids(language, KIT_LOCALES, CONSOLE_LOCALES)
    for name, (principal, path) in pages.items():
        page = open_page(principal, path, language)
        assert page.locator("h1").count() == 1, name
        if language != "en":
            assert english_leftovers(page, msgids) == [], name
        assert_accessible(page)
        screenshot_widths(page, f"console-{name}-{language}")
    employer_view = open_page(market.employer, f"/orders/{market.order_id}", language)
    assert employer_view.locator(f"tr[data-candidate='{market.candidate_id}']").count() == 1


def test_a_manager_searches_the_dashboard_filters_an_order_and_decides_by_keyboard(
    market: Market, open_page: Any
) -> None:
    """Runs after the page checks above (it rejects the market's candidate)."""
    from playwright.sync_api import expect

    page = open_page(MANAGER, "/orders", "en")
    # Search without diacritics or case: the welding order's title is 溶接工 / Welder.
    page.locator("input[name=q]").fill("WELDER")
    page.locator("input[name=q]").press("Enter")
    expect(page.locator(f"#orders tr[data-order='{market.order_id}']")).to_be_visible()
    page.locator("select[name=deadline]").select_option("passed")
    page.locator("form.filters button[type=submit]").press("Enter")
    expect(page.locator("#orders [data-empty=filtered]")).to_be_visible()
    page.get_by_role("link", name="Clear the filters").press("Enter")
    link = page.locator(f"#orders tr[data-order='{market.order_id}'] a").first
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/console/orders/{market.order_id}")

    page.locator("input[name=province]").fill("tay ninh")
    page.locator("input[name=province]").press("Enter")
    row = page.locator(f"#matches tr[data-candidate='{market.candidate_id}']")
    expect(row).to_be_visible()
    expect(page.locator("#eligible")).to_contain_text("matches the filters")
    decision = page.locator(f"#decision-{market.candidate_id}")
    decision.locator("summary").focus()
    page.keyboard.press("Enter")  # opens the reject form
    decision.locator("select[name=reason_code]").select_option("skills")
    decision.locator("input[name=note]").fill("welding test next month")
    decision.locator("form:has(input[value=reject]) button").press("Enter")
    expect(decision.locator(".status")).to_have_class(re.compile("status-rejected"))
    assert_accessible(page)
