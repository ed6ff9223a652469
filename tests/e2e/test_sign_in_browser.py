"""Single sign-on in a real browser: an admin signs in with a password at identity and reaches
the console, invites a program manager from the admin page; the invitee sets a password through
the mailed link and lands in the console; signing out ends the session for every service; a
visitor the console sends to identity comes back to the page they asked for.

Identity and matching run in this process as two uvicorn servers on free ports of 127.0.0.1 (one
host, as on `make dev`, so the session cookie is theirs both); matching verifies identity's
tokens through identity's discovery document and JWKS, as in production. Screenshots in vi, ja
and en, desktop and phone, land in test-artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import ViewportSize

from conftest import free_port, served
from kakehashi.identity.adapters.mail import Mail
from kakehashi.identity.bootstrap import SPEC as IDENTITY
from kakehashi.identity.config import IdentitySettings
from kakehashi.identity.entrypoints.api import create_app as identity_app
from kakehashi.identity.service_layer import users
from kakehashi.identity.service_layer.context import Identity
from kakehashi.matching.bootstrap import SPEC as MATCHING
from kakehashi.matching.config import MatchingSettings
from kakehashi.matching.entrypoints.api import create_app as matching_app
from kakehashi.shared.runtime import Runtime
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

ADMIN_EMAIL = "admin@kakehashi.example"
ADMIN_PASSWORD = "correct horse battery staple"
MANAGER_EMAIL = "minh@kakehashi.example"
MANAGER_PASSWORD = "Lúa chín vàng đồng 2026"
DESKTOP: ViewportSize = {"width": 1366, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


class Outbox:
    """Identity's mailer in this test: keeps every mail."""

    def __init__(self) -> None:
        self.mails: list[Mail] = []

    def send(self, mail: Mail) -> None:
        self.mails.append(mail)

    def link(self, to: str, path: str) -> str:
        for mail in reversed(self.mails):
            found = re.search(rf"(http\S+{re.escape(path)}\?token=[\w-]+)", mail.body)
            if mail.to == to and found:
                return found.group(1)
        raise AssertionError(f"no {path} link mailed to {to}")


@dataclass
class Site:
    identity: str
    matching: str
    outbox: Outbox
    identity_runtime: Runtime


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data = tmp_path_factory.mktemp("sso")
    id_port, matching_port = free_port(), free_port()
    identity_url = f"http://127.0.0.1:{id_port}"
    matching_url = f"http://127.0.0.1:{matching_port}"
    web = {"web_identity_url": identity_url, "web_matching_url": matching_url}
    common: dict[str, Any] = {"environment": "test", "kafka_bootstrap_servers": "127.0.0.1:9"} | web
    identity_runtime = Runtime.build(
        IdentitySettings(
            database_url=f"sqlite:///{data / 'identity.db'}",
            issuer=identity_url,
            public_url=identity_url,
            key_encryption_secret="sso-browser-test-key-encryption-0123456789",
            argon2_time_cost=1,
            argon2_memory_kib=1024,
            argon2_parallelism=1,
            **common,
        ),
        IDENTITY.migrations,
    )
    matching_runtime = Runtime.build(
        MatchingSettings(
            database_url=f"sqlite:///{data / 'matching.db'}", auth_issuer=identity_url, **common
        ),
        MATCHING.migrations,
    )
    outbox = Outbox()
    for runtime in (identity_runtime, matching_runtime):
        runtime.migrate()
    try:
        with (
            served(identity_app(identity_runtime, mailer=outbox), id_port),
            served(matching_app(matching_runtime), matching_port),
        ):
            yield Site(identity_url, matching_url, outbox, identity_runtime)
    finally:
        for runtime in (identity_runtime, matching_runtime):
            runtime.engine.dispose()


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"sso-{name}.png", full_page=True)


def test_sign_in_with_a_password_at_identity_reaches_the_console(
    site: Site, browser: object
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    runtime = site.identity_runtime
    assert isinstance(runtime.settings, IdentitySettings)
    users.create_admin(
        runtime.uow(),
        Identity.build(runtime.settings, site.outbox),
        email=ADMIN_EMAIL,
        display_name="Operator",
        organisation_id="kakehashi-operator",
        password=ADMIN_PASSWORD,
    )
    context = browser.new_context(locale="vi-VN", viewport=DESKTOP)
    page = context.new_page()
    try:
        # The console sends a visitor without a session to identity, which asks in Vietnamese.
        page.goto(f"{site.matching}/console/allocation")
        expect(page).to_have_url(re.compile(rf"^{site.identity}/sign-in\?next="))
        expect(page.locator("html")).to_have_attribute("lang", "vi")
        _shot(page, "sign-in-vi")
        page.fill("input[name=email]", ADMIN_EMAIL)
        page.fill("input[name=password]", "not the password at all")
        page.click("form[action='/session'] button[type=submit]")
        expect(page.locator(".flash-error")).to_have_text("Email hoặc mật khẩu không đúng.")
        _shot(page, "sign-in-refused-vi")
        page.fill("input[name=password]", ADMIN_PASSWORD)
        page.click("form[action='/session'] button[type=submit]")
        # Back on the page asked for, signed in: the console read identity's cookie.
        expect(page).to_have_url(f"{site.matching}/console/allocation")
        # Signed in as the operator (named from matching's organisation directory once the
        # event arrived; its id until then).
        who = page.locator("header .who .organisation")
        expect(who).to_have_attribute("data-organisation", "kakehashi-operator")
        cookies = {c["name"]: c for c in context.cookies()}
        session = cookies["kakehashi_session"]
        assert session["httpOnly"]
        assert session["sameSite"] == "Lax"
        assert cookies["kakehashi_refresh"]["path"] == "/session"
        _shot(page, "console-allocation-vi")

        # The admin page, one click away in the shared navigation; invite a program manager.
        page.click("header a[data-service=admin]")
        expect(page).to_have_url(f"{site.identity}/admin")
        page.goto(f"{site.identity}/admin?lang=en")
        _shot(page, "admin-en")
        org = page.locator("form[action='/admin/organisations']")
        org.locator("input[name=id]").fill("pm-tay-ninh")
        org.locator("select[name=kind]").select_option("program_office")
        org.locator("input[name=name_latin]").fill("Tay Ninh Program Office")
        org.locator("input[name=name_vi]").fill("Văn phòng chương trình Tây Ninh")
        org.locator("button").click()
        expect(page.locator(".flash-ok")).to_have_text("Saved.")
        invite = page.locator("form[action='/admin/invitations']")
        invite.locator("input[name=email]").fill(MANAGER_EMAIL)
        invite.locator("input[name=display_name]").fill("Trần Minh")
        invite.locator("select[name=organisation_id]").select_option("pm-tay-ninh")
        invite.locator("select[name=role]").select_option("program_manager")
        invite.locator("button").click()
        expect(page.locator(".flash-ok")).to_have_text("The invitation is mailed.")
        expect(page.locator(f"tr[data-user='{MANAGER_EMAIL}']")).to_be_visible()
        page.set_viewport_size(PHONE)
        page.goto(f"{site.identity}/admin?lang=vi")
        expect(page.locator("h1")).to_have_text("Quản trị")
        _shot(page, "admin-vi-phone")
        page.goto(f"{site.identity}/admin?lang=ja")
        _shot(page, "admin-ja-phone")
        page.set_viewport_size(DESKTOP)
        page.goto(f"{site.identity}/admin?lang=en")

        # Signing out ends the session for every service: the console asks to sign in again.
        page.click("header form button[type=submit]")
        expect(page).to_have_url(f"{site.identity}/sign-in")
        expect(page.locator(".flash-ok")).to_have_text("You are signed out.")
        names = {c["name"] for c in context.cookies()}
        assert "kakehashi_session" not in names
        assert "kakehashi_refresh" not in names
        page.goto(f"{site.matching}/console/orders")
        expect(page).to_have_url(re.compile(rf"^{site.identity}/sign-in\?next="))
    finally:
        context.close()

    # The invitee opens the mailed link (on a phone, in Japanese), chooses a password and is in.
    link = site.outbox.link(MANAGER_EMAIL, "/invitation")
    phone = browser.new_context(locale="ja-JP", viewport=PHONE, is_mobile=True)
    page = phone.new_page()
    try:
        page.goto(link)
        expect(page.locator("html")).to_have_attribute("lang", "ja")
        expect(page.locator("h1")).to_have_text("Kakehashi へようこそ")
        _shot(page, "invitation-ja-phone")
        page.fill("input[name=password]", "202604011999")  # long enough, but only digits
        page.fill("input[name=repeated]", "202604011999")
        page.click("form button[type=submit]")
        expect(page.locator(".flash-error")).to_have_text(
            "パスワードが数字だけです。日付や数字は真っ先に推測されます。"
        )
        page.fill("input[name=password]", MANAGER_PASSWORD)
        page.fill("input[name=repeated]", MANAGER_PASSWORD)
        page.click("form button[type=submit]")
        expect(page).to_have_url(f"{site.matching}/console/orders")
        who = page.locator("header .who .organisation")
        expect(who).to_have_attribute("data-organisation", "pm-tay-ninh")
        _shot(page, "console-orders-ja-phone")
        page.goto(f"{site.identity}/sign-in?lang=ja")
        _shot(page, "sign-in-ja-phone")
    finally:
        phone.close()

    # Later, on a desktop in English: the console's page asked for is where sign-in leads.
    desktop = browser.new_context(locale="en-GB", viewport=DESKTOP)
    page = desktop.new_page()
    try:
        page.goto(f"{site.matching}/console/orders")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        page.fill("input[name=email]", MANAGER_EMAIL)
        page.fill("input[name=password]", MANAGER_PASSWORD)
        _shot(page, "sign-in-en")
        page.click("form[action='/session'] button[type=submit]")
        expect(page).to_have_url(f"{site.matching}/console/orders")
        # The short access token lapses; the browser session renews it without a sign-in.
        desktop.clear_cookies(name="kakehashi_session")
        page.goto(f"{site.matching}/console/allocation")
        expect(page).to_have_url(f"{site.matching}/console/allocation")
        _shot(page, "console-allocation-en")
        page.set_viewport_size(PHONE)
        page.goto(f"{site.identity}/password-reset")
        _shot(page, "password-reset-en-phone")
    finally:
        desktop.close()
