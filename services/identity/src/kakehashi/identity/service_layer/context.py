"""What identity's use cases need besides a unit of work, built once per process."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from kakehashi.identity.adapters.crypto import Passwords, Sealer
from kakehashi.identity.adapters.mail import Mailer, SmtpMailer
from kakehashi.identity.config import IdentitySettings
from kakehashi.identity.domain.addresses import Network, client_address, parse_networks
from kakehashi.identity.domain.throttle import Policy


@dataclass
class Identity:
    """Settings with the password hasher, the sealer of secrets at rest and the mailer."""

    settings: IdentitySettings
    passwords: Passwords
    sealer: Sealer
    mailer: Mailer

    @classmethod
    def build(cls, settings: IdentitySettings, mailer: Mailer | None = None) -> Identity:
        return cls(
            settings=settings,
            passwords=Passwords(
                settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
            ),
            sealer=Sealer(settings.key_encryption_secret.get_secret_value()),
            mailer=mailer or SmtpMailer(settings),
        )

    @property
    def token_ttl(self) -> timedelta:
        return timedelta(seconds=self.settings.access_token_ttl_s)

    def account_policy(self) -> Policy:
        s = self.settings
        return Policy(
            s.sign_in_max_failures,
            timedelta(seconds=s.sign_in_window_s),
            timedelta(seconds=s.sign_in_lockout_s),
        )

    def reset_mail_policy(self) -> Policy:
        """At most `password_reset_mails` reset mails per account over the sign-in window."""
        window = timedelta(seconds=self.settings.sign_in_window_s)
        return Policy(self.settings.password_reset_mails, window, window)

    def client_address(self, peer: str, forwarded_for: list[str]) -> str:
        """The address the per-address throttle and the audit count: the peer, or the client a
        trusted proxy names in X-Forwarded-For (`trusted_proxies`)."""
        return client_address(peer, forwarded_for, self.trusted_proxies)

    @property
    def trusted_proxies(self) -> tuple[Network, ...]:
        return parse_networks(self.settings.trusted_proxies.split(","))

    def address_policy(self) -> Policy:
        s = self.settings
        return Policy(
            s.sign_in_address_max_failures,
            timedelta(seconds=s.sign_in_window_s),
            timedelta(seconds=s.sign_in_lockout_s),
        )
