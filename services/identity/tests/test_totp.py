"""The TOTP second factor: enrolment, sign-in with a code, replays, and the setting that makes
program managers and admins use one."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from kakehashi.identity.adapters.tables import RecoveryCode
from services.identity.tests.samples import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    PASSWORD,
    TAY_NINH,
    Headers,
    Mailbox,
    create_admin,
    invite,
    runtime_of,
    sign_in,
)

pytestmark = pytest.mark.integration

LAN = "lan@tayninh.example.vn"


def _next_code(totp: pyotp.TOTP) -> str:
    """The next 30-second step's code (accepted within one step of drift, and not yet used)."""
    return totp.at(int(time.time()) + 30)


def _enrol(client: TestClient, bearer: Headers) -> tuple[pyotp.TOTP, str]:
    """Set up a second factor; the secret, and the code that confirmed it."""
    totp, code, _recovery = _enrol_with_recovery(client, bearer)
    return totp, code


def _enrol_with_recovery(client: TestClient, bearer: Headers) -> tuple[pyotp.TOTP, str, list[str]]:
    """Set up a second factor; the secret, the code that confirmed it, the recovery codes."""
    started = client.post("/me/totp", headers=bearer)
    assert started.status_code == 201, started.text
    uri = started.json()["provisioning_uri"]
    assert uri.startswith("otpauth://totp/Kakehashi:")
    secret = parse_qs(urlparse(uri).query)["secret"][0]
    totp = pyotp.TOTP(secret)
    code = totp.now()
    confirmed = client.post("/me/totp/confirm", json={"code": code}, headers=bearer)
    assert confirmed.status_code == 200, confirmed.text
    return totp, code, confirmed.json()["recovery_codes"]


def _with_recovery(client: TestClient, email: str, code: str) -> tuple[int, str]:
    body = {"email": email, "password": PASSWORD, "recovery_code": code}
    answer = client.post("/sign-in", json=body)
    return answer.status_code, answer.json().get("code", "")


def test_recovery_codes_are_shown_once_stored_hashed_and_work_once(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    invite(client, admin, mailbox, LAN, TAY_NINH, "training_centre")
    _totp, _code, codes = _enrol_with_recovery(client, sign_in(client, LAN, PASSWORD))
    assert len(codes) == len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", code) for code in codes)
    with runtime_of(client).uow() as uow:
        stored = {row.code_hash for row in uow.session.exec(select(RecoveryCode))}
    assert len(stored) == 10
    assert not {c.replace("-", "") for c in codes} & stored  # never in the clear
    assert hashlib.sha256(codes[0].replace("-", "").encode()).hexdigest() in stored

    # Typed in capitals with a space: accepted once, then refused like a wrong code.
    typed = codes[0].upper().replace("-", " ")
    signed_in = client.post(
        "/sign-in", json={"email": LAN, "password": PASSWORD, "recovery_code": typed}
    )
    assert signed_in.status_code == 200, signed_in.text
    assert _with_recovery(client, LAN, codes[0]) == (401, "totp_invalid")
    assert _with_recovery(client, LAN, "aaaaa-bbbbb") == (401, "totp_invalid")
    # A recovery code does not stand in for the password.
    wrong_password = {"email": LAN, "password": "not the password!!", "recovery_code": codes[1]}
    assert client.post("/sign-in", json=wrong_password).status_code == 401
    assert _with_recovery(client, LAN, codes[1])[0] == 200  # still unused
    assert client.post("/sign-in", json=wrong_password | {"recovery_code": "!"}).status_code == 422

    audit = client.get("/sign-in-audit", params={"email": LAN}, headers=admin).json()["items"]
    reasons = [row["reason"] for row in audit]
    assert reasons.count("ok_recovery_code") == 2
    assert reasons.count("recovery_code_wrong") == 2


def test_new_recovery_codes_need_a_current_code_and_replace_the_old_ones(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    invite(client, admin, mailbox, LAN, TAY_NINH, "training_centre")
    lan = sign_in(client, LAN, PASSWORD)
    totp, _code, old_codes = _enrol_with_recovery(client, lan)
    wrong = client.post("/me/totp/recovery-codes", json={"code": "000000"}, headers=lan)
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["loc"] == ["body", "code"]
    renewed = client.post("/me/totp/recovery-codes", json={"code": _next_code(totp)}, headers=lan)
    assert renewed.status_code == 200, renewed.text
    new_codes = renewed.json()["recovery_codes"]
    assert len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)
    assert _with_recovery(client, LAN, old_codes[2]) == (401, "totp_invalid")
    assert _with_recovery(client, LAN, new_codes[2])[0] == 200


def test_an_admin_resets_a_lost_second_factor_and_the_account_audit_says_who(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    lan_id = invite(client, admin, mailbox, LAN, TAY_NINH, "training_centre")
    lan = sign_in(client, LAN, PASSWORD)
    _totp, _code, codes = _enrol_with_recovery(client, lan)
    refused = client.post("/sign-in", json={"email": LAN, "password": PASSWORD})
    assert refused.json()["code"] == "totp_required"

    assert client.post(f"/users/{lan_id}/totp/reset", headers=lan).status_code == 403
    reset = client.post(f"/users/{lan_id}/totp/reset", headers=admin)
    assert reset.status_code == 200, reset.text
    assert reset.json()["totp_enabled"] is False
    assert client.post("/users/nobody/totp/reset", headers=admin).status_code == 404
    sign_in(client, LAN, PASSWORD)  # the password alone again
    assert _with_recovery(client, LAN, codes[0]) == (200, "")  # no second factor to recover
    with runtime_of(client).uow() as uow:
        assert not uow.session.exec(select(RecoveryCode)).all()  # the codes are gone

    admin_id = client.get("/me", headers=admin).json()["id"]
    audit = client.get("/account-audit", params={"user_id": lan_id}, headers=admin).json()
    assert [(r["action"], r["actor_id"]) for r in audit["items"]] == [
        ("totp_reset", admin_id),
        ("totp_enabled", lan_id),
    ]
    assert client.get("/account-audit", headers=lan).status_code == 403


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
