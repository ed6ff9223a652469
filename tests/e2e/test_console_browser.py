"""End to end in a real browser: a program manager signs in to the console, proposes a candidate,
and sees the candidate's pipeline status change come back from the candidates service; the
console switches language. Screenshots land in test-artifacts/."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

from conftest import auth, wait_until
from kakehashi.devtools.supervisor import Supervisor
from tests.e2e.conftest import ARTIFACTS, open_welder_order, register_welder

pytestmark = pytest.mark.e2e

MANAGER = auth("program_manager", "pm-office")
NAME = "Nguyễn Thị Ánh"


def _market(system: Supervisor, born: str = "1999-08-20") -> tuple[str, str]:
    """A ready candidate and an order they fit; returns (candidate id, order id)."""
    centre = auth("training_centre", f"tc-{uuid.uuid4().hex[:6]}")
    cid = register_welder(system, centre, full_name=NAME, date_of_birth=born)
    candidates = system.url("candidates")
    ready = httpx.post(
        f"{candidates}/candidates/{cid}/transitions", json={"to": "ready"}, headers=centre
    )
    assert ready.status_code == 200, ready.text
    order_id = open_welder_order(system, headcount=2)

    def matched() -> bool:
        matching = system.url("matching")
        listed = httpx.get(f"{matching}/job-orders/{order_id}/matches", headers=MANAGER)
        if listed.status_code != 200:  # the order's event has not arrived yet
            return False
        ranked = {m["candidate_id"] for m in listed.json()["matches"]}
        candidate = httpx.get(f"{matching}/candidates/{cid}/matches", headers=MANAGER)
        return cid in ranked and candidate.json()["status"] == "ready"

    wait_until(matched, timeout_s=60)
    return cid, order_id


def _hold_session(context: Any, console: str) -> None:
    """The program manager's session cookie, as identity's sign-in page sets it (the password
    sign-in itself is tests/e2e/test_sign_in_browser.py's)."""
    token = MANAGER["Authorization"].removeprefix("Bearer ")
    context.add_cookies([{"name": "kakehashi_session", "value": token, "url": console}])


def test_a_manager_proposes_in_the_console_and_sees_the_pipeline_move(
    system: Supervisor, browser: object
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    cid, order_id = _market(system)
    console = system.url("matching") + "/console"
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        # Without a session the console sends the visitor to identity's single sign-on
        # (tests/e2e/test_sign_in_browser.py signs in there); here the browser holds the
        # session cookie identity would set. The console answers in Vietnamese.
        unsigned = httpx.get(f"{console}/orders/{order_id}")
        assert unsigned.status_code == 303
        assert "/session/refresh?next=" in unsigned.headers["location"]
        _hold_session(context, console)
        page.goto(f"{console}/orders/{order_id}")
        expect(page).to_have_url(re.compile(rf"/console/orders/{order_id}$"))
        expect(page.locator("html")).to_have_attribute("lang", "vi")

        row = page.locator(f"#decision-{cid}")
        expect(page.get_by_text(NAME).first).to_be_visible()
        page.screenshot(path=ARTIFACTS / "console-order-vi.png", full_page=True)
        row.locator("form:has(input[value=propose]) button").click()
        expect(row.locator(".status")).to_have_class(re.compile("status-proposed"))

        # The candidates service moves the candidate to shortlisted and says so in an event;
        # matching's read model, and so the candidate page, follow.
        def status_shown() -> str | None:
            page.goto(f"{console}/candidates/{cid}")
            return page.locator("#candidate-status").get_attribute("data-status")

        wait_until(lambda: status_shown() == "shortlisted", timeout_s=60)
        page.screenshot(path=ARTIFACTS / "console-candidate-vi.png", full_page=True)
        in_candidates = httpx.get(
            f"{system.url('candidates')}/candidates/{cid}", headers=MANAGER
        ).json()
        assert in_candidates["status"] == "shortlisted"
        expect(page.get_by_text("Trạng thái hồ sơ")).to_be_visible()

        # Switching to Japanese sticks for the next pages.
        page.click("a[hreflang=ja]")
        expect(page.locator("html")).to_have_attribute("lang", "ja")
        expect(page.get_by_text("選考状況")).to_be_visible()
        expect(page.locator("h1")).to_have_text(NAME)
        page.goto(f"{console}/orders")
        expect(page.locator("html")).to_have_attribute("lang", "ja")
        page.screenshot(path=ARTIFACTS / "console-orders-ja.png", full_page=True)
        page.click("a[hreflang=en]")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        page.screenshot(path=ARTIFACTS / "console-orders-en.png", full_page=True)
    finally:
        context.close()


def test_filters_work_from_the_form_and_a_refused_request_says_why(
    system: Supervisor, browser: object
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    cid, order_id = _market(system, born="1998-02-11")  # another person of the same name
    console = system.url("matching") + "/console"
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        _hold_session(context, console)
        page.goto(f"{console}/orders/{order_id}")
        expect(page).to_have_url(re.compile(rf"/console/orders/{order_id}$"))
        # The form sends every field, min_score empty: the province alone filters, and without
        # diacritics ("tay ninh" finds Tây Ninh).
        page.fill("input[name=province]", "tay ninh")
        page.click("form.filters button[type=submit]")
        expect(page).to_have_url(re.compile(r"min_score=&province=tay(%20|\+)ninh"))
        expect(page.locator(f"#matches tr[data-candidate='{cid}']")).to_be_visible()
        page.fill("input[name=province]", "Thai Binh")
        page.click("form.filters button[type=submit]")
        expect(page.locator("#matches [data-empty=filtered]")).to_be_visible()
        expect(page.locator("#flash")).to_be_hidden()
        # A value the server refuses (a 4xx htmx would swap nowhere) is reported on the page.
        page.evaluate(
            "() => { const s = document.querySelector('select[name=min_japanese_level]');"
            " s.add(new Option('A2', 'A2', true, true)); }"
        )
        page.click("form.filters button[type=submit]")
        expect(page.locator("#flash")).to_be_visible()
        expect(page.locator("#flash")).to_contain_text("min_japanese_level")
        expect(page.locator("#flash")).to_contain_text("422")
        page.screenshot(path=ARTIFACTS / "console-refused-filter-en.png", full_page=True)
    finally:
        context.close()
