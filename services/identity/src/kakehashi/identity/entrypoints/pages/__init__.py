"""Identity's pages (the UI kit's layout): sign-in and the browser session, the mailed links'
password pages, the second factor, notification mails, and the administration page."""

from __future__ import annotations

from fastapi import FastAPI

from kakehashi.identity.entrypoints.pages import (
    admin_pages,
    link_pages,
    notification_pages,
    sign_in_pages,
    two_factor_pages,
)
from kakehashi.identity.entrypoints.pages.rendering import PAGES, SignInRequired, to_sign_in


def install(app: FastAPI) -> None:
    app.include_router(sign_in_pages.router)
    app.include_router(link_pages.router)
    app.include_router(admin_pages.router)
    app.include_router(two_factor_pages.router)
    app.include_router(notification_pages.router)
    PAGES.install_static(app)
    app.add_exception_handler(SignInRequired, to_sign_in)
