"""Identity's pages: sign-in with the session cookies, the refusals the API gives, lockout,
CSRF, no open redirect, renewal and sign-out, the mailed links' pages, languages."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

from kakehashi.identity.entrypoints.pages.rendering import default_next
from kakehashi.identity.service_layer import sessions
from kakehashi.shared.ui.browser_session import CSRF_COOKIE, REFRESH_COOKIE, SESSION_COOKIE
from services.identity.tests.samples import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    PASSWORD,
    TAY_NINH,
    Mailbox,
    create_admin,
    invite,
    runtime_of,
    sign_in,
)

pytestmark = pytest.mark.integration
ORIGIN = {"Origin": "http://testserver"}
CONSOLE = "http://127.0.0.1:8003/console/orders"


def csrf(client: TestClient, path: str = "/sign-in") -> str:
    """Open a page (which sets the CSRF cookie) and read the form's token."""
    page = client.get(path)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def post_sign_in(client: TestClient, email: str, password: str, **fields: str) -> Any:
    form = {"email": email, "password": password, "csrf_token": csrf(client)} | fields
    return client.post("/session", data=form, headers=ORIGIN, follow_redirects=False)


def test_signing_in_sets_the_session_cookies_and_goes_to_the_console(client: TestClient) -> None:
    create_admin(client)
    response = post_sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"] == CONSOLE
    cookies = {c.split("=")[0]: c.lower() for c in response.headers.get_list("set-cookie")}
    access = cookies[SESSION_COOKIE]
    assert "httponly" in access
    assert "samesite=lax" in access
    assert "path=/" in access
    assert "max-age=300" in access  # a stolen copy lapses within minutes
    assert "secure" not in access  # plain http here; https sets Secure
    refresh = cookies[REFRESH_COOKIE]
    assert "httponly" in refresh
    assert "samesite=lax" in refresh
    assert "path=/session" in refresh
    claims = jwt.decode(response.cookies[SESSION_COOKIE], options={"verify_signature": False})
    assert claims["role"] == "admin"
    assert claims["exp"] - claims["iat"] == 300


@pytest.mark.parametrize(
    ("role", "home"),
    [
        ("training_centre", "http://127.0.0.1:8001/portal/candidates"),
        ("employer", "http://127.0.0.1:8002/portal/orders"),
        ("program_manager", CONSOLE),
        ("admin", CONSOLE),
    ],
)
def test_a_sign_in_without_a_next_page_lands_where_the_role_works(
    client: TestClient, role: str, home: str
) -> None:
    request = Request({"type": "http", "app": client.app, "headers": []})
    assert default_next(request, role) == home


def test_next_leads_only_to_our_services(client: TestClient) -> None:
    create_admin(client)
    ours = "http://127.0.0.1:8003/console/orders/o-1?x=1"
    cases = {
        ours: ours,
        "/admin": "/admin",
        "https://evil.example/": CONSOLE,
        "//evil.example/": CONSOLE,
        "/\\evil.example": CONSOLE,
        "http://127.0.0.1:8003.evil.example/": CONSOLE,
        "javascript:alert(1)": CONSOLE,
    }
    for wanted, landed in cases.items():
        client.cookies.clear()
        response = post_sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD, next=wanted)
        assert response.headers["location"] == landed, wanted
    refreshed = client.get(
        "/session/refresh", params={"next": "https://evil.example/"}, follow_redirects=False
    )
    assert refreshed.headers["location"] == CONSOLE


def test_a_form_without_the_token_or_from_another_origin_is_refused(client: TestClient) -> None:
    create_admin(client)
    token = csrf(client)
    form = {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    for headers, data in [
        (ORIGIN, form),  # no token
        (ORIGIN, form | {"csrf_token": "x" * 43}),  # not the cookie's
        ({"Origin": "https://evil.example"}, form | {"csrf_token": token}),
        ({}, form | {"csrf_token": token}),  # neither Origin nor Referer
        ({"Referer": "https://evil.example/page"}, form | {"csrf_token": token}),
    ]:
        refused = client.post("/session", data=data, headers=headers, follow_redirects=False)
        assert refused.status_code == 403
        assert SESSION_COOKIE not in refused.cookies
        assert "Tải lại trang" in refused.text  # Vietnamese, the default
    other_service = {"Origin": "http://127.0.0.1:8003"}  # the console's sign-out button
    accepted = client.post(
        "/session", data=form | {"csrf_token": token}, headers=other_service, follow_redirects=False
    )
    assert accepted.status_code == 303
    referer = {"Referer": "http://testserver/sign-in"}
    client.cookies.delete(SESSION_COOKIE)
    again = client.post(
        "/session", data=form | {"csrf_token": token}, headers=referer, follow_redirects=False
    )
    assert again.status_code == 303


def test_refusals_say_what_the_api_says_and_never_whether_an_email_exists(
    client: TestClient,
) -> None:
    create_admin(client)
    headers = {"Accept-Language": "en"}
    client.headers.update(headers)
    wrong = post_sign_in(client, ADMIN_EMAIL, "not the password at all")
    unknown = post_sign_in(client, "nobody@kakehashi.example", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert "Email or password is wrong." in wrong.text
    assert "Email or password is wrong." in unknown.text
    assert SESSION_COOKIE not in wrong.cookies


def test_a_lockout_says_how_long_to_wait(make_client: Callable[..., TestClient]) -> None:
    client = make_client(sign_in_max_failures=2, sign_in_lockout_s=600)
    create_admin(client)
    client.headers.update({"Accept-Language": "en"})
    for _ in range(2):
        assert post_sign_in(client, ADMIN_EMAIL, "wrong password here").status_code == 401
    locked = post_sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert locked.status_code == 429
    assert "Try again in 10 minutes." in locked.text
    assert locked.headers["Retry-After"] == "600"
    unknown = post_sign_in(client, "ghost@kakehashi.example", "wrong password here")
    assert unknown.status_code == 401  # an unknown email is not "locked" before it failed
    ja = post_sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD, lang="ja")
    assert ja.status_code == 429


def test_the_organisation_is_asked_when_the_user_has_several(
    client: TestClient, admin: dict[str, str], mailbox: Mailbox
) -> None:
    user_id = invite(client, admin, mailbox, "lan@kakehashi.example", TAY_NINH, "training_centre")
    other = TAY_NINH | {"id": "tc-hai-duong-01", "name_vi": "Trung tâm Hải Dương"}
    assert client.post("/organisations", json=other | {"province": "Hải Dương"}, headers=admin)
    client.put(
        f"/users/{user_id}/memberships/tc-hai-duong-01", json={"role": "training_centre"},
        headers=admin,
    )  # fmt: skip
    asked = post_sign_in(client, "lan@kakehashi.example", PASSWORD)
    assert asked.status_code == 409
    assert "Trung tâm Hải Dương" in asked.text
    assert 'name="organisation_id"' in asked.text
    chosen = post_sign_in(
        client, "lan@kakehashi.example", PASSWORD, organisation_id="tc-hai-duong-01"
    )
    assert chosen.status_code == 303
    claims = jwt.decode(chosen.cookies[SESSION_COOKIE], options={"verify_signature": False})
    assert claims["org"] == "tc-hai-duong-01"


def test_renewal_and_sign_out_everywhere(client: TestClient) -> None:
    user_id = create_admin(client)
    signed_in = post_sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    first = signed_in.cookies[SESSION_COOKIE]
    client.cookies.delete(SESSION_COOKIE)  # the short token lapsed in the browser
    renewed = client.get("/session/refresh", params={"next": CONSOLE}, follow_redirects=False)
    assert renewed.status_code == 303
    assert renewed.headers["location"] == CONSOLE
    assert renewed.cookies[SESSION_COOKIE] != first
    uow = runtime_of(client).uow
    assert sessions.live_count(uow(), user_id) == 1
    # Sign out, as the console's button does (another origin of ours, the same CSRF cookie).
    token = client.cookies[CSRF_COOKIE]
    out = client.post(
        "/session/sign-out",
        data={"csrf_token": token},
        headers={"Origin": "http://127.0.0.1:8003"},
        follow_redirects=False,
    )
    assert out.status_code == 303
    assert out.headers["location"] == "/sign-in"
    cleared = [c.lower() for c in out.headers.get_list("set-cookie")]
    assert any(c.startswith(SESSION_COOKIE) and "max-age=0" in c for c in cleared)
    assert any(c.startswith(REFRESH_COOKIE) and "max-age=0" in c for c in cleared)
    assert sessions.live_count(uow(), user_id) == 0
    # The old session id renews nothing: the browser is sent to sign in.
    client.cookies.set(REFRESH_COOKIE, signed_in.cookies[REFRESH_COOKIE], path="/session")
    again = client.get("/session/refresh", params={"next": CONSOLE}, follow_redirects=False)
    assert again.headers["location"].startswith("/sign-in?next=")
    assert "Bạn đã đăng xuất." in client.get("/sign-in").text  # the flash, once


def test_sign_out_needs_the_csrf_token(client: TestClient) -> None:
    create_admin(client)
    post_sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    refused = client.post("/session/sign-out", headers=ORIGIN, follow_redirects=False)
    assert refused.status_code == 403


def test_a_deactivated_user_s_session_renews_nothing(
    client: TestClient, admin: dict[str, str], mailbox: Mailbox
) -> None:
    user_id = invite(client, admin, mailbox, "lan@kakehashi.example", TAY_NINH, "training_centre")
    post_sign_in(client, "lan@kakehashi.example", PASSWORD)
    client.post(f"/users/{user_id}/deactivate", headers=admin)
    client.cookies.delete(SESSION_COOKIE)
    again = client.get("/session/refresh", follow_redirects=False)
    assert again.headers["location"].startswith("/sign-in?next=")


def test_an_invitation_link_sets_the_password_and_signs_in(
    client: TestClient, admin: dict[str, str], mailbox: Mailbox
) -> None:
    client.post("/organisations", json=TAY_NINH, headers=admin)
    body = {
        "email": "hoa@kakehashi.example",
        "display_name": "Hoa",
        "organisation_id": TAY_NINH["id"],
        "role": "training_centre",
    }
    assert client.post("/invitations", json=body, headers=admin).status_code == 201
    token = mailbox.link_token("hoa@kakehashi.example", "/invitation")
    page = client.get("/invitation", params={"token": token, "lang": "en"})
    assert page.status_code == 200
    assert "hoa@kakehashi.example" in page.text
    assert "At least 12 characters" in page.text
    form = {"token": token, "csrf_token": client.cookies[CSRF_COOKIE]}
    short = client.post(
        "/invitation", data=form | {"password": "short", "repeated": "short"}, headers=ORIGIN
    )
    assert short.status_code == 422
    assert "at least 12 characters" in short.text
    differ = client.post(
        "/invitation", data=form | {"password": PASSWORD, "repeated": "x"}, headers=ORIGIN
    )
    assert differ.status_code == 422
    assert "not the same" in differ.text
    done = client.post(
        "/invitation",
        data=form | {"password": PASSWORD, "repeated": PASSWORD},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == CONSOLE
    assert SESSION_COOKIE in done.cookies
    assert REFRESH_COOKIE in done.cookies
    reused = client.get("/invitation", params={"token": token})
    assert reused.status_code == 400
    audit = client.get("/sign-in-audit", headers=admin).json()["items"][0]
    assert audit["email"] == "hoa@kakehashi.example"
    assert audit["reason"] == "link_password"


def test_a_reset_link_sets_a_new_password(
    client: TestClient, admin: dict[str, str], mailbox: Mailbox
) -> None:
    invite(client, admin, mailbox, "lan@kakehashi.example", TAY_NINH, "training_centre")
    client.cookies.clear()
    token = csrf(client, "/password-reset")
    asked = client.post(
        "/password-reset/request", data={"email": "lan@kakehashi.example", "csrf_token": token},
        headers=ORIGIN,
    )  # fmt: skip
    unknown = client.post(
        "/password-reset/request", data={"email": "nobody@kakehashi.example", "csrf_token": token},
        headers=ORIGIN,
    )  # fmt: skip
    assert asked.status_code == unknown.status_code == 200
    assert asked.text == unknown.text
    link = mailbox.link_token("lan@kakehashi.example", "/password-reset")
    assert client.get("/password-reset", params={"token": link}).status_code == 200
    new = "Sông Hồng chảy mãi 2027"
    done = client.post(
        "/password-reset/new",
        data={"token": link, "password": new, "repeated": new, "csrf_token": token},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert done.status_code == 303
    sign_in(client, "lan@kakehashi.example", new)


def test_the_language_follows_the_browser_and_the_choice_sticks(client: TestClient) -> None:
    assert '<html lang="vi">' in client.get("/sign-in").text
    ja = client.get("/sign-in", headers={"Accept-Language": "ja-JP,ja;q=0.9"})
    assert '<html lang="ja">' in ja.text
    assert "パスワード" in ja.text
    chosen = client.get("/sign-in", params={"lang": "en", "next": CONSOLE})
    assert "Password" in chosen.text
    assert (
        f'href="/sign-in?next={CONSOLE.replace(":", "%3A").replace("/", "%2F")}&amp;lang=ja"'
        in (chosen.text)
    )
    assert '<html lang="en">' in client.get("/sign-in", headers={"Accept-Language": "ja"}).text


def test_pages_refuse_to_be_framed_and_run_only_our_own_scripts(client: TestClient) -> None:
    page = client.get("/sign-in")
    assert page.headers["X-Frame-Options"] == "DENY"
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in page.headers["Content-Security-Policy"].split(";")
    )
    assert policy["frame-ancestors"] == "'none'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert "http://127.0.0.1:8004" in policy["form-action"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in page.headers
    secure = client.get("https://testserver/sign-in")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_in_development_the_page_links_the_console_s_own_sign_in(
    make_client: Callable[..., TestClient],
) -> None:
    development = make_client(environment="development")
    assert "http://127.0.0.1:8003/console/sign-in" in development.get("/sign-in").text
    assert "/console/sign-in" not in make_client().get("/sign-in").text


def test_a_user_with_a_second_factor_is_asked_for_the_code(
    client: TestClient, admin: dict[str, str], mailbox: Mailbox
) -> None:
    from services.identity.tests.test_totp import _enrol, _next_code

    invite(client, admin, mailbox, "lan@kakehashi.example", TAY_NINH, "training_centre")
    totp, _ = _enrol(client, sign_in(client, "lan@kakehashi.example", PASSWORD))
    client.headers.update({"Accept-Language": "en"})
    asked = post_sign_in(client, "lan@kakehashi.example", PASSWORD)
    assert asked.status_code == 401
    assert "Enter the 6-digit code" in asked.text
    assert 'name="totp"' in asked.text
    assert 'value="lan@kakehashi.example"' in asked.text  # the email is kept, not the password
    wrong = post_sign_in(client, "lan@kakehashi.example", PASSWORD, totp="000000")
    assert "The one-time or recovery code is wrong or was already used." in wrong.text
    done = post_sign_in(client, "lan@kakehashi.example", PASSWORD, totp=_next_code(totp))
    assert done.status_code == 303
