"""Identity's pages (the UI kit's layout): sign-in and the browser session, the mailed links'
password pages, the second factor, notification mails, the administration page, and the
dead letters of identity's consumer (the shared page)."""

from __future__ import annotations

from fastapi import FastAPI

from kakehashi.identity.bootstrap import SPEC
from kakehashi.identity.entrypoints.pages import (
    admin_pages,
    link_pages,
    notification_pages,
    sign_in_pages,
    two_factor_pages,
)
from kakehashi.identity.entrypoints.pages.rendering import (
    PAGES,
    SignInRequired,
    organisation_names,
    session_principal,
    to_sign_in,
)
from kakehashi.shared.ui import dead_letter_pages


def install(app: FastAPI) -> None:
    app.include_router(sign_in_pages.router)
    app.include_router(link_pages.router)
    app.include_router(admin_pages.router)
    app.include_router(two_factor_pages.router)
    app.include_router(notification_pages.router)
    PAGES.install_static(app)
    app.add_exception_handler(SignInRequired, to_sign_in)
    # /admin/dead-letters, administrators only, as on the other services; identity verifies the
    # session itself (its keys, its users) instead of fetching its own JWKS.
    # It names organisations from its own table too.
    dead_letter_pages.install(app, SPEC, session_principal, organisation_names)
