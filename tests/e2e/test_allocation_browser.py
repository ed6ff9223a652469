"""The allocation page in a real browser: while a proposal is being computed the page shows its
progress, htmx polls the run, and the result replaces the progress when it is done.

The matching app runs in this process under uvicorn (a free port of 127.0.0.1, SQLite), so the
test can hold the run at a gate (a real unit of work that waits) while the browser looks.
Screenshots: test-artifacts/console-allocation-progress-<stage>.png."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import free_port, issuer_settings, served, token_for
from kakehashi.matching.bootstrap import SPEC
from kakehashi.matching.config import MatchingSettings
from kakehashi.matching.entrypoints.dependencies import services_of, surplus_of, weights_of
from kakehashi.shared.runtime import Runtime
from kakehashi.shared.ui.browser_session import SESSION_COOKIE
from services.matching.tests.allocation_reference import GatedUnitOfWork
from services.matching.tests.market_events import candidate_event, order_event
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e


@pytest.fixture
def matching(tmp_path: Path, test_jwks_file: Path) -> Iterator[tuple[str, Any, Runtime]]:
    """The matching app served on a free port, with one construction sector of two orders."""
    port = free_port()
    settings = MatchingSettings(
        database_url=f"sqlite:///{tmp_path / 'matching.db'}",
        environment="test",
        kafka_bootstrap_servers="127.0.0.1:9",
        web_matching_url=f"http://127.0.0.1:{port}",
        **issuer_settings(test_jwks_file),
    )
    runtime = Runtime.build(settings, SPEC.migrations)
    runtime.migrate()
    app = SPEC.create_app(runtime)
    market = SPEC.applier(runtime)
    market.apply(order_event("order-1", headcount=1))
    market.apply(order_event("order-2", min_japanese_level="N2", headcount=1))
    market.apply(candidate_event("an", full_name="Nguyễn Thị Hằng", level="N1"))
    market.apply(candidate_event("binh", full_name="Trần Văn Bình", level="N4"))
    try:
        with served(app, port) as url:
            yield url, app, runtime
    finally:
        runtime.engine.dispose()


def test_the_page_shows_the_progress_then_the_result(
    matching: tuple[str, Any, Runtime], browser: object
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    url, app, runtime = matching
    settings = runtime.settings
    assert isinstance(settings, MatchingSettings)
    gate = threading.Event()
    services = services_of(app)
    run = services.allocation_runs.start(
        GatedUnitOfWork(runtime.uow(), gate),
        services.candidate_index,
        weights_of(settings),
        surplus_of(settings),
        "construction",
    )
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    token = token_for("program_manager", "pm-office")
    context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": url}])
    page = context.new_page()
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        page.goto(f"{url}/console/allocation?sector=construction")
        panel = page.locator("#allocation-run")
        expect(panel).to_have_attribute("data-status", "running")
        expect(panel).to_have_attribute("data-run", run.id)
        expect(page.get_by_role("status")).to_contain_text("Reading the sector's open orders")
        page.screenshot(path=ARTIFACTS / "console-allocation-progress-running.png", full_page=True)
        gate.set()  # the run goes on; the page's next poll brings the result
        expect(panel).to_have_attribute("data-status", "done", timeout=30_000)
        expect(page.locator("#gain")).to_be_visible()
        expect(page.get_by_text("Nguyễn Thị Hằng")).to_be_visible()
        expect(page.get_by_text("Trần Văn Bình")).to_be_visible()
        page.screenshot(path=ARTIFACTS / "console-allocation-progress-done.png", full_page=True)
    finally:
        gate.set()
        context.close()
