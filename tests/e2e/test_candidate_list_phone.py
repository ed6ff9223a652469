"""The centre's candidate list on a phone (390 px), in a real browser: one card per candidate,
every column named by its header, nothing clipped in a sideways-scrolling box — the status is on
screen without scrolling sideways (a centre's trial found it cut off at the right).

The candidates app runs in this process under uvicorn (a free port of 127.0.0.1, SQLite); the
candidate is registered through the portal's own form. Screenshot:
test-artifacts/portal-candidates-list-phone.png."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

from conftest import free_port, issuer_settings, token_for
from kakehashi.candidates.bootstrap import SPEC
from kakehashi.candidates.config import CandidatesSettings
from kakehashi.shared.runtime import Runtime
from kakehashi.shared.ui.browser_session import SESSION_COOKIE
from services.candidates.tests.test_portal import register, sign_in
from tests.e2e.accessibility import horizontal_overflow
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

CENTRE = "tc-tay-ninh"
PHONE = 390


@pytest.fixture
def portal(tmp_path: Path, test_jwks_file: Path) -> Iterator[str]:
    """The candidates app served on a free port, holding one registered candidate."""
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
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        runtime.engine.dispose()


def test_the_candidate_list_is_one_card_per_candidate_on_a_phone(
    portal: str, browser: object
) -> None:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(locale="vi-VN", viewport={"width": PHONE, "height": 900})
    context.add_cookies(
        [{"name": SESSION_COOKIE, "value": token_for("training_centre", CENTRE), "url": portal}]
    )
    page = context.new_page()
    try:
        page.goto(f"{portal}/portal/candidates?lang=vi")
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
