"""The pure rules: passwords, the throttle, key states and the claims of an access token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kakehashi.identity.domain.addresses import client_address, parse_networks
from kakehashi.identity.domain.keys import (
    REQUIRED_CLAIMS,
    KeyState,
    KeyStatus,
    TokenSubject,
    access_claims,
    effective_state,
    known_to_verifiers,
    published,
)
from kakehashi.identity.domain.model import OrganisationKind, OrganisationProfile, check_profile
from kakehashi.identity.domain.passwords import MIN_LENGTH, check_password
from kakehashi.identity.domain.throttle import Counter, Policy
from kakehashi.shared.errors import DomainError

NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
TTL = timedelta(minutes=15)


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("short pass", f"at least {MIN_LENGTH}"),
        ("passwordpassword", "most often tried"),
        ("Password123456!", "most often tried"),
        ("qwertyuiop123", "most often tried"),
        ("kakehashi2026!!", "most often tried"),
        ("12345678901234", "only digits"),
        ("abcdefghijklm", "consecutive"),
        ("aaaaaaaaaaaaaaa", "different characters"),
        ("nguyen.lan-secure-99", "email"),
    ],
)
def test_weak_passwords_are_refused_naming_the_rule(password: str, rule: str) -> None:
    with pytest.raises(DomainError) as refused:
        check_password(password, "Nguyen.Lan@example.vn")
    assert refused.value.field == "password"
    assert rule in refused.value.message
    assert password not in str(refused.value)


@pytest.mark.parametrize(
    "password", ["correct horse battery staple", "Lúa chín vàng đồng 2026", "溶接工の田中さん2026"]
)
def test_long_uncommon_passwords_pass(password: str) -> None:
    check_password(password, "lan@example.vn")


def test_the_lockout_starts_at_the_limit_and_ends_with_a_fresh_window() -> None:
    policy = Policy(max_failures=3, window=timedelta(minutes=15), lockout=timedelta(minutes=15))
    counter = Counter()
    for _ in range(2):
        counter = counter.after_failure(policy, NOW)
    assert not counter.locked(NOW)
    counter = counter.after_failure(policy, NOW)
    assert counter.locked(NOW + timedelta(minutes=14))
    assert not counter.locked(NOW + timedelta(minutes=15))
    assert counter.after_failure(policy, NOW + timedelta(minutes=16)).failures == 1


def test_failures_outside_the_window_start_a_new_count() -> None:
    policy = Policy(max_failures=3, window=timedelta(minutes=15), lockout=timedelta(minutes=15))
    counter = Counter().after_failure(policy, NOW).after_failure(policy, NOW)
    later = counter.after_failure(policy, NOW + timedelta(minutes=20))
    assert later.failures == 1
    assert not later.locked(NOW + timedelta(minutes=20))


def test_a_retiring_key_is_published_until_its_tokens_expired() -> None:
    active = KeyStatus("new", KeyState.ACTIVE)
    retiring = KeyStatus("old", KeyState.RETIRING, retiring_since=NOW)
    assert published([retiring, active], NOW, TTL) == ["new", "old"]
    assert published([retiring, active], NOW + TTL, TTL) == ["new", "old"]  # clock skew margin
    later = NOW + TTL + timedelta(minutes=2)
    assert effective_state(retiring, later, TTL) is KeyState.RETIRED
    assert published([retiring, active], later, TTL) == ["new"]


def test_the_next_key_is_published_after_the_active_one_and_before_the_retiring_ones() -> None:
    active = KeyStatus("now", KeyState.ACTIVE)
    upcoming = KeyStatus("next", KeyState.NEXT)
    retiring = KeyStatus("old", KeyState.RETIRING, retiring_since=NOW)
    assert published([retiring, upcoming, active], NOW, TTL) == ["now", "next", "old"]
    assert effective_state(upcoming, NOW + timedelta(days=400), TTL) is KeyState.NEXT


def test_a_key_is_known_to_verifiers_once_published_for_their_cache_lifetime() -> None:
    ahead = timedelta(seconds=360)
    assert not known_to_verifiers(NOW, NOW + timedelta(seconds=359), ahead)
    assert known_to_verifiers(NOW, NOW + ahead, ahead)


def test_access_claims_carry_the_contract() -> None:
    subject = TokenSubject("u-1", "tc-tay-ninh-01", "training_centre", "vi", "Nguyễn Thị Lan")
    claims = access_claims(subject, "http://127.0.0.1:8004", "kakehashi", NOW, TTL)
    assert set(REQUIRED_CLAIMS) <= set(claims)
    assert claims["exp"] - claims["iat"] == 900
    assert claims["nbf"] == claims["iat"] == int(NOW.timestamp())
    assert (claims["org"], claims["role"], claims["lang"]) == (
        "tc-tay-ninh-01",
        "training_centre",
        "vi",
    )


@pytest.mark.parametrize(
    ("profile", "field"),
    [
        (OrganisationProfile(OrganisationKind.TRAINING_CENTRE, "TC"), "province"),
        (OrganisationProfile(OrganisationKind.EMPLOYER, "Emp", province="Hà Nội"), "prefecture"),
        (OrganisationProfile(OrganisationKind.EMPLOYER, "Emp", prefecture="Narnia"), "prefecture"),
    ],
)
def test_organisations_are_placed_by_their_kind(profile: OrganisationProfile, field: str) -> None:
    with pytest.raises(DomainError) as refused:
        check_profile(profile)
    assert refused.value.field == field


@pytest.mark.parametrize("secret", [None, "short-but-private", "changeme"])
def test_the_key_encryption_secret_must_be_private_outside_development(secret: str | None) -> None:
    from pydantic import ValidationError

    from kakehashi.identity.config import IdentitySettings

    values: dict[str, Any] = {} if secret is None else {"key_encryption_secret": secret}
    IdentitySettings(environment="development", **values)  # the shipped default is fine here
    # (jwt_secret satisfies the shared settings of today; once they have none, it is ignored.)
    production: dict[str, Any] = values | {"environment": "production", "jwt_secret": "x" * 40}
    with pytest.raises(ValidationError, match="key_encryption_secret"):
        IdentitySettings(**production)


PROXIES = parse_networks(["10.0.0.0/8", "2001:db8::1"])


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        # A peer that is not a trusted proxy is the client, whatever it says it forwards.
        ("203.0.113.9", ["198.51.100.1"], "203.0.113.9"),
        ("testclient", ["198.51.100.1"], "testclient"),
        # Our proxy names the client it saw.
        ("10.0.0.5", ["198.51.100.1"], "198.51.100.1"),
        # The client forged an entry: our proxy appended the real address on the right.
        ("10.0.0.5", ["1.2.3.4, 198.51.100.1"], "198.51.100.1"),
        ("10.0.0.5", ["1.2.3.4", "198.51.100.1"], "198.51.100.1"),  # repeated headers
        # Two trusted proxies in a row: the first untrusted address from the right.
        ("10.0.0.5", ["1.2.3.4, 198.51.100.1, 10.1.2.3"], "198.51.100.1"),
        # Ports and IPv6 as proxies write them.
        ("10.0.0.5", ["198.51.100.1:5123"], "198.51.100.1"),
        ("2001:db8::1", ["[2001:db8::42]:443"], "2001:db8::42"),
        # Nothing forwarded, or nonsense from a trusted proxy: the last address it vouched for.
        ("10.0.0.5", [], "10.0.0.5"),
        ("10.0.0.5", ["198.51.100.1, not-an-address, 10.0.0.7"], "10.0.0.7"),
        ("10.0.0.5", ["unknown"], "10.0.0.5"),
    ],
)
def test_the_client_address_is_read_from_trusted_proxies_only(
    peer: str, forwarded: list[str], expected: str
) -> None:
    assert client_address(peer, forwarded, PROXIES) == expected


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert client_address("10.0.0.5", ["198.51.100.1"], ()) == "10.0.0.5"
    with pytest.raises(ValueError, match="does not appear to be an IPv4 or IPv6 network"):
        parse_networks(["10.0.0.0/8", "proxy.example"])
