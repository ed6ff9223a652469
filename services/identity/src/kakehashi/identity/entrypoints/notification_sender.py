"""The loop of the consumer process that mails notifications: pending `each` deliveries every
few seconds, and the daily digests once their hour has come."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from kakehashi.identity.adapters.mail import Mailer, SmtpMailer
from kakehashi.identity.config import IdentitySettings
from kakehashi.identity.service_layer import notifications
from kakehashi.identity.service_layer.notifications import Links
from kakehashi.shared.runtime import Runtime
from kakehashi.shared.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


@dataclass
class NotificationSender:
    uow: Callable[[], UnitOfWork]
    mailer: Mailer
    links: Links
    digest_hour_utc: int
    interval_s: float

    @classmethod
    def build(cls, settings: IdentitySettings, uow: Callable[[], UnitOfWork]) -> NotificationSender:
        return cls(
            uow,
            SmtpMailer(settings),
            Links.of(settings.web_urls),
            settings.notify_digest_hour_utc,
            settings.notify_interval_s,
        )

    def send_round(self) -> tuple[int, int]:
        """Mail what is due now: (single mails, digests)."""
        each = notifications.send_each(self.uow, self.mailer, self.links)
        digests = notifications.send_digests(
            self.uow, self.mailer, self.links, hour_utc=self.digest_hour_utc
        )
        if each or digests:
            log.info("notifications mailed", extra={"mails": each, "digests": digests})
        return each, digests

    def run(self, stop: threading.Event) -> None:
        """Rounds until `stop`. A failed round (the mail server away, the database busy) is
        logged with its traceback and tried again next round: nothing was marked sent."""
        while not stop.is_set():
            try:
                self.send_round()
            except Exception:
                log.exception("notification round failed; retried in the next round")
            stop.wait(self.interval_s)


def beside_consumer(runtime: Runtime) -> Callable[[threading.Event], None]:
    """identity's consumer process mails the notifications its events give (ServiceSpec)."""
    settings = runtime.settings
    assert isinstance(settings, IdentitySettings)
    return NotificationSender.build(settings, runtime.uow).run
