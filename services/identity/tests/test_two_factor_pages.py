"""The second factor in the browser: a signed-in user sets up TOTP from the secret shown as text
(and its otpauth:// URI), confirms with a code, reads the recovery codes once, signs in with one
of them, renews them; an admin resets a lost factor from the administration page."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable

import pyotp
import pytest
from fastapi.testclient import TestClient

from kakehashi.shared.ui.browser_session import CSRF_COOKIE, SESSION_COOKIE
from kakehashi.shared.ui.i18n import LANGUAGE_COOKIE
from services.identity.tests.samples import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    PASSWORD,
    TAY_NINH,
    Headers,
    Mailbox,
    create_admin,
    invite,
)
from services.identity.tests.test_pages import ORIGIN, post_sign_in

pytestmark = pytest.mark.integration
EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _reads_english(client: TestClient) -> None:
    """Lan (Vietnamese) reads these pages in English: chosen with the switcher, which wins over
    her account's language (a browser's Accept-Language alone would not)."""
    client.cookies.set(LANGUAGE_COOKIE, "en")


LAN = "lan@tayninh.example.vn"
PAGE = "/account/two-factor"


def form(client: TestClient, path: str, **fields: str) -> str:
    client.get(PAGE, headers=EN)  # the CSRF cookie
    data = fields | {"csrf_token": client.cookies[CSRF_COOKIE]}
    text: str = client.post(path, data=data, headers=ORIGIN | EN).text
    return text


def recovery_codes(page: str) -> list[str]:
    section = page.split('id="recovery-codes"')[1].split("</ol>")[0]
    return re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", section)


def set_up(client: TestClient) -> tuple[pyotp.TOTP, list[str]]:
    """Turn the factor on from the page; the app's TOTP and the recovery codes shown."""
    off = client.get(PAGE, headers=EN).text
    assert 'data-enabled="no"' in off
    assert "Set up two-factor sign-in" in off
    started = form(client, PAGE + "/start")
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', started)
    uri = re.search(r'id="totp-uri" class="wrap">([^<]+)<', started)
    assert secret is not None
    assert uri is not None
    assert html.unescape(uri[1]).startswith("otpauth://totp/Kakehashi:")
    totp = pyotp.TOTP(secret[1].replace(" ", ""))
    assert f"secret={secret[1].replace(' ', '')}" in html.unescape(uri[1])

    wrong = form(client, PAGE + "/confirm", code="000000")
    assert "That is not the current code of your authenticator app" in wrong
    assert 'id="totp-secret"' in wrong  # the same secret, to try again
    on = form(client, PAGE + "/confirm", code=totp.now())
    assert 'data-enabled="yes"' in on
    codes = recovery_codes(on)
    assert len(codes) == 10
    assert "Recovery codes left: 10" in on
    # Shown once: the page never shows them again.
    assert 'id="recovery-codes"' not in client.get(PAGE, headers=EN).text
    return totp, codes


def test_a_user_sets_up_totp_signs_in_with_a_recovery_code_and_renews_the_codes(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    invite(client, admin, mailbox, LAN, TAY_NINH, "training_centre")
    assert post_sign_in(client, LAN, PASSWORD).status_code == 303
    totp, codes = set_up(client)

    asked = post_sign_in(client, LAN, PASSWORD)
    assert asked.status_code == 401
    assert 'name="recovery_code"' in asked.text
    wrong = post_sign_in(client, LAN, PASSWORD, recovery_code="aaaaa-bbbbb")
    assert wrong.status_code == 401
    assert post_sign_in(client, LAN, PASSWORD, recovery_code=codes[0]).status_code == 303
    assert post_sign_in(client, LAN, PASSWORD, recovery_code=codes[0]).status_code == 401
    assert "Recovery codes left: 9" in client.get(PAGE, headers=EN).text

    next_code = totp.at(int(time.time()) + 30)
    renewed = form(client, PAGE + "/recovery-codes", code=next_code)
    fresh = recovery_codes(renewed)
    assert len(fresh) == 10
    assert not set(fresh) & set(codes)
    assert post_sign_in(client, LAN, PASSWORD, recovery_code=codes[1]).status_code == 401
    assert post_sign_in(client, LAN, PASSWORD, recovery_code=fresh[1]).status_code == 303


def test_the_set_up_forms_need_the_csrf_token(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    invite(client, admin, mailbox, LAN, TAY_NINH, "training_centre")
    post_sign_in(client, LAN, PASSWORD)
    client.get(PAGE)
    refused = client.post(PAGE + "/start", data={"csrf_token": "x" * 43}, headers=ORIGIN | EN)
    assert refused.status_code == 403
    assert 'id="totp-secret"' not in client.get(PAGE, headers=EN).text
    anonymous = TestClient(client.app)
    assert anonymous.get(PAGE, follow_redirects=False).status_code == 303


def test_an_admin_resets_a_lost_factor_from_the_administration_page(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    invite(client, admin, mailbox, LAN, TAY_NINH, "training_centre")
    post_sign_in(client, LAN, PASSWORD)
    set_up(client)

    assert post_sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 303
    page = client.get("/admin", headers=EN).text
    reset_forms = re.findall(r'action="/admin/users/([^/]+)/totp/reset"', page)
    assert len(reset_forms) == 1  # only Lan has a second factor
    data = {"csrf_token": client.cookies[CSRF_COOKIE]}
    done = client.post(f"/admin/users/{reset_forms[0]}/totp/reset", data=data, headers=ORIGIN | EN)
    assert "Two-factor sign-in is off for this user" in done.text
    assert 'action="/admin/users/' + reset_forms[0] + '/totp/reset"' not in done.text
    changes = done.text.split('id="account-audit"')[1]
    rows = re.findall(r'<tr data-action="([a-z_]+)">\s*<td>[^<]+</td>\s*<td>([^<]+)</td>'
                      r'\s*<td>[^<]+</td>\s*<td>([^<]+)</td>', changes)  # fmt: skip
    assert rows == [("totp_reset", LAN, ADMIN_EMAIL), ("totp_enabled", LAN, LAN)]
    assert post_sign_in(client, LAN, PASSWORD).status_code == 303  # the password alone again


def test_a_role_that_requires_a_second_factor_sets_it_up_from_the_sign_in_page(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(totp_required_for_managers=True)
    client.headers["Accept-Language"] = "en"
    create_admin(client)
    asked = post_sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert asked.status_code == 200
    assert "Your role needs two-factor sign-in. Set it up now" in asked.text
    assert SESSION_COOKIE not in asked.cookies  # not signed in
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', asked.text)
    token = re.search(r'name="token" value="([^"]+)"', asked.text)
    assert secret is not None
    assert token is not None
    totp = pyotp.TOTP(secret[1].replace(" ", ""))
    data = {"token": token[1], "csrf_token": client.cookies[CSRF_COOKIE]}

    wrong = client.post(PAGE + "/enrol", data=data | {"code": "000000"}, headers=ORIGIN | EN)
    assert wrong.status_code == 422
    assert secret[1] in wrong.text  # the same secret, to try again
    done = client.post(PAGE + "/enrol", data=data | {"code": totp.now()}, headers=ORIGIN | EN)
    assert done.status_code == 200, done.text
    assert len(recovery_codes(done.text)) == 10
    assert 'href="/sign-in"' in done.text
    again = client.post(PAGE + "/enrol", data=data | {"code": totp.now()}, headers=ORIGIN | EN)
    assert again.status_code == 400  # the enrolment token was spent
    assert "This set-up has expired" in again.text

    next_code = totp.at(int(time.time()) + 30)
    signed_in = post_sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD, totp=next_code)
    assert signed_in.status_code == 303
