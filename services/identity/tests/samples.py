"""What the identity tests share: mail caught by the test SMTP server, sample organisations,
and helpers that invite and sign in."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from kakehashi.identity.service_layer import users
from kakehashi.identity.service_layer.context import Identity
from kakehashi.shared.runtime import Runtime

Body = dict[str, Any]
Headers = dict[str, str]

KEY_ENCRYPTION_SECRET = "identity-test-key-encryption-0123456789"
ADMIN_EMAIL = "admin@kakehashi.example"
ADMIN_PASSWORD = "correct horse battery staple"
PASSWORD = "Lúa chín vàng đồng 2026"

TAY_NINH: Body = {
    "id": "tc-tay-ninh-01",
    "kind": "training_centre",
    "name_latin": "Tay Ninh Training Centre",
    "name_vi": "Trung tâm đào tạo Tây Ninh",
    "province": "Tây Ninh",
}
TANAKA: Body = {
    "id": "emp-aichi-tanaka-kogyo",
    "kind": "employer",
    "name_latin": "Tanaka Kogyo",
    "name_ja": "田中工業株式会社",
    "prefecture": "Aichi",
}


class Mailbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.port = 0
        self.refuse = False  # answer every message with a permanent failure

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.refuse:
            return "554 Transaction failed"
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def link_token(self, to: str, path: str) -> str:
        """The token of the latest link to `path` mailed to `to`."""
        for message in reversed(self.messages):
            if message["To"] == to:
                body = message.get_body(("plain",))
                assert body is not None
                found = re.search(rf"{re.escape(path)}\?token=([A-Za-z0-9_-]+)", body.get_content())
                if found:
                    return found.group(1)
        raise AssertionError(f"no {path} link mailed to {to}")


def runtime_of(client: TestClient) -> Runtime:
    assert isinstance(client.app, FastAPI)
    runtime: Runtime = client.app.state.runtime
    return runtime


def identity_of(client: TestClient) -> Identity:
    assert isinstance(client.app, FastAPI)
    identity: Identity = client.app.state.identity
    return identity


def create_admin(client: TestClient) -> str:
    user = users.create_admin(
        runtime_of(client).uow(),
        identity_of(client),
        email=ADMIN_EMAIL,
        display_name="Operator",
        organisation_id="kakehashi-operator",
        password=ADMIN_PASSWORD,
    )
    return user.id


def sign_in(client: TestClient, email: str, password: str, **extra: str) -> Headers:
    """The Authorization header of a successful sign-in (fails the test otherwise)."""
    response = client.post("/sign-in", json={"email": email, "password": password} | extra)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def invite(
    client: TestClient,
    admin: Headers,
    mailbox: Mailbox,
    email: str,
    organisation: Body,
    role: str,
    password: str = PASSWORD,
) -> str:
    """Register `organisation` if needed, invite `email` into it and accept with `password`;
    the new user's id."""
    client.post("/organisations", json=organisation, headers=admin)
    response = client.post(
        "/invitations",
        json={
            "email": email,
            "display_name": email.split("@")[0],
            "organisation_id": organisation["id"],
            "role": role,
        },
        headers=admin,
    )
    assert response.status_code == 201, response.text
    token = mailbox.link_token(email, "/invitation")
    accepted = client.post("/invitations/accept", json={"token": token, "password": password})
    assert accepted.status_code == 204, accepted.text
    user_id: str = response.json()["id"]
    return user_id
