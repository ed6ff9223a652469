"""The TOTP second factor: enrolment, sign-in with a code, replays, and the setting that makes
program managers and admins use one."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest
from fastapi.testclient import TestClient

from services.identity.tests.samples import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    PASSWORD,
    TAY_NINH,
    Headers,
    Mailbox,
    create_admin,
    invite,
    sign_in,
)

pytestmark = pytest.mark.integration

LAN = "lan@tayninh.example.vn"


def _next_code(totp: pyotp.TOTP) -> str:
    """The next 30-second step's code (accepted within one step of drift, and not yet used)."""
    return totp.at(int(time.time()) + 30)


def _enrol(client: TestClient, bearer: Headers) -> tuple[pyotp.TOTP, str]:
    """Set up a second factor; the secret, and the code that confirmed it."""
    started = client.post("/me/totp", headers=bearer)
    assert started.status_code == 201, started.text
    uri = started.json()["provisioning_uri"]
    assert uri.startswith("otpauth://totp/Kakehashi:")
    secret = parse_qs(urlparse(uri).query)["secret"][0]
    totp = pyotp.TOTP(secret)
    code = totp.now()
    confirmed = client.post("/me/totp/confirm", json={"code": code}, headers=bearer)
    assert confirmed.status_code == 204, confirmed.text
    return totp, code


def test_enrolled_users_sign_in_with_a_code_used_once(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    invite(client, admin, mailbox, LAN, TAY_NINH, "training_centre")
    totp, confirming_code = _enrol(client, sign_in(client, LAN, PASSWORD))

    missing = client.post("/sign-in", json={"email": LAN, "password": PASSWORD})
    assert (missing.status_code, missing.json()["code"]) == (401, "totp_required")
    wrong = client.post("/sign-in", json={"email": LAN, "password": PASSWORD, "totp": "000000"})
    assert (wrong.status_code, wrong.json()["code"]) == (401, "totp_invalid")
    # The code that confirmed the enrolment was spent there: a replay of it is refused.
    replay = client.post(
        "/sign-in", json={"email": LAN, "password": PASSWORD, "totp": confirming_code}
    )
    assert (replay.status_code, replay.json()["code"]) == (401, "totp_invalid")
    lan = sign_in(client, LAN, PASSWORD, totp=_next_code(totp))
    assert client.get("/me", headers=lan).json()["totp_enabled"] is True


def test_a_wrong_confirmation_code_leaves_the_factor_off(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    invite(client, admin, mailbox, LAN, TAY_NINH, "training_centre")
    bearer = sign_in(client, LAN, PASSWORD)
    assert client.post("/me/totp", headers=bearer).status_code == 201
    refused = client.post("/me/totp/confirm", json={"code": "123456"}, headers=bearer)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "code"]
    sign_in(client, LAN, PASSWORD)  # still no code needed
    assert client.get("/me", headers=bearer).json()["totp_enabled"] is False


def test_required_for_admins_an_unenrolled_admin_enrols_with_the_handed_token(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(totp_required_for_managers=True)
    create_admin(client)
    refused = client.post("/sign-in", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert refused.status_code == 403
    assert refused.json()["code"] == "totp_enrolment_required"
    enrolment = {"Authorization": f"Bearer {refused.json()['extra']['enrolment_token']}"}
    totp, _ = _enrol(client, enrolment)
    # The enrolment token was spent by the confirmation.
    assert client.post("/me/totp", headers=enrolment).status_code == 401
    admin = sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD, totp=_next_code(totp))
    assert client.get("/me", headers=admin).json()["totp_enabled"] is True


def test_required_for_managers_only_not_for_training_centres(
    make_client: Callable[..., TestClient], mailbox: Mailbox
) -> None:
    client = make_client(totp_required_for_managers=True)
    create_admin(client)
    refused = client.post("/sign-in", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    totp, _ = _enrol(
        client, {"Authorization": f"Bearer {refused.json()['extra']['enrolment_token']}"}
    )
    admin = sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD, totp=_next_code(totp))
    invite(client, admin, mailbox, LAN, TAY_NINH, "training_centre")
    sign_in(client, LAN, PASSWORD)
