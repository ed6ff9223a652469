"""The administration page: admins only; organisations, invitations, roles, deactivation and
the sign-in audit through forms that pass the CSRF check."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kakehashi.shared.ui.browser_session import CSRF_COOKIE
from services.identity.tests.notification_samples import settings_of
from services.identity.tests.samples import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    PASSWORD,
    TAY_NINH,
    Mailbox,
    create_admin,
    invite,
)
from services.identity.tests.test_pages import ORIGIN, post_sign_in

pytestmark = pytest.mark.integration
EN = {"Accept-Language": "en"}


def form(client: TestClient, path: str, **fields: str) -> Any:
    data = fields | {"csrf_token": client.cookies[CSRF_COOKIE]}
    return client.post(path, data=data, headers=ORIGIN | EN)


@pytest.fixture
def admin_browser(client: TestClient) -> TestClient:
    create_admin(client)
    assert post_sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 303
    return client


def test_only_admins_open_the_page(
    client: TestClient, admin: dict[str, str], mailbox: Mailbox
) -> None:
    anonymous = client.get("/admin", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/session/refresh?next=")
    invite(client, admin, mailbox, "lan@kakehashi.example", TAY_NINH, "training_centre")
    post_sign_in(client, "lan@kakehashi.example", PASSWORD)
    assert client.get("/admin").status_code == 403


def test_an_admin_manages_organisations_and_users(
    admin_browser: TestClient, mailbox: Mailbox
) -> None:
    client = admin_browser
    page = client.get("/admin", headers=EN)
    assert page.status_code == 200
    assert "Sign-in audit" in page.text
    assert ADMIN_EMAIL in page.text
    created = form(client, "/admin/organisations", **{k: str(v) for k, v in TAY_NINH.items()})
    assert "Saved." in created.text
    assert "Trung tâm đào tạo Tây Ninh" in created.text
    duplicate = form(client, "/admin/organisations", **{k: str(v) for k, v in TAY_NINH.items()})
    assert "already in use" in duplicate.text
    no_province = form(
        client, "/admin/organisations", id="tc-x-01", kind="training_centre", name_latin="X"
    )
    assert "names its Vietnamese province" in no_province.text
    renamed = form(
        client, "/admin/organisations/tc-tay-ninh-01",
        name_latin="Tay Ninh Centre", name_vi="Trung tâm Tây Ninh", name_ja="",
    )  # fmt: skip
    assert 'value="Trung tâm Tây Ninh"' in renamed.text
    invited = form(
        client, "/admin/invitations", email="hoa@kakehashi.example", display_name="Hoa",
        preferred_language="vi", organisation_id="tc-tay-ninh-01", role="training_centre",
    )  # fmt: skip
    assert "The invitation is mailed." in invited.text
    assert (
        '<option value="tc-tay-ninh-01">Tay Ninh Centre (tc-tay-ninh-01)</option>' in invited.text
    )
    assert mailbox.link_token("hoa@kakehashi.example", "/invitation")
    rows = re.findall(r'<tr data-user="([^"]+)">.*?/admin/users/([^/]+)/role', invited.text, re.S)
    hoa = dict(rows)["hoa@kakehashi.example"]
    role = form(
        client, f"/admin/users/{hoa}/role", organisation_id="tc-tay-ninh-01", role="employer"
    )
    assert "Saved." in role.text
    # Memberships and the header name organisations (the id stays in the title).
    assert '<div title="tc-tay-ninh-01">Tay Ninh Centre · Employer</div>' in role.text
    off = form(client, f"/admin/users/{hoa}/deactivate")
    assert "deactivated" in off.text
    assert "/admin/users/" + hoa + "/deactivate" not in off.text
    header = client.get("/admin?lang=vi").text
    # The operator is named, never shown by its id.
    assert 'data-organisation="kakehashi-operator">Đơn vị vận hành Kakehashi<' in header
    form(client, "/admin/organisations/kakehashi-operator", name_latin="Kakehashi operator",
         name_vi="Nhà vận hành Kakehashi", name_ja="架け橋運営")  # fmt: skip
    for language, name in [("vi", "Nhà vận hành Kakehashi"), ("ja", "架け橋運営"),
                           ("en", "Kakehashi operator")]:  # fmt: skip
        page = client.get(f"/admin?lang={language}").text
        assert f'data-organisation="kakehashi-operator">{name}<' in page


def test_admin_forms_need_the_csrf_token(admin_browser: TestClient) -> None:
    client = admin_browser
    client.get("/admin")
    data = {k: str(v) for k, v in TAY_NINH.items()}
    refused = client.post("/admin/organisations", data=data, headers=ORIGIN | EN)
    assert "This form has expired" in refused.text
    foreign = client.post(
        "/admin/organisations",
        data=data | {"csrf_token": client.cookies[CSRF_COOKIE]},
        headers={"Origin": "https://evil.example"} | EN,
    )
    assert "This form has expired" in foreign.text
    assert "<code>tc-tay-ninh-01</code>" not in client.get("/admin").text


def test_the_audit_shows_refused_and_successful_sign_ins(admin_browser: TestClient) -> None:
    client = admin_browser
    post_sign_in(client, "nobody@kakehashi.example", "not the password at all")
    page = client.get("/admin", headers=EN).text
    assert "nobody@kakehashi.example" in page
    assert "unknown_email" in page
    assert "signed in" in page


def test_the_admin_home_links_every_service_s_dead_letters_by_its_name(
    admin_browser: TestClient,
) -> None:
    page = admin_browser.get("/admin?lang=en").text
    settings = settings_of(admin_browser)
    for service, name in [
        ("identity", "Sign-in and accounts (identity service)"),
        ("candidates", "Training-centre portal (candidates service)"),
        ("employers", "Employer portal (employers service)"),
        ("matching", "Review console (matching service)"),
    ]:
        url = settings.web_urls[service] + "/admin/dead-letters"
        assert f'<a href="{url}" data-dead-letters="{service}">{name}</a>' in page
    vi = admin_browser.get("/admin?lang=vi").text
    assert "Cổng trung tâm đào tạo (dịch vụ candidates)" in vi
