"""The links across the services every page's header shows, their URLs from settings."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.settings import ServiceSettings


def N_(message: str) -> str:  # noqa: N802 (gettext's marker: extracted, translated when shown)
    return message


@dataclass(frozen=True)
class NavLink:
    key: str
    label: str  # an English msgid, translated by the template
    url: str
    service: str  # the service serving it (settings' `service_name`): to know the current page


# What each role is called on the pages (msgids; the header shows who is signed in).
ROLE_LABELS = {
    Role.TRAINING_CENTRE.value: N_("Training centre"),
    Role.EMPLOYER.value: N_("Employer"),
    Role.PROGRAM_MANAGER.value: N_("Program manager"),
    Role.ADMIN.value: N_("Administrator"),
}
# Each service as people know it (msgids): a page names a service so, never by its code name.
SERVICE_NAMES = {
    "identity": N_("Sign-in and accounts (identity service)"),
    "candidates": N_("Training-centre portal (candidates service)"),
    "employers": N_("Employer portal (employers service)"),
    "matching": N_("Review console (matching service)"),
}
DEAD_LETTER_PAGE = "/admin/dead-letters"


def dead_letter_links(settings: ServiceSettings) -> list[NavLink]:
    """Each service's dead-letter page (administrators), their URLs from settings."""
    return [
        NavLink(service, label, settings.web_urls[service] + DEAD_LETTER_PAGE, service)
        for service, label in SERVICE_NAMES.items()
    ]


# Each portal's home page, under its service's browser URL.
PORTALS = {"candidates": "/portal/candidates", "employers": "/portal/orders"}
REVIEWERS = frozenset({Role.PROGRAM_MANAGER, Role.ADMIN, Role.EMPLOYER})


def links(settings: ServiceSettings, principal: Principal | None) -> list[NavLink]:
    """What `principal` may open: its portal (training centres: their candidates at the
    candidates service; employers: their job orders at the employers service), the review
    console, the administration (admins), and their notification-mail settings at identity."""
    if principal is None:
        return []
    urls = settings.web_urls
    found: list[NavLink] = []
    if principal.role is Role.TRAINING_CENTRE:
        found.append(
            NavLink(
                "candidates",
                N_("Candidates"),
                urls["candidates"] + PORTALS["candidates"],
                "candidates",
            )
        )
    if principal.role is Role.EMPLOYER:
        # "Our job orders": the console lists job orders too (an employer's shortlists), and
        # two links both called "Job orders" going to two pages confused the employers.
        found.append(
            NavLink(
                "employers", N_("Our job orders"), urls["employers"] + PORTALS["employers"],
                "employers",
            )
        )  # fmt: skip
    if principal.role is Role.EMPLOYER:
        found.append(
            NavLink("console", N_("Shortlists"), urls["matching"] + "/console/orders", "matching")
        )
    elif principal.role in REVIEWERS:
        found.append(
            NavLink(
                "console", N_("Review console"), urls["matching"] + "/console/orders", "matching"
            )
        )
    if principal.role is Role.ADMIN:
        found.append(
            NavLink("admin", N_("Administration"), urls["identity"] + "/admin", "identity")
        )
    # Everyone chooses how they hear of what happens (each event, a daily digest, or not).
    # "Mail settings", not "Notification mails": a centre's portal lists its notifications
    # too, and two links both called "notifications" side by side confused the centres.
    found.append(
        NavLink(
            "account",
            N_("Mail settings"),
            urls["identity"] + "/account/notifications",
            "identity",
        )
    )
    return found


def current(found: list[NavLink], service: str, path: str) -> str | None:
    """The key of the link the page at `path` of `service` belongs to (the longest link path
    it lies under), for the header to mark it; None when the page is under none of them."""
    best: tuple[int, str] | None = None
    for link in found:
        base = urlsplit(link.url).path.rstrip("/")
        if link.service != service or not (path == base or path.startswith(base + "/")):
            continue
        if best is None or len(base) > best[0]:
            best = (len(base), link.key)
    return best[1] if best else None


def sign_in_url(settings: ServiceSettings) -> str:
    return settings.web_urls["identity"] + "/sign-in"


def refresh_url(settings: ServiceSettings) -> str:
    """Identity's route that renews a lapsed access token from the browser session, or sends
    the visitor to sign in; it takes `next`."""
    return settings.web_urls["identity"] + "/session/refresh"


def sign_out_url(settings: ServiceSettings) -> str:
    return settings.web_urls["identity"] + "/session/sign-out"
