"""The employer portal in Chromium under its Content-Security-Policy: a page using htmx (the
order form's sector select and live checks) logs no CSP violation. htmx would otherwise add its
indicator <style> inline, which `style-src 'self'` refuses; the kit turns that off and ships the
rules in kakehashi.css."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.employers.tests.portal_browser import sign_in
from tests.e2e import conftest as e2e

pytestmark = pytest.mark.integration
ORIGIN = "http://testserver"
chromium = e2e.browser  # the e2e tests' Chromium fixture, here as `chromium`
FORWARDED = {"hx-request", "hx-target", "hx-trigger", "content-type", "origin"}

# Every CSP violation the page reports, as the browser's event describes it.
RECORD_VIOLATIONS = """() => {
  window.__violations = [];
  document.addEventListener("securitypolicyviolation",
    e => window.__violations.push(`${e.violatedDirective}: ${e.blockedURI}`));
}"""


@pytest.fixture
def page(client: TestClient, chromium: Any) -> Iterator[Any]:
    """A Chromium page whose requests to http://testserver the app answers (with its headers,
    the CSP among them), signed in as an employer."""
    sign_in(client)

    def answer(route: Any) -> None:
        request = route.request
        headers = {k: v for k, v in request.headers.items() if k.lower() in FORWARDED}
        response = client.request(
            request.method,
            request.url.removeprefix(ORIGIN),
            headers=headers,
            content=request.post_data_buffer,
        )
        route.fulfill(status=response.status_code, headers=dict(response.headers),
                      body=response.content)  # fmt: skip

    context = chromium.new_context(viewport={"width": 1366, "height": 900})
    context.add_init_script(f"({RECORD_VIOLATIONS})()")
    page = context.new_page()
    page.route(ORIGIN + "/**", answer)
    yield page
    context.close()


def test_a_page_using_htmx_logs_no_content_security_policy_violation(page: Any) -> None:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)  # fmt: skip
    page.on("pageerror", lambda error: errors.append(str(error)))
    answer = page.goto(f"{ORIGIN}/portal/orders/new?lang=en")
    assert answer is not None
    assert "style-src 'self'" in answer.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => typeof htmx") == "object"  # htmx ran

    # htmx at work: the sector's skills are fetched, and the live checks answer.
    page.select_option("#f-sector", "construction")
    page.wait_for_selector("#skill-welding")
    page.check("#skill-welding")
    # Another sector: the chosen skill is sent along (hx-include="#skills") and stays chosen.
    with page.expect_response(lambda r: "/portal/orders/skills" in r.url):
        page.select_option("#f-sector", "agriculture")
    page.wait_for_load_state("networkidle")
    assert page.is_checked("#skill-welding")
    page.fill("#f-title", "Welder")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(600)  # the live checks' 400 ms delay, and their answer
    page.wait_for_load_state("networkidle")

    violations = page.evaluate("() => window.__violations")
    assert violations == []
    assert [e for e in errors if "Content Security Policy" in e or "Refused" in e] == []
    assert errors == []
    # htmx added no inline <style>; the indicator rules come from the kit's stylesheet.
    assert page.evaluate("() => document.querySelectorAll('style').length") == 0
    hidden = page.evaluate(
        """() => { const el = document.createElement("span"); el.className = "htmx-indicator";
        document.body.append(el); return getComputedStyle(el).opacity; }"""
    )
    assert hidden == "0"
