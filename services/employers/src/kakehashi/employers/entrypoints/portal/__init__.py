"""The employer portal: server-rendered pages (Jinja2 + htmx, the shared UI kit) where an
employer keeps its company profile, posts and edits its 求人票 with live checks, follows its
orders' fill and lifecycle and the candidates matching proposes; Japanese by default."""

from __future__ import annotations

from fastapi import FastAPI

from kakehashi.employers.entrypoints.portal import order_pages, profile_pages, session
from kakehashi.employers.entrypoints.portal.rendering import PAGES


def install(app: FastAPI) -> None:
    """Serve the portal (pages and the kit's static files) from the employers app."""
    app.include_router(profile_pages.router)
    app.include_router(order_pages.router)
    PAGES.install_static(app)
    app.add_exception_handler(session.SignInRequired, session.to_sign_in)
    app.add_exception_handler(session.NotForThisRole, session.not_for_this_role)
    app.add_exception_handler(session.FormExpired, session.form_expired)
    app.add_exception_handler(order_pages.OrderNotFound, order_pages.not_found)
