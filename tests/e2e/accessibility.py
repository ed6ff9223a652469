"""Checks every page of Kakehashi should pass in a browser, for any service's Playwright tests.

    from tests.e2e.accessibility import assert_accessible, screenshot_widths

    page.goto(url)
    assert_accessible(page)                   # axe-core: no serious or critical violation
    screenshot_widths(page, "console-orders-vi")  # 1366 px and 390 px, no sideways scrolling

`assert_accessible` runs axe-core (the copy bundled in axe-playwright-python, so nothing is
fetched) on the page as it is now. `screenshot_widths` resizes the page to each width, reloads
nothing, saves `test-artifacts/<name>-<width>.png` (full page) and fails if the document is wider
than the window, which on a phone means the whole page scrolls sideways (a wide table should
scroll inside a `.table-wrap` instead). Both take a sync Playwright `Page`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP, PHONE = 1366, 390
WIDTHS = (DESKTOP, PHONE)
BLOCKING_IMPACTS = frozenset({"serious", "critical"})


def accessibility_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations of serious or critical impact on `page` (WCAG 2 A/AA rules and
    best practices), each with its rule id, help text and the offending elements."""
    from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

    results = Axe().run(page)
    violations: list[dict[str, Any]] = results.response["violations"]
    return [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]


def assert_accessible(page: Any) -> None:
    """Fail, naming each rule and element, if axe finds a serious or critical violation."""
    violations = accessibility_violations(page)
    described = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in violations
    ]
    assert not violations, f"{page.url}:\n" + "\n".join(described)


def horizontal_overflow(page: Any) -> int:
    """How many CSS pixels the document is wider than the window (0: no sideways scrolling)."""
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    return max(0, int(scroll) - int(client))


def screenshot_widths(
    page: Any, name: str, widths: tuple[int, ...] = WIDTHS, height: int = 900
) -> list[Path]:
    """Save `page` at each width as test-artifacts/<name>-<width>.png and assert that at none
    of them the page scrolls sideways; returns the files written."""
    ARTIFACTS.mkdir(exist_ok=True)
    saved, overflowing = [], []
    for width in widths:
        page.set_viewport_size({"width": width, "height": height})
        path = ARTIFACTS / f"{name}-{width}.png"
        page.screenshot(path=path, full_page=True)
        saved.append(path)
        if (extra := horizontal_overflow(page)) > 0:
            overflowing.append(f"{width}px: {extra}px too wide")
    assert not overflowing, f"{page.url} scrolls sideways: {', '.join(overflowing)}"
    return saved
