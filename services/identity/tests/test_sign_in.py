"""Signing in: success, wrong passwords, the lockout and its end, unknown emails that answer
exactly like known ones, the per-address throttle, several memberships, and the audit."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import jwt
import pytest
from fastapi.testclient import TestClient

from services.identity.tests.conftest import Clock
from services.identity.tests.samples import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    PASSWORD,
    TANAKA,
    TAY_NINH,
    Headers,
    Mailbox,
    create_admin,
    invite,
    sign_in,
)

pytestmark = pytest.mark.integration

LAN = "lan@tayninh.example.vn"


def _attempt(client: TestClient, email: str, password: str) -> tuple[int, dict[str, object]]:
    response = client.post("/sign-in", json={"email": email, "password": password})
    return response.status_code, response.json()


def test_sign_in_returns_a_token_for_the_membership(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    user_id = invite(client, admin, mailbox, LAN, TAY_NINH, "training_centre")
    response = client.post(
        "/sign-in", json={"email": "  LAN@TayNinh.example.vn ", "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert (body["user_id"], body["organisation_id"], body["role"]) == (
        user_id,
        "tc-tay-ninh-01",
        "training_centre",
    )
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["sub"] == user_id
    assert claims["lang"] == "vi"
    me = client.get("/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["email"] == LAN


def test_a_wrong_password_and_an_unknown_email_answer_alike(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    invite(client, admin, mailbox, LAN, TAY_NINH, "training_centre")
    wrong = _attempt(client, LAN, "not the password at all")
    unknown = _attempt(client, "nobody@tayninh.example.vn", "not the password at all")
    assert (
        wrong
        == unknown
        == (
            401,
            {"detail": "email or password is wrong", "code": "invalid_credentials", "extra": {}},
        )
    )


def test_lockout_after_five_failures_then_unlock_after_fifteen_minutes(
    client: TestClient, admin: Headers, mailbox: Mailbox, clock: Clock
) -> None:
    invite(client, admin, mailbox, LAN, TAY_NINH, "training_centre")
    for _ in range(4):
        assert _attempt(client, LAN, "wrong password here")[0] == 401
    assert (
        _attempt(client, LAN, "wrong password here")[0] == 401
    )  # the fifth failure is told as a failure, and starts the lockout
    locked = client.post("/sign-in", json={"email": LAN, "password": PASSWORD})
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked"
    assert 895 <= int(locked.headers["Retry-After"]) <= 900
    clock.advance(minutes=14)
    assert _attempt(client, LAN, PASSWORD)[0] == 429
    clock.advance(minutes=2)
    assert _attempt(client, LAN, PASSWORD)[0] == 200


def test_an_unknown_email_locks_exactly_like_a_known_one(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    invite(client, admin, mailbox, LAN, TAY_NINH, "training_centre")
    answers = {}
    for email in (LAN, "nobody@tayninh.example.vn"):
        answers[email] = [_attempt(client, email, "wrong password here") for _ in range(6)]
    assert answers[LAN] == answers["nobody@tayninh.example.vn"]
    assert [status for status, _ in answers[LAN]] == [401] * 5 + [429]


def test_an_unknown_email_costs_a_password_hash_too(
    make_client: Callable[..., TestClient], mailbox: Mailbox
) -> None:
    """Timing: the unknown email is checked against a dummy hash of the same cost."""
    client = make_client(argon2_memory_kib=16384, argon2_time_cost=2)
    create_admin(client)
    admin = sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    invite(client, admin, mailbox, LAN, TAY_NINH, "training_centre")

    def median_ms(email: str) -> float:
        times = []
        for _ in range(4):  # under the lockout limit
            started = time.perf_counter()
            _attempt(client, email, "wrong password here")
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)

    known, unknown = median_ms(LAN), median_ms("nobody@tayninh.example.vn")
    # Without the dummy hash an unknown email answers ~20x faster; the margin is for a busy CI.
    assert 1 / 3 < unknown / known < 3, (known, unknown)


def test_the_client_address_is_throttled_across_accounts(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(sign_in_address_max_failures=3)
    for n in range(3):
        assert _attempt(client, f"person{n}@example.vn", "wrong password here")[0] == 401
    assert _attempt(client, "someone.else@example.vn", "wrong password here")[0] == 429


def test_behind_a_trusted_proxy_each_client_address_is_throttled_on_its_own(
    make_client: Callable[..., TestClient],
) -> None:
    direct = make_client(sign_in_address_max_failures=2, trusted_proxies="10.0.0.0/8")
    create_admin(direct)
    admin = sign_in(direct, ADMIN_EMAIL, ADMIN_PASSWORD)
    proxy = TestClient(direct.app, client=("10.0.0.5", 40000))

    def attempt(client: TestClient, email: str, forwarded_for: str | None = None) -> int:
        headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
        body = {"email": email, "password": "wrong password here"}
        status: int = client.post("/sign-in", json=body, headers=headers).status_code
        return status

    # One attacker behind the proxy reaches the address limit; another client does not.
    assert attempt(proxy, "a@example.vn", "198.51.100.1") == 401
    assert attempt(proxy, "b@example.vn", "198.51.100.1") == 401
    assert attempt(proxy, "c@example.vn", "198.51.100.1") == 429
    assert attempt(proxy, "d@example.vn", "198.51.100.2") == 401
    # Forging the header's left part changes nothing: the proxy appended the real address.
    assert attempt(proxy, "e@example.vn", "203.0.113.77, 198.51.100.1") == 429
    # A peer that is not a trusted proxy cannot choose its address by the header.
    stranger = TestClient(direct.app, client=("192.0.2.10", 40000))
    assert attempt(stranger, "f@example.vn", "198.51.100.3") == 401
    assert attempt(stranger, "g@example.vn", "198.51.100.4") == 401
    assert attempt(stranger, "h@example.vn", "198.51.100.5") == 429
    # The audit says where each attempt came from, as the throttle counted it.
    audit = direct.get("/sign-in-audit", headers=admin).json()["items"]
    addresses = {row["email"]: row["client_address"] for row in audit}
    assert addresses["a@example.vn"] == addresses["e@example.vn"] == "198.51.100.1"
    assert addresses["d@example.vn"] == "198.51.100.2"
    assert addresses["f@example.vn"] == addresses["h@example.vn"] == "192.0.2.10"
    assert addresses[ADMIN_EMAIL] == "testclient"


def test_trusted_proxies_must_be_addresses_or_networks(
    make_client: Callable[..., TestClient],
) -> None:
    with pytest.raises(ValueError, match="trusted_proxies: not an address or network"):
        make_client(trusted_proxies="10.0.0.0/8, proxy.example")


def test_a_user_of_several_organisations_chooses_one(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    user_id = invite(client, admin, mailbox, LAN, TAY_NINH, "training_centre")
    client.post("/organisations", json=TANAKA, headers=admin)
    client.put(
        f"/users/{user_id}/memberships/{TANAKA['id']}", json={"role": "employer"}, headers=admin
    )
    choose = client.post("/sign-in", json={"email": LAN, "password": PASSWORD})
    assert choose.status_code == 409
    assert choose.json()["extra"]["organisations"] == [
        {"organisation_id": "emp-aichi-tanaka-kogyo", "role": "employer"},
        {"organisation_id": "tc-tay-ninh-01", "role": "training_centre"},
    ]
    headers = sign_in(client, LAN, PASSWORD, organisation_id=TANAKA["id"])
    token = headers["Authorization"].split()[1]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (claims["org"], claims["role"]) == ("emp-aichi-tanaka-kogyo", "employer")
    elsewhere = client.post(
        "/sign-in", json={"email": LAN, "password": PASSWORD, "organisation_id": "pm-office"}
    )
    assert elsewhere.status_code == 403


def test_every_attempt_is_audited_and_only_admins_read_the_audit(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    invite(client, admin, mailbox, LAN, TAY_NINH, "training_centre")
    _attempt(client, LAN, "wrong password here")
    _attempt(client, "nobody@example.vn", "wrong password here")
    lan = sign_in(client, LAN, PASSWORD)

    page = client.get("/sign-in-audit", headers=admin).json()
    latest = [(row["email"], row["succeeded"], row["reason"]) for row in page["items"][:3]]
    assert latest == [
        (LAN, True, "ok"),
        ("nobody@example.vn", False, "unknown_email"),
        (LAN, False, "wrong_password"),
    ]
    assert page["items"][0]["client_address"] == "testclient"
    assert page["items"][0]["organisation_id"] == "tc-tay-ninh-01"
    failures = client.get(
        "/sign-in-audit", params={"email": LAN, "succeeded": False}, headers=admin
    )
    assert failures.json()["total"] == 1
    assert client.get("/sign-in-audit", headers=lan).status_code == 403
    assert client.get("/sign-in-audit").status_code == 401
