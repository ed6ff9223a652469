"""identity's own Prometheus metrics (beside the shared HTTP, relay and consumer ones): the
notification mails sent, by kind, and the notices dropped unsent. Names are listed in
docs/operations.md, "What to watch"."""

from __future__ import annotations

from prometheus_client import Counter

NOTIFICATION_MAILS = Counter(
    "kakehashi_identity_notification_mails",
    "Notification mails the mail server accepted, by kind (each: one notice; digest: a day's).",
    ["kind"],
)
NOTICES_DROPPED = Counter(
    "kakehashi_identity_notices_dropped",
    "Notices dropped unsent: the user turned notifications off or was deactivated, or the "
    "candidate was erased.",
)
