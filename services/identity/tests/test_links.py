"""Invitation and password-reset links: mailed, working once, expiring; the password rules."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from services.identity.tests.conftest import Clock
from services.identity.tests.samples import (
    PASSWORD,
    TAY_NINH,
    Headers,
    Mailbox,
    invite,
    sign_in,
)

pytestmark = pytest.mark.integration

LAN = "lan@tayninh.example.vn"
NEW_PASSWORD = "Sông Vàm Cỏ Đông 1975"
REFUSED = {"detail": "the link is unknown, expired or already used"}


def _invite_only(client: TestClient, admin: Headers, email: str = LAN) -> None:
    client.post("/organisations", json=TAY_NINH, headers=admin)
    body = {
        "email": email,
        "display_name": "Nguyễn Thị Lan",
        "organisation_id": TAY_NINH["id"],
        "role": "training_centre",
    }
    assert client.post("/invitations", json=body, headers=admin).status_code == 201


def test_the_invitation_is_mailed_in_the_users_language_and_works_once(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    _invite_only(client, admin)
    message = mailbox.messages[-1]
    assert message["To"] == LAN
    assert message["Subject"] == "Lời mời tham gia Kakehashi"
    body = message.get_body(("plain",))
    assert body is not None
    assert "http://kakehashi.example/invitation?token=" in body.get_content()
    token = mailbox.link_token(LAN, "/invitation")
    # Before accepting there is no password: signing in fails like any wrong password.
    assert client.post("/sign-in", json={"email": LAN, "password": PASSWORD}).status_code == 401
    accepted = client.post("/invitations/accept", json={"token": token, "password": PASSWORD})
    assert accepted.status_code == 204
    again = client.post("/invitations/accept", json={"token": token, "password": NEW_PASSWORD})
    assert (again.status_code, again.json()) == (400, REFUSED)
    sign_in(client, LAN, PASSWORD)


def test_an_expired_invitation_is_refused(
    client: TestClient, admin: Headers, mailbox: Mailbox, clock: Clock
) -> None:
    _invite_only(client, admin)
    token = mailbox.link_token(LAN, "/invitation")
    clock.advance(days=7, seconds=1)
    expired = client.post("/invitations/accept", json={"token": token, "password": PASSWORD})
    assert (expired.status_code, expired.json()) == (400, REFUSED)
    unknown = client.post("/invitations/accept", json={"token": "x" * 43, "password": PASSWORD})
    assert (unknown.status_code, unknown.json()) == (400, REFUSED)


def test_a_weak_password_is_refused_and_the_link_stays_usable(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    _invite_only(client, admin)
    token = mailbox.link_token(LAN, "/invitation")
    weak = client.post("/invitations/accept", json={"token": token, "password": "password2026!"})
    assert weak.status_code == 422
    assert weak.json()["detail"][0]["loc"] == ["body", "password"]
    assert "password2026" not in weak.text
    ok = client.post("/invitations/accept", json={"token": token, "password": PASSWORD})
    assert ok.status_code == 204


def test_password_reset_works_once_and_ends_a_lockout(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    invite(client, admin, mailbox, LAN, TAY_NINH, "training_centre")
    for _ in range(5):
        client.post("/sign-in", json={"email": LAN, "password": "wrong password here"})
    assert client.post("/sign-in", json={"email": LAN, "password": PASSWORD}).status_code == 429

    assert client.post("/password-reset", json={"email": LAN.upper()}).status_code == 202
    token = mailbox.link_token(LAN, "/password-reset")
    body = {"token": token, "password": NEW_PASSWORD}
    assert client.post("/password-reset/confirm", json=body).status_code == 204
    assert client.post("/password-reset/confirm", json=body).json() == REFUSED
    sign_in(client, LAN, NEW_PASSWORD)
    assert client.post("/sign-in", json={"email": LAN, "password": PASSWORD}).status_code == 401


def test_a_reset_for_an_unknown_email_answers_the_same_and_mails_nothing(
    client: TestClient, mailbox: Mailbox
) -> None:
    response = client.post("/password-reset", json={"email": "nobody@example.vn"})
    assert (response.status_code, response.content) == (202, b"")
    assert mailbox.messages == []


def test_an_expired_reset_link_is_refused(
    client: TestClient, admin: Headers, mailbox: Mailbox, clock: Clock
) -> None:
    invite(client, admin, mailbox, LAN, TAY_NINH, "training_centre")
    client.post("/password-reset", json={"email": LAN})
    token = mailbox.link_token(LAN, "/password-reset")
    clock.advance(hours=1, seconds=1)
    body = {"token": token, "password": NEW_PASSWORD}
    assert client.post("/password-reset/confirm", json=body).json() == REFUSED


def test_a_newer_reset_link_replaces_the_older(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    invite(client, admin, mailbox, LAN, TAY_NINH, "training_centre")
    client.post("/password-reset", json={"email": LAN})
    first = mailbox.link_token(LAN, "/password-reset")
    client.post("/password-reset", json={"email": LAN})
    second = mailbox.link_token(LAN, "/password-reset")
    assert first != second
    old = client.post("/password-reset/confirm", json={"token": first, "password": NEW_PASSWORD})
    assert old.status_code == 400
    new = client.post("/password-reset/confirm", json={"token": second, "password": NEW_PASSWORD})
    assert new.status_code == 204


def test_mail_that_cannot_be_sent_saves_no_invitation(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    client.post("/organisations", json=TAY_NINH, headers=admin)
    mailbox.refuse = True
    body = {
        "email": LAN,
        "display_name": "Lan",
        "organisation_id": TAY_NINH["id"],
        "role": "training_centre",
    }
    assert client.post("/invitations", json=body, headers=admin).status_code == 503
    assert client.get("/users", headers=admin).json()[-1]["email"] != LAN
    mailbox.refuse = False
    assert client.post("/invitations", json=body, headers=admin).status_code == 201


def test_a_reset_mail_the_server_refuses_answers_the_same_and_is_logged(
    client: TestClient, admin: Headers, mailbox: Mailbox, caplog: pytest.LogCaptureFixture
) -> None:
    invite(client, admin, mailbox, LAN, TAY_NINH, "training_centre")
    mailbox.refuse = True
    response = client.post("/password-reset", json={"email": LAN})
    assert (response.status_code, response.content) == (202, b"")
    assert "password reset mail not sent" in caplog.text


def test_reset_mails_are_limited_per_account(
    client: TestClient, admin: Headers, mailbox: Mailbox, clock: Clock
) -> None:
    invite(client, admin, mailbox, LAN, TAY_NINH, "training_centre")
    before = len(mailbox.messages)
    answers = [client.post("/password-reset", json={"email": LAN}).status_code for _ in range(5)]
    assert answers == [202] * 5
    assert len(mailbox.messages) - before == 3
    clock.advance(minutes=16)
    client.post("/password-reset", json={"email": LAN})
    assert len(mailbox.messages) - before == 4
