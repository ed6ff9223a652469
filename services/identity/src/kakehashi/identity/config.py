"""Settings of the identity service (env prefix KAKEHASHI_IDENTITY_)."""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from kakehashi.shared.settings import ServiceSettings

# Seals the signing keys and TOTP secrets at rest; ships in the repository, so development only.
DEV_KEY_ENCRYPTION_SECRET = "dev-identity-key-encryption-change-me"  # noqa: S105
KNOWN_SECRETS = frozenset({DEV_KEY_ENCRYPTION_SECRET, "secret", "changeme", "change-me"})
MIN_SECRET_LENGTH = 32


class IdentitySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KAKEHASHI_IDENTITY_", extra="ignore")

    service_name: str = "identity"
    api_port: int = 8004

    # Tokens: who signs them, for whom, for how long.
    issuer: str = Field(default="http://127.0.0.1:8004", description="the `iss` claim and base URL")
    audience: str = "kakehashi"
    access_token_ttl_s: int = Field(default=900, ge=60, le=3600)
    # The browser's single sign-on: a short access token in a cookie, renewed from a session
    # identity keeps (revocable) while the browser is in use.
    browser_token_ttl_s: int = Field(
        default=300, ge=60, le=900, description="access token in the pages' cookie"
    )
    browser_session_idle_s: int = Field(default=2 * 3600, ge=300, description="unused, it ends")
    browser_session_max_s: int = Field(default=12 * 3600, ge=600, description="absolute end")
    key_encryption_secret: SecretStr = SecretStr(DEV_KEY_ENCRYPTION_SECRET)
    # The verifiers cache the JWKS (AUTH_JWKS_CACHE_S, 300 s; the JWKS says max-age=300): a key
    # published this long is in every cached set, so it may start signing with no refusal.
    key_publish_ahead_s: int = Field(
        default=360, ge=0, le=7 * 24 * 3600, description="a next key is published this long first"
    )

    # Sign-in: the second factor and the throttles.
    totp_required_for_managers: bool = Field(
        default=False, description="program managers and admins must sign in with a TOTP code"
    )
    sign_in_max_failures: int = Field(default=5, ge=1, description="per account, then a lockout")
    sign_in_address_max_failures: int = Field(default=50, ge=1, description="per client address")
    # Behind a reverse proxy every request comes from the proxy: the client address is then read
    # from X-Forwarded-For, but only from these peers and only as far as they wrote it.
    trusted_proxies: str = Field(
        default="",
        description="comma-separated proxy addresses or networks (10.0.0.0/8) whose "
        "X-Forwarded-For is believed; empty = none, the peer is the client",
    )
    sign_in_window_s: int = Field(default=900, ge=1, description="failures counted over this")
    sign_in_lockout_s: int = Field(default=900, ge=1)
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)
    argon2_parallelism: int = Field(default=4, ge=1)

    # Links mailed to people, and the mail server.
    public_url: str = Field(
        default="http://127.0.0.1:8004", description="base of the invitation and reset links"
    )
    invitation_ttl_s: int = Field(default=7 * 24 * 3600, ge=60)
    password_reset_ttl_s: int = Field(default=3600, ge=60)
    password_reset_mails: int = Field(
        default=3, ge=1, description="reset mails per account over sign_in_window_s; then none"
    )
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_timeout_s: float = Field(default=10.0, gt=0)
    mail_from: str = "Kakehashi <no-reply@kakehashi.local>"

    # Notification mails (the consumer process): one per event at once, digests once a day.
    notify_digest_hour_utc: int = Field(
        default=1,
        ge=0,
        le=23,
        description="daily digests go out from this hour (01 UTC: 08:00 "
        "in Viet Nam, 10:00 in Japan)",
    )
    notify_interval_s: float = Field(
        default=5.0, gt=0, le=3600, description="how often the consumer mails what is pending"
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: str) -> str:
        for entry in filter(None, (v.strip() for v in value.split(","))):
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError("trusted_proxies: not an address or network") from None
        return value

    @model_validator(mode="after")
    def _refuse_dev_key_encryption_secret(self) -> IdentitySettings:
        secret = self.key_encryption_secret.get_secret_value()
        if self.environment != "development" and (
            secret in KNOWN_SECRETS or len(secret) < MIN_SECRET_LENGTH
        ):
            raise ValueError(
                "key_encryption_secret must be a private value of at least "
                f"{MIN_SECRET_LENGTH} characters when environment is {self.environment!r}"
            )
        return self
