"""The pages the mailed links open: accepting an invitation and resetting a password (choose a
password, the rules shown), then signed in; and asking for a reset link."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import EmailStr, TypeAdapter, ValidationError

from kakehashi.identity.domain.commands import (
    AcceptInvitation,
    RequestPasswordReset,
    ResetPassword,
)
from kakehashi.identity.domain.passwords import MIN_LENGTH
from kakehashi.identity.entrypoints.callers import IdentityDep, client_address_of
from kakehashi.identity.entrypoints.pages.rendering import (
    allowed_origins,
    csrf_passes,
    default_next,
    gettext,
    refused_form,
    render,
)
from kakehashi.identity.entrypoints.sign_in_api import send_reset_mail
from kakehashi.identity.service_layer import links, sessions, users
from kakehashi.identity.service_layer.errors import LinkRefusedError
from kakehashi.identity.service_layer.links import Purpose
from kakehashi.shared.errors import DomainError
from kakehashi.shared.ui import browser_session
from kakehashi.shared.ui.navigation import N_
from kakehashi.shared.ui.pages import flash
from kakehashi.shared.web import UowDep

router = APIRouter(include_in_schema=False)
Kind = Literal["invitation", "password_reset"]
PATHS: dict[Kind, str] = {"invitation": "/invitation", "password_reset": "/password-reset"}

LINK_REFUSED = N_("This link is unknown, expired or already used. Ask for a new one.")
MISMATCH = N_("The two passwords are not the same.")
PASSWORD_SET = N_("Your password is set. Sign in with it.")
RESET_SENT = N_(
    "If an active account has this email, a link to reset its password is on its way. It "
    "works once."
)
# The password rules' refusals (domain/passwords.py), as the page says them.
RULES = {
    f"at least {MIN_LENGTH} characters": N_("The password needs at least %(n)s characters."),
    "at most 128 characters": N_("The password may have at most 128 characters."),
    "too few different characters": N_("The password has too few different characters."),
    "only digits (dates and numbers are guessed first)": N_(
        "The password is only digits; dates and numbers are guessed first."
    ),
    "a run of consecutive keys or digits": N_(
        "The password is a run of consecutive keys or digits."
    ),
    "one of the passwords most often tried by attackers": N_(
        "The password is one of those attackers try first."
    ),
    "contains the email address": N_("The password contains your email address."),
}
Token = Annotated[str, Form(min_length=16, max_length=128)]
Password = Annotated[str, Form(max_length=128)]
Csrf = Annotated[str, Form(max_length=64)]


def _password_page(
    request: Request,
    kind: Kind,
    token: str,
    email: str | None,
    *,
    status_code: int = 200,
    error: str | None = None,
) -> HTMLResponse:
    return render(
        request,
        "set_password.html",
        status_code=status_code,
        messages=[("error", error)] if error else [],
        page_url=PATHS[kind] + "?token=" + token,
        kind=kind,
        action=PATHS[kind],
        token=token,
        email=email,
        min_length=MIN_LENGTH,
    )


def _link_refused(request: Request) -> HTMLResponse:
    return render(
        request,
        "message.html",
        status_code=status.HTTP_400_BAD_REQUEST,
        messages=[("error", gettext(request)(LINK_REFUSED))],
    )


def _peek(uow: UowDep, token: str, purpose: Purpose) -> str | None:
    """The email of the user a valid link names, the link left unused; None if refused."""
    try:
        with uow:
            return links.peek(uow.session, token, purpose).email
    except LinkRefusedError:
        return None


@router.get("/invitation")
def invitation_page(request: Request, uow: UowDep, token: str = "") -> HTMLResponse:
    email = _peek(uow, token, Purpose.INVITATION) if 16 <= len(token) <= 128 else None
    if email is None:
        return _link_refused(request)
    return _password_page(request, "invitation", token, email)


@router.get("/password-reset")
def password_reset_page(request: Request, uow: UowDep, token: str = "") -> HTMLResponse:
    """With a mailed link's token: choose the new password. Without: ask for a link."""
    if not token:
        return render(request, "reset_request.html")
    email = _peek(uow, token, Purpose.PASSWORD_RESET) if 16 <= len(token) <= 128 else None
    if email is None:
        return _link_refused(request)
    return _password_page(request, "password_reset", token, email)


def _set_password(
    request: Request,
    uow: UowDep,
    identity: IdentityDep,
    kind: Kind,
    token: str,
    password: str,
    repeated: str,
    csrf_token: str,
) -> Response:
    purpose = Purpose.INVITATION if kind == "invitation" else Purpose.PASSWORD_RESET
    if not csrf_passes(request, csrf_token):
        return refused_form(request)
    _ = gettext(request)
    email = _peek(uow, token, purpose)
    if email is None:
        return _link_refused(request)
    if password != repeated:
        return _password_page(request, kind, token, email, status_code=422, error=_(MISMATCH))
    try:
        if kind == "invitation":
            user = users.accept_invitation(uow, identity, AcceptInvitation(token, password))
        else:
            user = users.reset_password(uow, identity, ResetPassword(token, password))
    except LinkRefusedError:
        return _link_refused(request)
    except DomainError as error:
        text = _(RULES.get(error.message, RULES[f"at least {MIN_LENGTH} characters"]))
        return _password_page(
            request, kind, token, email, status_code=422, error=text % {"n": MIN_LENGTH}
        )
    address = client_address_of(request)
    started = sessions.start_after_link(
        uow, identity, user.id, address, request.headers.get("user-agent")
    )
    if started is None:  # a second factor or an organisation to choose: the sign-in page asks
        response = RedirectResponse("/sign-in", status_code=status.HTTP_303_SEE_OTHER)
        flash(response, PASSWORD_SET)
        return response
    session_id, access_token = started
    target = browser_session.safe_next(None, allowed_origins(request), default_next(request))
    response = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
    settings = identity.settings
    browser_session.set_refresh_cookie(
        request, response, session_id, settings.browser_session_max_s
    )
    browser_session.set_access_cookie(request, response, access_token, settings.browser_token_ttl_s)
    return response


@router.post("/invitation")
def accept_invitation(
    request: Request,
    uow: UowDep,
    identity: IdentityDep,
    token: Token,
    password: Password,
    repeated: Password,
    csrf_token: Csrf = "",
) -> Response:
    return _set_password(
        request, uow, identity, "invitation", token, password, repeated, csrf_token
    )


@router.post("/password-reset/new")
def reset_password(
    request: Request,
    uow: UowDep,
    identity: IdentityDep,
    token: Token,
    password: Password,
    repeated: Password,
    csrf_token: Csrf = "",
) -> Response:
    return _set_password(
        request, uow, identity, "password_reset", token, password, repeated, csrf_token
    )


@router.post("/password-reset/request")
def request_reset(
    request: Request,
    uow: UowDep,
    identity: IdentityDep,
    background: BackgroundTasks,
    email: Annotated[str, Form(max_length=254)],
    csrf_token: Csrf = "",
) -> Response:
    """Mail a reset link if an active user has this email; the page says the same either way."""
    if not csrf_passes(request, csrf_token):
        return refused_form(request, "reset_request.html")
    try:
        valid = TypeAdapter(EmailStr).validate_python(email)
    except ValidationError:
        valid = None
    if valid is not None:
        mail = users.request_password_reset(uow, identity, RequestPasswordReset(valid))
        if mail is not None:
            background.add_task(send_reset_mail, identity, mail)
    return render(request, "message.html", messages=[("ok", gettext(request)(RESET_SENT))])
