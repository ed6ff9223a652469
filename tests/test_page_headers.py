"""Every service's pages carry the same protections: a strict Content-Security-Policy (our own
scripts and styles only, no framing, forms only to Kakehashi), nosniff, a referrer policy, and
no inline script or style attribute for the policy to break."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from conftest import token_for
from kakehashi.candidates.bootstrap import SPEC as CANDIDATES
from kakehashi.employers.bootstrap import SPEC as EMPLOYERS
from kakehashi.identity.bootstrap import SPEC as IDENTITY
from kakehashi.matching.bootstrap import SPEC as MATCHING
from kakehashi.shared.runtime import ServiceSpec
from kakehashi.shared.ui.browser_session import SESSION_COOKIE

# (service, page, who is signed in)
PAGES = [
    (CANDIDATES, "/portal/candidates", ("training_centre", "tc-headers")),
    (CANDIDATES, "/portal/imports", ("training_centre", "tc-headers")),
    (EMPLOYERS, "/portal/orders", ("employer", "emp-headers")),
    (EMPLOYERS, "/portal/orders/new", ("employer", "emp-headers")),
    (MATCHING, "/console/orders", ("program_manager", "pm-headers")),
    (IDENTITY, "/sign-in", None),
]


@pytest.mark.parametrize(
    ("spec", "path", "who"), PAGES, ids=[f"{spec.name}{path}" for spec, path, _ in PAGES]
)
def test_every_page_is_protected_and_needs_no_inline_code(
    service_client: Callable[..., TestClient],
    spec: ServiceSpec,
    path: str,
    who: tuple[str, str] | None,
) -> None:
    secret = {"key_encryption_secret": "k" * 40} if spec is IDENTITY else {}
    client = service_client(spec, **secret)
    if who is not None:
        client.cookies.set(SESSION_COOKIE, token_for(*who))
    page = client.get(path)
    assert page.status_code == 200, page.text[:500]
    assert page.headers["content-type"].startswith("text/html")
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in page.headers["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    html = page.text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script"
    assert " style=" not in html, "an inline style attribute (the policy blocks it)"
    assert not re.search(r"\son[a-z]+=", html), "an inline event handler"


ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted(
    path
    for folder in ("services", "shared")
    for path in (ROOT / folder).glob("**/templates/**/*.html")
    if ".venv" not in path.parts
)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_template_has_inline_code_the_policy_would_block(template: Path) -> None:
    html = template.read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script"
    assert not re.search(r"\sstyle=", html), "an inline style attribute: use a class or <meter>"
    assert not re.search(r"\son[a-z]+=[\"']", html), "an inline event handler"


def test_templates_are_found() -> None:
    assert len(TEMPLATES) > 20


# (service, page, who is signed in, the href the header marks as the current page's)
CURRENT = [
    (CANDIDATES, "/portal/candidates/new", ("training_centre", "tc-nav"), "/candidates/new"),
    (CANDIDATES, "/portal/candidates", ("training_centre", "tc-nav"), "/portal/candidates"),
    (EMPLOYERS, "/portal/orders/new", ("employer", "emp-nav"), "/portal/orders/new"),
    (EMPLOYERS, "/portal/orders", ("employer", "emp-nav"), "/portal/orders"),
    (MATCHING, "/console/orders", ("program_manager", "pm-nav"), "/console/orders"),
    (MATCHING, "/console/orders", ("admin", "kakehashi-operator"), "/console/orders"),
]


@pytest.mark.parametrize(
    ("spec", "path", "who", "marked"),
    CURRENT,
    ids=[f"{spec.name}{path}-{who[0]}" for spec, path, who, _ in CURRENT],
)
def test_the_header_marks_one_link_and_links_each_page_once(
    service_client: Callable[..., TestClient],
    spec: ServiceSpec,
    path: str,
    who: tuple[str, str],
    marked: str,
) -> None:
    client = service_client(spec)
    client.cookies.set(SESSION_COOKIE, token_for(*who))
    page = client.get(path)
    assert page.status_code == 200, page.text[:500]
    nav = page.text.split('<nav aria-label="', 1)[1].split("</nav>", 1)[0]
    current = re.findall(r'<a [^>]*href="([^"]*)"[^>]*aria-current="page"', nav)
    assert len(current) == 1, current
    assert current[0].endswith(marked)
    hrefs = [urlsplit(href).path for href in re.findall(r'href="([^"]*)"', nav)]
    assert len(hrefs) == len(set(hrefs)), hrefs  # "Review console" and "Job orders" were one
