"""End to end in a real browser: a training centre registers a candidate through the portal's
form (an inline error first, in Vietnamese), finds the candidate in its list, and imports a
1,000-row CSV watching the progress to the end. Every portal page is saved as a screenshot at
desktop (1366 px) and phone (390 px) widths in test-artifacts/, and none overflows a phone."""

from __future__ import annotations

import csv
import io
import re
import uuid
from typing import Any

import httpx
import pytest

from conftest import auth
from kakehashi.candidates.entrypoints.import_rows import template_rows
from kakehashi.devtools.supervisor import Supervisor
from tests.e2e.accessibility import assert_accessible
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

WIDTHS = {"desktop": 1366, "phone": 390}
ROWS = 1000


def _centre() -> dict[str, str]:
    return auth("training_centre", f"tc-{uuid.uuid4().hex[:6]}")


def _context(browser: Any, portal: str, centre: dict[str, str], width: int, locale: str) -> Any:
    """A browser holding the centre's session cookie, as identity's sign-in sets it."""
    context = browser.new_context(locale=locale, viewport={"width": width, "height": 900})
    token = centre["Authorization"].removeprefix("Bearer ")
    context.add_cookies([{"name": "kakehashi_session", "value": token, "url": portal}])
    return context


def _shoot(page: Any, name: str) -> None:
    """A full-page screenshot, after checking the page body does not scroll sideways (wide
    tables scroll inside their wrapper)."""
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name}: the page is {overflow}px wider than the window"
    # Every field a person fills in has an accessible name (a label tied to it, or aria-label),
    # and the page has one main heading.
    unnamed = page.evaluate(
        """[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
             .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
             .map(e => e.name || e.id)"""
    )
    assert unnamed == [], f"{name}: fields without a label: {unnamed}"
    assert page.locator("h1").count() == 1, f"{name}: one h1"
    assert_accessible(page)  # axe-core: no serious or critical violation
    page.screenshot(path=ARTIFACTS / f"portal-{name}.png", full_page=True)


def _import_file() -> bytes:
    """The import template with ROWS different people (passport numbers tell them apart)."""
    header, (example,) = template_rows()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    row = dict(zip(header, example, strict=True))
    for n in range(ROWS):
        person = row | {
            "full_name": f"Le Van Nhap {n:04d}",
            "name_vi": f"Lê Văn Nhập {n:04d}",
            "name_katakana": "",
            "passport_number": f"E{n:07d}",
            "date_of_birth": f"{1995 + n % 8}-{1 + n % 12:02d}-{1 + n % 28:02d}",
        }
        writer.writerow([person[column] for column in header])
    return out.getvalue().encode("utf-8-sig")


def test_a_centre_registers_a_candidate_and_imports_a_thousand_rows(
    system: Supervisor, browser: object, tmp_path: Any
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    ARTIFACTS.mkdir(exist_ok=True)
    base = system.url("candidates")
    portal = base + "/portal"
    centre = _centre()
    unsigned = httpx.get(f"{portal}/candidates")
    assert unsigned.status_code == 303
    assert "/session/refresh?next=" in unsigned.headers["location"]

    context = _context(browser, base, centre, WIDTHS["desktop"], "vi-VN")
    page = context.new_page()
    try:
        page.goto(f"{portal}/candidates")
        expect(page.locator("html")).to_have_attribute("lang", "vi")
        expect(page.locator("h1")).to_have_text("Ứng viên của tôi")
        _shoot(page, "list-empty-vi-desktop")

        # The form: a wrong phone number comes back next to its field, in Vietnamese.
        page.get_by_role("link", name="Đăng ký ứng viên").first.click()
        expect(page.locator("h1")).to_have_text("Đăng ký ứng viên")
        page.get_by_label("Họ tên theo hộ chiếu").fill("Pham Thi Lan")
        page.get_by_label("Tên tiếng Việt").fill("Phạm Thị Lan")
        page.get_by_label("Tên bằng katakana").fill("ファム・ティ・ラン")
        page.get_by_label("Ngày sinh").fill("2000-03-15")
        page.get_by_label("Số hộ chiếu").fill("C5550001")
        page.get_by_label("Tỉnh/thành").select_option("Nghệ An")  # the 34, by name
        page.get_by_label("Điện thoại").fill("gọi tôi")
        page.locator("#f-sector").select_option("construction")
        # htmx brings the sector's skills, named in Vietnamese.
        welding = page.get_by_label("Mức Hàn")
        expect(welding).to_be_visible()
        welding.select_option("3")
        # The sector's skills tests are ticked by name, not typed as codes.
        page.get_by_role("group", name="Kỳ thi đã đỗ về Hàn").get_by_label(
            "Kỳ thi Kỹ năng đặc định số 1: Xây dựng"
        ).check()
        page.locator("#f-japanese_tests-0-test").select_option("jlpt")
        page.locator("#f-japanese_tests-0-level").select_option("N4")
        page.locator("#f-japanese_tests-0-date").fill("2025-12-07")
        page.get_by_label("Số giờ đào tạo").fill("400")
        page.get_by_label("Người đó đồng ý chia sẻ hồ sơ với doanh nghiệp tại Nhật Bản").check()
        _shoot(page, "form-vi-desktop")
        page.get_by_role("button", name="Đăng ký", exact=True).click()
        error = page.locator("#e-phone")
        expect(error).to_have_text("Không đúng định dạng.")
        expect(page.locator("#f-phone")).to_have_attribute("aria-invalid", "true")
        expect(page.get_by_label("Mức Hàn")).to_have_value("3")  # what was entered is kept
        _shoot(page, "form-error-vi-desktop")

        page.locator("#f-phone").fill("+84 912 555 001")
        page.get_by_role("button", name="Đăng ký", exact=True).click()
        expect(page.locator(".flash-ok")).to_have_text("Đã đăng ký ứng viên.")
        expect(page.locator("h1")).to_have_text("Phạm Thị Lan")
        candidate_id = page.url.rsplit("/", 1)[1]
        ssw1 = page.locator('tr[data-track="ssw1"]')
        expect(ssw1).to_contain_text("tiếng Nhật N4 (cần N4)")
        _shoot(page, "candidate-vi-desktop")
        api = httpx.get(f"{base}/candidates/{candidate_id}", headers=centre).json()
        assert (api["full_name"], api["published"]) == ("Pham Thi Lan", True)

        # The list finds her by her name without diacritics, typed on the keyboard.
        page.goto(f"{portal}/candidates")
        page.locator("#q").focus()
        page.keyboard.type("pham thi lan")
        expect(page.locator(f'tr[data-candidate="{candidate_id}"]')).to_be_visible()
        expect(page.locator("#results tbody tr")).to_have_count(1)
        expect(page).to_have_url(re.compile(r"/portal/candidates\?q=pham"))  # a link to share
        page.get_by_role("link", name="Phạm Thị Lan").click()
        expect(page.locator("h1")).to_have_text("Phạm Thị Lan")
        page.go_back()
        expect(page.locator("#q")).to_have_value("pham thi lan")
        expect(page.locator("#results tbody tr")).to_have_count(1)

        # Bulk import: upload, then the progress page polls until the job is done.
        page.get_by_role("link", name="Nhập từ tệp").first.click()
        _shoot(page, "import-upload-vi-desktop")
        upload = tmp_path / "candidates.csv"
        upload.write_bytes(_import_file())
        page.locator("#file").set_input_files(str(upload))
        page.get_by_role("button", name="Tải lên và nhập").click()
        expect(page).to_have_url(re.compile(r"/portal/imports/[0-9a-f-]{36}$"))
        progress = page.locator("#progress")
        _shoot(page, "import-progress-vi-desktop")
        page.evaluate("window.sameDocument = true")  # gone if the page were loaded again
        expect(progress).to_have_attribute("data-status", "done", timeout=180_000)
        # htmx brought the end into the page it started on: nobody reloaded it.
        assert page.evaluate("window.sameDocument === true")
        expect(page.locator("#created")).to_have_text(str(ROWS))
        expect(page.locator("#failed")).to_have_text("0")
        _shoot(page, "import-done-vi-desktop")
        job_url = page.url
        total = httpx.get(f"{base}/candidates?limit=1", headers=centre).json()["total"]
        assert total == ROWS + 1

        page.goto(f"{portal}/candidates")
        expect(page.locator(".counts")).to_contain_text(str(ROWS + 1))
        for language in ("vi", "ja", "en"):
            page.goto(f"{portal}/candidates?lang={language}")
            expect(page.locator("html")).to_have_attribute("lang", language)
            _shoot(page, f"list-{language}-desktop")
        page.goto(f"{portal}/notifications?lang=vi")
        _shoot(page, "notifications-vi-desktop")
        page.goto(f"{portal}/candidates/{candidate_id}/edit")
        expect(page.locator("#f-full_name")).to_have_value("Pham Thi Lan")
        _shoot(page, "edit-vi-desktop")
    finally:
        context.close()

    # The same pages on a phone.
    phone = _context(browser, base, centre, WIDTHS["phone"], "vi-VN")
    page = phone.new_page()
    try:
        for language in ("vi", "ja", "en"):
            page.goto(f"{portal}/candidates?lang={language}")
            _shoot(page, f"list-{language}-phone")
        page.goto(f"{portal}/candidates?lang=vi")
        pages = {
            "form-vi-phone": f"{portal}/candidates/new",
            "candidate-vi-phone": f"{portal}/candidates/{candidate_id}",
            "edit-vi-phone": f"{portal}/candidates/{candidate_id}/edit",
            "import-upload-vi-phone": f"{portal}/imports",
            "import-done-vi-phone": job_url,
            "notifications-vi-phone": f"{portal}/notifications",
        }
        for name, url in pages.items():
            page.goto(url)
            expect(page.locator("html")).to_have_attribute("lang", "vi")
            _shoot(page, name)
        # The form warns of a person already registered as soon as the passport is typed.
        page.goto(f"{portal}/candidates/new")
        page.get_by_label("Số hộ chiếu").fill("C 555 0001")
        page.get_by_label("Số hộ chiếu").press("Tab")
        warning = page.locator("#duplicate .duplicate")
        expect(warning).to_contain_text("Người này đã được đăng ký")
        expect(warning.get_by_role("link")).to_have_attribute(
            "href", f"/portal/candidates/{candidate_id}"
        )
        _shoot(page, "form-duplicate-vi-phone")
        page.get_by_role("button", name="Đăng ký", exact=True).click()
        expect(page.locator("#e-full_name")).to_be_visible()
        _shoot(page, "form-error-vi-phone")
    finally:
        phone.close()
