"""The centre's candidate list on a phone (390 px), in a real browser: one card per candidate,
every column named by its header, nothing clipped in a sideways-scrolling box — the status is on
screen without scrolling sideways (a centre's trial found it cut off at the right).

The candidates app runs in this process under uvicorn (a free port of 127.0.0.1, SQLite); the
candidate is registered through the portal's own form. The result page of an import explains its
failed rows in cards too. Screenshots: test-artifacts/portal-candidates-list-phone.png,
portal-import-failures-phone.png."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import free_port, issuer_settings, served, token_for
from kakehashi.candidates.bootstrap import SPEC
from kakehashi.candidates.config import CandidatesSettings
from kakehashi.shared.runtime import Runtime
from kakehashi.shared.ui.browser_session import SESSION_COOKIE
from services.candidates.tests.test_portal import _csv, register, sign_in, upload
from tests.e2e.accessibility import assert_accessible, horizontal_overflow
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

CENTRE = "tc-tay-ninh"
PHONE = 390


@pytest.fixture
def portal(tmp_path: Path, test_jwks_file: Path) -> Iterator[tuple[str, str]]:
    """The candidates app served on a free port, holding one registered candidate and one
    finished import with a failed row; its URL and the import's page."""
    port = free_port()
    settings = CandidatesSettings(
        database_url=f"sqlite:///{tmp_path / 'candidates.db'}",
        environment="test",
        kafka_bootstrap_servers="127.0.0.1:9",
        **issuer_settings(test_jwks_file),
    )
    runtime = Runtime.build(settings, SPEC.migrations)
    runtime.migrate()
    app = SPEC.create_app(runtime)
    form = TestClient(app)
    sign_in(form, org=CENTRE)
    register(form, full_name="Nguyen Thi Thanh Huong", name_vi="Nguyễn Thị Thanh Hương")
    bad = {"full_name": "Le Van Hai", "passport_number": "D1000002", "sector": "xyz"}
    job_url = upload(form, _csv(bad)).headers["location"]
    try:
        with served(app, port) as url:
            yield url, job_url
    finally:
        runtime.engine.dispose()


def _phone(browser: object, url: str) -> Any:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(locale="vi-VN", viewport={"width": PHONE, "height": 900})
    context.add_cookies(
        [{"name": SESSION_COOKIE, "value": token_for("training_centre", CENTRE), "url": url}]
    )
    return context


def test_the_candidate_list_is_one_card_per_candidate_on_a_phone(
    portal: tuple[str, str], browser: object
) -> None:
    url, _ = portal
    context = _phone(browser, url)
    page = context.new_page()
    try:
        page.goto(f"{url}/portal/candidates?lang=vi")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / "portal-candidates-list-phone.png", full_page=True)
        assert horizontal_overflow(page) == 0
        # No box on the page scrolls sideways either (the table used to, clipping its columns).
        boxes = page.evaluate(
            """[...document.querySelectorAll('main *')]
                 .filter(e => e.clientWidth > 1 && e.scrollWidth > e.clientWidth + 1
                              && getComputedStyle(e).overflowX !== 'visible')
                 .map(e => e.className || e.tagName)"""
        )
        assert boxes == []
        status = page.locator("tr[data-candidate] .status").first
        assert status.is_visible()
        assert status.inner_text() == "đã đăng ký"
        box = status.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE
        # Each cell says what it is, the header being out of sight on a card.
        labels = page.eval_on_selector_all(
            "tr[data-candidate] td", "cells => cells.map(c => c.dataset.label)"
        )
        assert "Trạng thái" in labels
        assert all(labels)
    finally:
        context.close()


def test_an_imports_failed_rows_are_explained_on_a_phone(
    portal: tuple[str, str], browser: object
) -> None:
    url, job_url = portal
    context = _phone(browser, url)
    page = context.new_page()
    try:
        page.goto(f"{url}{job_url}?lang=vi")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / "portal-import-failures-phone.png", full_page=True)
        assert horizontal_overflow(page) == 0
        why = page.locator("#problems tr[data-row='2'] td").nth(2)
        assert why.is_visible()
        assert why.inner_text().startswith("Ngành nghề không hợp lệ: “xyz”.")
        assert_accessible(page)
    finally:
        context.close()
