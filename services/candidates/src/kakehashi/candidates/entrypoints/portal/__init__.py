"""The training-centre portal (Jinja2 + htmx, Vietnamese by default): a centre's candidates,
the register / edit form, bulk import with progress, each candidate's page with eligibility,
pipeline, matching and privacy actions, and what happened lately. Admins see every centre's.

Mounted by the candidates API factory (`install`); rendered with the shared UI kit.
"""

from __future__ import annotations

from fastapi import FastAPI

from kakehashi.candidates.entrypoints.portal import import_pages, pages, session
from kakehashi.candidates.entrypoints.portal.rendering import PAGES


def install(app: FastAPI) -> None:
    """The portal's routes, its static assets and the pages its refusals answer with."""
    app.include_router(pages.router)
    app.include_router(import_pages.router)
    PAGES.install_static(app)
    app.add_exception_handler(session.SignInRequired, session.to_sign_in)
    app.add_exception_handler(session.NotForThisRole, session.not_for_this_role)
    app.add_exception_handler(session.CsrfRefused, session.csrf_refused)
