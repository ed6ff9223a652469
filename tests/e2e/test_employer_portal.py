"""End to end in a real browser: an employer posts a 求人票 through the portal's form as a draft,
seeing a live warning while typing, opens it for matching, and after a program manager proposes a registered candidate
through the matching API, sees the proposal arrive on the order's page and the candidate in
matching's employer view. Every portal page is screenshotted at 1366 px and 390 px (Japanese;
the orders list in Vietnamese and English too) into test-artifacts/, and none scrolls sideways
on a phone."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from conftest import auth, token_for, wait_until
from kakehashi.devtools.supervisor import Supervisor
from tests.e2e.accessibility import assert_accessible
from tests.e2e.conftest import ARTIFACTS, register_welder

pytestmark = pytest.mark.e2e

MANAGER = auth("program_manager", "pm-office")
NAME = "Phạm Thị Lan"
WIDTHS = (1366, 390)


UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
    .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
    .map(e => e.name || e.id)"""


def _shoot(page: Any, name: str, *, ours: bool = True) -> None:
    """Screenshots of the page at desktop and phone widths. The portal's pages (`ours`) never
    overflow sideways (wide tables scroll inside their wrapper), have one h1 and no input
    without its label."""
    if ours:
        assert page.evaluate(UNLABELLED) == [], name
        assert page.locator("h1").count() == 1, name
        assert_accessible(page)  # axe-core: no serious or critical violation
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert not ours or overflow <= 0, f"{name} at {width}px scrolls sideways by {overflow}px"
        page.screenshot(path=ARTIFACTS / f"portal-{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def _hold_session(context: Any, base: str, role: str, organisation: str) -> None:
    """The session cookie identity's sign-in sets (cookies belong to the host, not the port,
    so matching's pages read it too; the password sign-in is test_sign_in_browser.py's)."""
    token = token_for(role, organisation)
    context.add_cookies([{"name": "kakehashi_session", "value": token, "url": base}])


def _ready_welder(system: Supervisor) -> str:
    centre = auth("training_centre", f"tc-{uuid.uuid4().hex[:6]}")
    cid = register_welder(system, centre, full_name=NAME, date_of_birth="2000-05-14")
    ready = httpx.post(
        f"{system.url('candidates')}/candidates/{cid}/transitions",
        json={"to": "ready"},
        headers=centre,
    )
    assert ready.status_code == 200, ready.text
    return cid


def _propose_when_ranked(system: Supervisor, order_id: str, cid: str) -> None:
    """The program manager proposes the candidate once matching ranks them for the order."""
    matching = system.url("matching")

    def ranked() -> bool:
        listed = httpx.get(f"{matching}/job-orders/{order_id}/matches", headers=MANAGER)
        if listed.status_code != 200:  # the order's event has not arrived yet
            return False
        return cid in {m["candidate_id"] for m in listed.json()["matches"]}

    wait_until(ranked, timeout_s=60)
    proposed = httpx.post(
        f"{matching}/job-orders/{order_id}/candidates/{cid}/decisions",
        json={"action": "propose"},
        headers=MANAGER,
    )
    assert proposed.status_code == 200, proposed.text


def test_an_employer_posts_a_kyujinhyo_and_sees_the_proposed_candidate_arrive(
    system: Supervisor, browser: object
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    portal = system.url("employers") + "/portal"
    employer = f"emp-{uuid.uuid4().hex[:6]}"
    ARTIFACTS.mkdir(exist_ok=True)
    cid = _ready_welder(system)
    context = browser.new_context(locale="ja-JP", viewport={"width": WIDTHS[0], "height": 900})
    page = context.new_page()
    try:
        unsigned = httpx.get(f"{portal}/orders")
        assert unsigned.status_code == 303
        assert "/session/refresh?next=" in unsigned.headers["location"]
        _hold_session(context, portal, "employer", employer)
        page.goto(f"{portal}/orders")
        expect(page.locator("html")).to_have_attribute("lang", "ja")
        expect(page.locator("h1")).to_have_text("自社の求人")
        _shoot(page, "orders-empty-ja")

        # The 求人票, typed as a person types it: the live checks follow.
        page.get_by_role("link", name="求人票を登録").first.click()
        expect(page).to_have_url(re.compile(r"/portal/orders/new$"))
        page.get_by_label("求人名").fill("溶接工 / Welder")
        page.get_by_label("分野").select_option("construction")
        page.locator("#skill-welding").check()  # the sector's skills arrive with htmx
        page.locator("#level-welding").select_option("3")
        page.get_by_label("就業先の都道府県").select_option("Aichi")
        page.get_by_label("募集人数").fill("2")
        page.get_by_label("最低日本語レベル").select_option("N4")
        departure = date.today() + timedelta(days=150)
        page.get_by_label("応募締切").fill((date.today() + timedelta(days=60)).isoformat())
        page.get_by_label("入国予定日").fill(departure.isoformat())
        pay = page.locator("#f-monthly_base_pay_yen")
        pay.press_sequentially("100000")
        wage = page.locator("#checks [data-check=minimum-wage]")
        expect(wage).to_have_class("check-warn")
        expect(wage).to_contain_text("最低賃金を下回っています")
        expect(page.locator("#checks [data-check=japanese-floor]")).to_contain_text("N4")
        _shoot(page, "order-form-warning-ja")
        pay.fill("")
        pay.press_sequentially("230000")
        expect(wage).to_have_class("check-ok")
        page.get_by_label("公開").select_option("draft")  # a private draft first
        pay.press("Enter")  # the keyboard submits the form

        expect(page).to_have_url(re.compile(r"/portal/orders/[0-9a-f-]{36}$"))
        order_id = page.url.rsplit("/", 1)[-1]
        expect(page.locator(".flash-ok")).to_have_text("求人を保存しました。")
        expect(page.locator("#order-status")).to_have_attribute("data-status", "draft")
        _shoot(page, "order-draft-ja")
        # The employer opens it: matching hears of it only now.
        page.get_by_role("button", name="マッチングを開始").click()
        expect(page.locator("#order-status")).to_have_attribute("data-status", "open")
        expect(page.locator(".flash-ok")).to_contain_text("求人を公開しました")
        expect(page.locator("[data-empty=proposals]")).to_be_visible()
        _shoot(page, "order-ja")

        _propose_when_ranked(system, order_id, cid)

        # employers counts matching's decision from its event; the page shows it on reload.
        def proposal_shown() -> bool:
            page.reload()
            return page.locator("[data-proposal=proposed]").count() == 1

        wait_until(proposal_shown, timeout_s=60)
        expect(page.locator("[data-count=proposed]")).to_contain_text("推薦済み: 1")
        _shoot(page, "order-proposed-ja")

        # Matching's employer view names the candidate (employer-safe fields only). The link is
        # built from the settings' web URLs (the default ports); the test's matching runs on a
        # free port, so the browser follows the link's path there.
        link = page.locator("#shortlist-view").get_attribute("href") or ""
        path = f"/console/orders/{order_id}"
        assert link.endswith(path), link
        page.goto(system.url("matching") + path)
        expect(page).to_have_url(re.compile(rf"{path}$"))
        expect(page.get_by_text(NAME)).to_be_visible()
        _shoot(page, "matching-employer-view-ja", ours=False)  # matching's page, not the portal's

        page.goto(f"{portal}/orders/{order_id}/edit")
        expect(page.get_by_label("求人名")).to_have_value("溶接工 / Welder")
        _shoot(page, "order-edit-ja")
        page.goto(f"{portal}/profile")
        _shoot(page, "profile-empty-ja")
        page.get_by_label("会社名（日本語）").fill("田中工業株式会社")  # noqa: RUF001
        page.get_by_label("会社名（ローマ字）").fill("Tanaka Kogyo Co., Ltd.")  # noqa: RUF001
        page.locator("#f-prefecture").select_option("Aichi")
        page.locator("#f-industry").select_option("construction")
        page.get_by_role("button", name="会社情報を保存").click()
        expect(page.locator(".flash-ok")).to_have_text("会社情報を保存しました。")
        _shoot(page, "profile-ja")
        page.goto(f"{portal}/orders")
        expect(page.locator(f"tr[data-order='{order_id}']")).to_contain_text("募集中")
        _shoot(page, "orders-ja")
        for language, heading in (("vi", "Đơn hàng của tôi"), ("en", "My job orders")):
            page.goto(f"{portal}/orders?lang={language}")
            expect(page.locator("h1")).to_have_text(heading)
            _shoot(page, f"orders-{language}")
    finally:
        context.close()


def test_a_program_manager_is_told_the_portal_is_for_employers(
    system: Supervisor, browser: object
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    portal = system.url("employers") + "/portal"
    context = browser.new_context(locale="ja-JP", viewport={"width": WIDTHS[0], "height": 900})
    page = context.new_page()
    try:
        _hold_session(context, portal, "program_manager", "pm-office")
        response = page.goto(f"{portal}/orders")
        assert response is not None
        assert response.status == 403
        expect(page.locator("h1")).to_have_text("この画面は求人企業向けです")
        _shoot(page, "not-for-this-role-ja")
    finally:
        context.close()
