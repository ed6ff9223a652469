"""The sign-in page and the browser session: signing in with a password (and a TOTP code, and
an organisation when the user has several), renewing the short access token, signing out.

What the page says on a refusal is what the API says: one message for an unknown email, a
wrong password, a deactivated user and a user without a role; the lockout's wait. Every POST
passes the kit's CSRF check (an allowed Origin and the double-submit token).
"""

from __future__ import annotations

import math
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kakehashi.identity.domain.commands import SignIn
from kakehashi.identity.entrypoints.callers import IdentityDep, client_address_of
from kakehashi.identity.entrypoints.pages import two_factor_pages
from kakehashi.identity.entrypoints.pages.rendering import (
    FORM_EXPIRED,
    allowed_origins,
    csrf_passes,
    default_next,
    gettext,
    identity_settings,
    refused_form,
    render,
)
from kakehashi.identity.service_layer import organisations, sessions, sign_in
from kakehashi.identity.service_layer.errors import SignInRefusedError
from kakehashi.shared.ui import browser_session
from kakehashi.shared.ui.navigation import N_, ROLE_LABELS
from kakehashi.shared.ui.pages import flash, language_of
from kakehashi.shared.web import UowDep

router = APIRouter(include_in_schema=False)

# The API's refusal codes, as the page says them (msgids, translated when shown).
REFUSALS = {
    "invalid_credentials": N_("Email or password is wrong."),
    "totp_required": N_("Enter the 6-digit code from your authenticator app."),
    "totp_invalid": N_("The one-time or recovery code is wrong or was already used."),
    "totp_enrolment_required": N_(
        "Your role needs a second factor, which you have not set up yet. Ask your "
        "administrator how to set it up, then sign in again."
    ),
    "organisation_required": N_("Choose the organisation to sign in to."),
    "not_a_member": N_("You have no role in that organisation."),
}
LOCKED = N_("Too many failed sign-ins. Try again in %(minutes)s minutes.")
SIGNED_OUT = N_("You are signed out.")

Text = Annotated[str, Form(max_length=254)]


def _form(
    request: Request,
    *,
    next_page: str,
    email: str = "",
    status_code: int = 200,
    error: str | None = None,
    ask_totp: bool = False,
    choices: list[dict[str, str]] | None = None,
) -> HTMLResponse:
    messages = [("error", error)] if error else []
    return render(
        request,
        "sign_in.html",
        status_code=status_code,
        messages=messages,
        page_url="/sign-in?" + urlencode({"next": next_page}),
        next_page=next_page,
        email=email,
        ask_totp=ask_totp,
        choices=choices or [],
        development_console=_development_console(request),
    )


def _development_console(request: Request) -> str | None:
    """In development, the console's own sign-in (token, demo), for trying it without users."""
    settings = identity_settings(request)
    if settings.environment != "development":
        return None
    return settings.web_urls["matching"] + "/console/sign-in"


@router.get("/sign-in")
def sign_in_page(request: Request, next: str = "") -> HTMLResponse:
    return _form(request, next_page=next[:2000])


def _choices(request: Request, uow: UowDep, extra: dict[str, Any]) -> list[dict[str, str]]:
    """The organisations a user may sign in to, named in the reader's language."""
    language = language_of(request)
    names = {row.id: row for row in organisations.list_all(uow, None)}
    found = []
    for choice in extra.get("organisations", []):
        row = names.get(choice["organisation_id"])
        name = choice["organisation_id"]
        if row is not None:
            name = {"vi": row.name_vi, "ja": row.name_ja}.get(language) or row.name_latin
        role = ROLE_LABELS.get(choice["role"], choice["role"])
        found.append({"id": choice["organisation_id"], "name": name, "role_label": role})
    return found


@router.post("/session")
def post_session(
    request: Request,
    uow: UowDep,
    identity: IdentityDep,
    email: Text,
    password: Annotated[str, Form(max_length=128)],
    csrf_token: Text = "",
    totp: Annotated[str, Form(max_length=6)] = "",
    recovery_code: Annotated[str, Form(max_length=24)] = "",
    organisation_id: Annotated[str, Form(max_length=64)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Sign in from the page: on success the session cookies, then `next` if it is ours."""
    if not csrf_passes(request, csrf_token):
        return _form(
            request,
            next_page=next,
            email=email,
            status_code=status.HTTP_403_FORBIDDEN,
            error=gettext(request)(FORM_EXPIRED),
        )
    address = client_address_of(request)
    command = SignIn(
        email=email,
        password=password,
        client_address=address,
        user_agent=request.headers.get("user-agent"),
        totp_code=totp.strip() or None,
        organisation_id=organisation_id or None,
        recovery_code=recovery_code.strip() or None,
    )
    try:
        signed_in = sign_in.sign_in(uow, identity, command, sessions.browser_ttl(identity))
    except SignInRefusedError as refusal:
        return _refused(request, uow, identity, refusal, email, next, bool(totp or recovery_code))
    session_id = sessions.start(
        uow, identity, signed_in, address, request.headers.get("user-agent")
    )
    home = default_next(request, signed_in.role)
    target = browser_session.safe_next(next, allowed_origins(request), home)
    response = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
    settings = identity.settings
    browser_session.set_refresh_cookie(
        request, response, session_id, settings.browser_session_max_s
    )
    browser_session.set_access_cookie(
        request, response, signed_in.access_token, settings.browser_token_ttl_s
    )
    return response


def _refused(
    request: Request,
    uow: UowDep,
    identity: IdentityDep,
    refusal: SignInRefusedError,
    email: str,
    next_page: str,
    had_totp: bool,
) -> Response:
    _ = gettext(request)
    if refusal.code == "locked":
        minutes = max(1, math.ceil((refusal.retry_after_s or 60) / 60))
        page = _form(
            request,
            next_page=next_page,
            email=email,
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            error=_(LOCKED) % {"minutes": minutes},
        )
        page.headers["Retry-After"] = str(refusal.retry_after_s or 60)
        return page
    if refusal.code == "totp_enrolment_required" and refusal.extra:
        token = str(refusal.extra["enrolment_token"])
        return two_factor_pages.enrolment_page(request, uow, identity, token)
    ask_totp = refusal.code in ("totp_required", "totp_invalid") or had_totp
    choices = (
        _choices(request, uow, refusal.extra) if refusal.code == "organisation_required" else []
    )
    return _form(
        request,
        next_page=next_page,
        email=email,
        status_code=refusal.status,
        error=_(REFUSALS.get(refusal.code, REFUSALS["invalid_credentials"])),
        ask_totp=ask_totp,
        choices=choices,
    )


@router.get("/session/refresh")
def refresh(request: Request, uow: UowDep, identity: IdentityDep, next: str = "") -> Response:
    """A fresh access token from the browser session, then back to `next`; without a live
    session, the sign-in page (with `next`). Safe as a GET: it only renews this browser's own
    cookie, and its answer is a redirect a cross-site page cannot read."""
    target = browser_session.safe_next(next, allowed_origins(request), default_next(request))
    session_id = request.cookies.get(browser_session.REFRESH_COOKIE)
    if session_id:
        try:
            token = sessions.renew(uow, identity, session_id)
        except sessions.SessionEndedError:
            pass
        else:
            response = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
            ttl = identity.settings.browser_token_ttl_s
            browser_session.set_access_cookie(request, response, token, ttl)
            return response
    response = RedirectResponse(
        "/sign-in?" + urlencode({"next": target}), status_code=status.HTTP_303_SEE_OTHER
    )
    browser_session.clear_session_cookies(request, response)
    return response


@router.post("/session/sign-out")
def sign_out(
    request: Request, uow: UowDep, csrf_token: Annotated[str, Form(max_length=64)] = ""
) -> Response:
    """End the browser session everywhere: it renews nothing any more, and both cookies go.
    An access token copied before lapses within `browser_token_ttl_s`."""
    if not csrf_passes(request, csrf_token):
        return refused_form(request)
    session_id = request.cookies.get(browser_session.REFRESH_COOKIE)
    if session_id:
        sessions.end(uow, session_id)
    response = RedirectResponse("/sign-in", status_code=status.HTTP_303_SEE_OTHER)
    browser_session.clear_session_cookies(request, response)
    flash(response, SIGNED_OUT)
    return response
