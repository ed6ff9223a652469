"""The page gallery: every page of the training-centre portal, the employer portal, identity and
the kit's dead-letter pages they mount, on the whole system (real processes and broker) with a
seeded market, in Vietnamese, Japanese and English, at 1366 px and 390 px.

For each page and language: it answers, in that language (`<html lang>`, one label as the
catalog translates it, and no sentence left in English), with one main heading; axe-core finds
no serious or critical violation; and at neither width does it scroll sideways. Screenshots:
test-artifacts/<service>-<page>-<lang>-<width>.png.

The gallery is checked against the apps themselves: every GET route a service serves outside
its API schema is a gallery page or is named below as not a page (a redirect, a download, an
htmx fragment), so a new page without a gallery entry fails `test_the_gallery_lists_every_page`.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from conftest import auth, issuer_settings, sign_as_test_issuer, token_for, wait_until
from kakehashi.candidates.bootstrap import SPEC as CANDIDATES
from kakehashi.candidates.entrypoints.import_rows import template_rows
from kakehashi.candidates.entrypoints.portal.rendering import PAGES as CANDIDATE_PAGES
from kakehashi.devtools.demo_organisations import ADMIN_EMAIL, BY_ID, DEMO_PASSWORD
from kakehashi.devtools.mail_catcher import latest_link
from kakehashi.devtools.seed import seed
from kakehashi.devtools.supervisor import SERVICES, Supervisor
from kakehashi.employers.bootstrap import SPEC as EMPLOYERS
from kakehashi.employers.entrypoints.portal.rendering import PAGES as EMPLOYER_PAGES
from kakehashi.identity.bootstrap import SPEC as IDENTITY
from kakehashi.identity.entrypoints.pages.rendering import PAGES as IDENTITY_PAGES
from kakehashi.shared.events import MATCH_EVENTS
from kakehashi.shared.runtime import Runtime, ServiceSpec
from kakehashi.shared.ui import dead_letter_pages
from kakehashi.shared.ui.browser_session import SESSION_COOKIE
from kakehashi.shared.ui.i18n import KIT_LOCALES, LANGUAGE_COOKIE
from kakehashi.shared.ui.pages import Pages
from tests.e2e.accessibility import (
    assert_accessible,
    english_leftovers,
    screenshot_widths,
    translated_msgids,
)
from tests.e2e.conftest import produce_independently

pytestmark = pytest.mark.e2e

LANGUAGES = ("vi", "ja", "en")
LOCALES = {"vi": "vi-VN", "ja": "ja-JP", "en": "en-GB"}  # the browser's (dates in forms)
SPECS = {"candidates": CANDIDATES, "employers": EMPLOYERS, "identity": IDENTITY}
RENDERERS: dict[str, Pages] = {
    "candidates": CANDIDATE_PAGES,
    "employers": EMPLOYER_PAGES,
    "identity": IDENTITY_PAGES,
}
INVITEE = "gallery-invitee@kakehashi.example"
ENROLLING = "gallery-enrolling@kakehashi.example"
ENROLLING_PASSWORD = "Cầu Kakehashi gallery 2026"
# Who opens a page: a role's session (the test issuer's token, which the services trust), the
# administrator signed in at identity (identity's own token), or a visitor without a session.
VISITOR, ADMIN_AT_IDENTITY = "visitor", "identity-admin"


@dataclass(frozen=True)
class Market:
    """The seeded market's ids the gallery's pages show, and the links identity mailed."""

    centre: str
    candidate_id: str
    employer: str
    order_id: str
    import_job_id: str
    dead_letter: dict[str, str]  # service -> path of one of its pending dead letters
    invitation: str  # path and query of a mailed invitation link
    password_reset: str  # path and query of a mailed password reset link
    identity_admin_token: str
    enrolling_token: str  # a user who has begun setting up two-factor sign-in


@dataclass(frozen=True)
class GalleryPage:
    """One page (or one state of a page) in the gallery.

    `route` is the path as the app declares it; `path` gives the URL to open (with the market's
    ids); `who` opens it; `label` is an English msgid the page shows, translated in vi and ja;
    `status` is the answer's expected status (a refusal page is a page too)."""

    service: str
    name: str
    route: str
    who: Callable[[Market], str]
    path: Callable[[Market], str]
    label: str
    status: int = 200


def _centre(m: Market) -> str:
    return token_for("training_centre", m.centre)


def _employer(m: Market) -> str:
    return token_for("employer", m.employer)


def _admin(_m: Market) -> str:
    return token_for("admin", "kakehashi-operator")


def _identity_admin(m: Market) -> str:
    return m.identity_admin_token


def _enrolling_user(m: Market) -> str:
    return m.enrolling_token


def _visitor(_m: Market) -> str:
    return VISITOR


def _at(path: str) -> Callable[[Market], str]:
    return lambda _m: path


GALLERY: tuple[GalleryPage, ...] = (
    # The training-centre portal.
    GalleryPage("candidates", "list", "/portal/candidates", _centre, _at("/portal/candidates"),
                "Register a candidate"),
    GalleryPage("candidates", "list-all", "/portal/candidates", _admin,
                _at("/portal/candidates"), "All candidates"),
    GalleryPage("candidates", "new", "/portal/candidates/new", _centre,
                _at("/portal/candidates/new"), "Register a candidate"),
    GalleryPage("candidates", "candidate", "/portal/candidates/{candidate_id}", _centre,
                lambda m: f"/portal/candidates/{m.candidate_id}", "Eligibility per track"),
    GalleryPage("candidates", "edit", "/portal/candidates/{candidate_id}/edit", _centre,
                lambda m: f"/portal/candidates/{m.candidate_id}/edit", "Edit the candidate"),
    GalleryPage("candidates", "notifications", "/portal/notifications", _centre,
                _at("/portal/notifications"), "What happened to my candidates"),
    GalleryPage("candidates", "imports", "/portal/imports", _centre, _at("/portal/imports"),
                "Import candidates from a file"),
    GalleryPage("candidates", "import", "/portal/imports/{job_id}", _centre,
                lambda m: f"/portal/imports/{m.import_job_id}", "Import of %(file)s"),
    GalleryPage("candidates", "not-for-this-role", "/portal/candidates", _employer,
                _at("/portal/candidates"), "The candidates portal is for training centres", 403),
    GalleryPage("candidates", "dead-letters", "/admin/dead-letters", _admin,
                _at("/admin/dead-letters"), "Dead letters"),
    GalleryPage("candidates", "dead-letter", "/admin/dead-letters/{partition}/{offset}", _admin,
                lambda m: m.dead_letter["candidates"], "Traceback"),
    # The employer portal.
    GalleryPage("employers", "orders", "/portal/orders", _employer, _at("/portal/orders"),
                "My job orders"),
    GalleryPage("employers", "new", "/portal/orders/new", _employer, _at("/portal/orders/new"),
                "Post a job order"),
    GalleryPage("employers", "order", "/portal/orders/{job_order_id}", _employer,
                lambda m: f"/portal/orders/{m.order_id}", "Candidates proposed to you"),
    GalleryPage("employers", "edit", "/portal/orders/{job_order_id}/edit", _employer,
                lambda m: f"/portal/orders/{m.order_id}/edit", "Edit the job order"),
    GalleryPage("employers", "profile", "/portal/profile", _employer, _at("/portal/profile"),
                "Company profile"),
    GalleryPage("employers", "not-for-this-role", "/portal/orders", _centre,
                _at("/portal/orders"), "The employer portal is for employers", 403),
    GalleryPage("employers", "dead-letters", "/admin/dead-letters", _admin,
                _at("/admin/dead-letters"), "Dead letters"),
    GalleryPage("employers", "dead-letter", "/admin/dead-letters/{partition}/{offset}", _admin,
                lambda m: m.dead_letter["employers"], "Traceback"),
    # Identity.
    GalleryPage("identity", "sign-in", "/sign-in", _visitor, _at("/sign-in"),
                "Sign in to Kakehashi"),
    GalleryPage("identity", "invitation", "/invitation", _visitor, lambda m: m.invitation,
                "Welcome to Kakehashi"),
    GalleryPage("identity", "invitation-refused", "/invitation", _visitor,
                _at("/invitation?token=" + "x" * 32),
                "This link is unknown, expired or already used. Ask for a new one.", 400),
    GalleryPage("identity", "password-reset-request", "/password-reset", _visitor,
                _at("/password-reset"), "Forgot your password?"),
    GalleryPage("identity", "password-reset", "/password-reset", _visitor,
                lambda m: m.password_reset, "Choose a new password"),
    GalleryPage("identity", "two-factor", "/account/two-factor", _identity_admin,
                _at("/account/two-factor"), "Set up two-factor sign-in"),
    GalleryPage("identity", "two-factor-enrolment", "/account/two-factor", _enrolling_user,
                _at("/account/two-factor"), "Turn on two-factor sign-in"),
    GalleryPage("identity", "notifications", "/account/notifications", _identity_admin,
                _at("/account/notifications"), "Notification mails"),
    GalleryPage("identity", "admin", "/admin", _identity_admin, _at("/admin"), "Sign-in audit"),
    GalleryPage("identity", "dead-letters", "/admin/dead-letters", _identity_admin,
                _at("/admin/dead-letters"), "Dead letters"),
    GalleryPage("identity", "dead-letter", "/admin/dead-letters/{partition}/{offset}",
                _identity_admin, lambda m: m.dead_letter["identity"], "Traceback"),
)  # fmt: skip

# GET routes outside the API schema that are not pages, and why.
NOT_PAGES: dict[tuple[str, str], str] = {
    ("candidates", "/portal"): "redirects to /portal/candidates",
    ("candidates", "/portal/candidates/form/skills"): "htmx fragment of the candidate form",
    ("candidates", "/portal/candidates/form/duplicates"): "htmx fragment of the candidate form",
    ("candidates", "/portal/candidates/form/age"): "htmx fragment of the candidate form",
    ("candidates", "/portal/imports/{job_id}/failures.csv"): "a CSV download",
    ("employers", "/portal"): "redirects to /portal/orders",
    ("employers", "/portal/orders/skills"): "htmx fragment of the job order form",
    ("employers", "/portal/orders/{job_order_id}/kyujinhyo.xlsx"): "an XLSX download",
    ("identity", "/session/refresh"): "renews the session cookie and redirects",
} | {
    (service, route): why
    for service in ("candidates", "employers", "identity")
    for route, why in {
        "/docs": "FastAPI's API explorer, not a Kakehashi page",
        "/docs/oauth2-redirect": "part of FastAPI's API explorer",
        "/redoc": "FastAPI's API reference, not a Kakehashi page",
        "/metrics": "Prometheus text",
    }.items()
}


# Which routes each app serves ------------------------------------------------------------------


def page_routes(spec: ServiceSpec, data: Path, jwks_file: Path) -> set[str]:
    """The GET routes of `spec`'s app that are not in its API schema (pages and their parts),
    read from the app its factory builds (nothing is served, the database is not touched)."""
    settings: dict[str, Any] = {
        "database_url": f"sqlite:///{data / spec.name}.db",
        "environment": "test",
        "kafka_bootstrap_servers": "127.0.0.1:9",
    }
    if spec is IDENTITY:
        settings["key_encryption_secret"] = "gallery-routes-only-0123456789abcdef"
    else:
        settings |= issuer_settings(jwks_file)
    runtime = Runtime.build(spec.settings_factory(**settings), spec.migrations)
    try:
        app = spec.create_app(runtime)
    finally:
        runtime.engine.dispose()
    # FastAPI keeps an included router's routes behind it: its route contexts name them all.
    return {
        str(context.path)
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
        and "GET" in (context.methods or ())
        and not context.include_in_schema
    }


def test_the_gallery_lists_every_page(tmp_path: Path, test_jwks_file: Path) -> None:
    """A page added to a portal or to identity without a gallery entry fails here."""
    for service, spec in SPECS.items():
        served = page_routes(spec, tmp_path, test_jwks_file)
        listed = {p.route for p in GALLERY if p.service == service}
        not_pages = {route for (s, route) in NOT_PAGES if s == service}
        assert served - listed - not_pages == set(), f"{service}: pages missing from the gallery"
        assert (listed | not_pages) - served == set(), f"{service}: gallery routes not served"
    names = [(p.service, p.name) for p in GALLERY]
    assert len(names) == len(set(names)), "two gallery pages with one screenshot name"


# The market -------------------------------------------------------------------------------------


def _json(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.request.url}: {response.text[:300]}"
    return response.json()


def _import_job(system: Supervisor, centre: str) -> str:
    """A finished import of three rows (one refused: a duplicate passport number)."""
    header, (example,) = template_rows()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    row = dict(zip(header, example, strict=True))
    for n, passport in enumerate(("G1000001", "G1000002", "G1000002")):
        person = row | {"full_name": f"Gallery Nhap {n}", "passport_number": passport}
        writer.writerow([person[column] for column in header])
    job = _json(
        httpx.post(
            f"{system.url('candidates')}/imports",
            files={"file": ("gallery.csv", out.getvalue().encode(), "text/csv")},
            headers=auth("training_centre", centre),
        ),
        202,
    )
    job_url = f"{system.url('candidates')}/imports/{job['id']}"
    wait_until(
        lambda: (
            httpx.get(job_url, headers=auth("training_centre", centre)).json()["status"]
            in ("done", "failed")
        ),
        timeout_s=60,
    )
    return str(job["id"])


def _dead_letter_path(system: Supervisor, service: str, session: str | None) -> str | None:
    """The page of the first dead letter `service` lists, once it is there (`session`: an admin's
    token identity issued, which identity's own page requires; else the test issuer's)."""
    page = httpx.get(
        f"{system.url(service)}/admin/dead-letters",
        cookies={SESSION_COOKIE: session or token_for("admin", "kakehashi-operator")},
    )
    found = re.search(r'href="(/admin/dead-letters/\d+/\d+)"', page.text)
    return found.group(1) if found else None


def _enrolling(identity: str, mail_dir: Path, admin: dict[str, str], organisation: str) -> str:
    """The identity token of a new user half way through setting up two-factor sign-in (the
    secret made, not yet confirmed with a code)."""
    invitation = {
        "email": ENROLLING,
        "display_name": "Trần Văn Bình",
        "preferred_language": "vi",
        "organisation_id": organisation,
        "role": "training_centre",
    }
    assert httpx.post(f"{identity}/invitations", json=invitation, headers=admin).is_success
    link = wait_until(partial(latest_link, mail_dir, ENROLLING, "/invitation"), timeout_s=30)
    token = parse_qs(urlsplit(str(link)).query)["token"][0]
    body = {"token": token, "password": ENROLLING_PASSWORD}
    assert httpx.post(f"{identity}/invitations/accept", json=body).status_code == 204
    signed_in = _json(
        httpx.post(f"{identity}/sign-in", json={"email": ENROLLING, "password": ENROLLING_PASSWORD})
    )
    bearer = {"Authorization": f"Bearer {signed_in['access_token']}"}
    _json(httpx.post(f"{identity}/me/totp", headers=bearer), 201)
    return str(signed_in["access_token"])


def _identity_links(system: Supervisor) -> tuple[str, str, str, str]:
    """The administrator's identity token, an invitation and a password reset link as mailed,
    and the token of a user setting up two-factor sign-in."""
    identity = system.url("identity")
    token = _json(
        httpx.post(f"{identity}/sign-in", json={"email": ADMIN_EMAIL, "password": DEMO_PASSWORD})
    )["access_token"]
    admin = {"Authorization": f"Bearer {token}"}
    centre = BY_ID["tc-tay-ninh-01"]
    created = httpx.post(f"{identity}/organisations", json=centre.body(), headers=admin)
    assert created.status_code in (201, 409), created.text
    invitation = {
        "email": INVITEE,
        "display_name": "Nguyễn Thị Mai",
        "preferred_language": "vi",
        "organisation_id": centre.id,
        "role": "training_centre",
    }
    assert httpx.post(f"{identity}/invitations", json=invitation, headers=admin).is_success
    reset = httpx.post(f"{identity}/password-reset", json={"email": ADMIN_EMAIL})
    assert reset.is_success, reset.text
    links = [
        wait_until(partial(latest_link, system.mail_dir, to, path), timeout_s=30)
        for to, path in ((INVITEE, "/invitation"), (ADMIN_EMAIL, "/password-reset"))
    ]
    relative = [re.sub(r"^https?://[^/]+", "", str(link)) for link in links]
    enrolling = _enrolling(identity, system.mail_dir, admin, centre.id)
    return str(token), relative[0], relative[1], enrolling


@pytest.fixture(scope="module")
def market(system: Supervisor) -> Market:
    """A small seeded market (the demo's organisations), a finished import, one dead letter in
    the candidates', the employers' and identity's groups, and identity's mailed links."""
    # An unreadable message on a topic all three consume: each dead-letters it.
    produce_independently(system.bootstrap, MATCH_EVENTS, "gallery", b"not an event")
    urls = {service: system.url(service) for service in SERVICES}
    report = seed(urls, sign_as_test_issuer, candidates=24, job_orders=4, seed=7)
    manager = auth("program_manager", "pm-office")
    listed = _json(
        httpx.get(f"{urls['candidates']}/candidates", params={"limit": 200}, headers=manager)
    )["items"]
    order = max(
        (
            _json(httpx.get(f"{urls['employers']}/job-orders/{oid}", headers=manager))
            for oid in report.job_order_ids
        ),
        key=lambda o: o["status"] != "draft",
    )
    # The richest candidate page: one far along the pipeline.
    stages = ("interviewed", "shortlisted", "ready", "in_training", "registered")
    candidate = min(listed, key=lambda c: stages.index(c["status"]) if c["status"] in stages else 9)
    token, invitation, password_reset, enrolling = _identity_links(system)
    sessions = {"candidates": None, "employers": None, "identity": token}
    dead_letters = {
        service: wait_until(partial(_dead_letter_path, system, service, session), timeout_s=60)
        for service, session in sessions.items()
    }
    return Market(
        centre=candidate["training_centre_id"],
        candidate_id=candidate["id"],
        employer=order["employer_id"],
        order_id=order["id"],
        import_job_id=_import_job(system, candidate["training_centre_id"]),
        dead_letter={s: str(p) for s, p in dead_letters.items()},
        invitation=invitation,
        password_reset=password_reset,
        identity_admin_token=token,
        enrolling_token=enrolling,
    )


# The checks -------------------------------------------------------------------------------------


def check_page(page: Any, entry: GalleryPage, url: str, language: str) -> list[str]:
    """Open `url` and check `entry` in `language`; returns what is wrong (empty: all good)."""
    problems = []
    answer = page.goto(url)
    page.wait_for_load_state("networkidle")
    where = f"{entry.service}-{entry.name}-{language}"
    if answer is None or answer.status != entry.status:
        problems.append(f"{where}: answered {answer and answer.status}, not {entry.status}")
    if (lang := page.locator("html").get_attribute("lang")) != language:
        problems.append(f"{where}: <html lang={lang}>")
    if (headings := page.locator("h1").count()) != 1:
        problems.append(f"{where}: {headings} h1")
    renderer = RENDERERS[entry.service]
    if entry.route.startswith(dead_letter_pages.PREFIX):
        renderer = dead_letter_pages.PAGES
    label = renderer.translations(language).gettext(entry.label).split("%(")[0].strip()
    if language != "en" and label == entry.label.split("%(")[0].strip():
        problems.append(f"{where}: {entry.label!r} has no {language} translation")
    if label not in page.locator("body").inner_text():
        problems.append(f"{where}: {label!r} is not on the page")
    catalogs = (KIT_LOCALES, renderer.locales)
    msgids = translated_msgids(language, *catalogs) if language != "en" else frozenset()
    if language != "en" and (english := english_leftovers(page, msgids)):
        problems.append(f"{where}: English left: {english}")
    for check in (
        lambda: assert_accessible(page),
        lambda: screenshot_widths(page, where),
    ):
        try:
            check()
        except AssertionError as failed:
            problems.append(f"{where}: {failed}")
    page.set_viewport_size({"width": 1366, "height": 900})
    return problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_in_the_gallery(
    system: Supervisor, market: Market, browser: Any, language: str
) -> None:
    """One browser context per language (the language cookie); the session cookie is swapped
    for each page's reader, so a context serves every page of that language."""
    started = time.monotonic()
    context = browser.new_context(locale=LOCALES[language], viewport={"width": 1366, "height": 900})
    host = system.url("identity")  # every service is on 127.0.0.1: one cookie jar for all
    context.add_cookies([{"name": LANGUAGE_COOKIE, "value": language, "url": host}])
    page = context.new_page()
    problems: list[str] = []
    try:
        for entry in GALLERY:
            token = entry.who(market)
            context.clear_cookies(name=SESSION_COOKIE)
            if token != VISITOR:
                context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": host}])
            url = system.url(entry.service) + entry.path(market)
            problems += check_page(page, entry, url, language)
    finally:
        context.close()
    print(f"gallery {language}: {len(GALLERY)} pages in {time.monotonic() - started:.0f} s")
    assert not problems, "\n".join(problems)
