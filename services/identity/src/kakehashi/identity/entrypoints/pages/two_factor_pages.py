"""The signed-in user's second factor: set up TOTP (the secret as text and as an otpauth:// URI,
then one code to confirm), the recovery codes shown once, new ones for a current code. A user
whose role requires a second factor they have not set up does the same from the sign-in page,
with the short-lived enrolment token the refused sign-in handed out.

No QR code is drawn (no QR library is installed): authenticator apps take the secret typed in or
the URI pasted. Every POST passes the kit's CSRF check.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kakehashi.identity.domain.commands import ConfirmTotp, RenewRecoveryCodes
from kakehashi.identity.entrypoints.callers import IdentityDep
from kakehashi.identity.entrypoints.pages.rendering import (
    PagePrincipal,
    csrf_passes,
    gettext,
    refused_form,
    render,
)
from kakehashi.identity.service_layer import totp, users
from kakehashi.identity.service_layer.errors import ConflictError, LinkRefusedError
from kakehashi.shared.auth import Principal
from kakehashi.shared.errors import DomainError
from kakehashi.shared.ui.navigation import N_
from kakehashi.shared.web import UowDep

router = APIRouter(prefix="/account/two-factor", include_in_schema=False)
PAGE = "/account/two-factor"
SET_UP_FIRST = N_(
    "Your role needs two-factor sign-in. Set it up now, then sign in with your password and a "
    "code from the app."
)
ENROLMENT_EXPIRED = N_("This set-up has expired. Sign in again to start a new one.")
WRONG_CODE = N_("That is not the current code of your authenticator app. Try the next one.")
ALREADY_ON = N_("Two-factor sign-in is already on.")
CodeField = Annotated[str, Form(max_length=16)]
CsrfField = Annotated[str, Form(max_length=64)]
TokenField = Annotated[str, Form(max_length=128)]


def _page(
    request: Request,
    uow: UowDep,
    identity: IdentityDep,
    principal: Principal,
    *,
    recovery_codes: list[str] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    user, _memberships = users.get(uow, principal.subject)
    uri = None if user.totp_confirmed else totp.pending_uri(uow, identity, user.id)
    return render(
        request,
        "two_factor.html",
        principal,
        status_code=status_code,
        messages=[("error", gettext(request)(error))] if error else [],
        page_url=PAGE,
        enabled=user.totp_confirmed,
        uri=uri,
        secret=_grouped_secret(uri) if uri else None,
        codes_left=totp.recovery_codes_left(uow, user.id) if user.totp_confirmed else 0,
        recovery_codes=recovery_codes,
    )


def _grouped_secret(uri: str) -> str:
    """The base32 secret of an otpauth:// URI in groups of four, easier to type."""
    secret = parse_qs(urlsplit(uri).query)["secret"][0]
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@router.get("")
def two_factor_page(
    request: Request, principal: PagePrincipal, uow: UowDep, identity: IdentityDep
) -> HTMLResponse:
    return _page(request, uow, identity, principal)


@router.post("/start")
def start(
    request: Request,
    principal: PagePrincipal,
    uow: UowDep,
    identity: IdentityDep,
    csrf_token: CsrfField = "",
) -> Response:
    """A new secret to add to the authenticator app (the page shows it until confirmed)."""
    if not csrf_passes(request, csrf_token):
        return refused_form(request)
    try:
        totp.begin(uow, identity, principal.subject)
    except ConflictError:
        return _page(request, uow, identity, principal, error=ALREADY_ON, status_code=409)
    return RedirectResponse(PAGE, status_code=status.HTTP_303_SEE_OTHER)


@router.post("/confirm")
def confirm(
    request: Request,
    principal: PagePrincipal,
    uow: UowDep,
    identity: IdentityDep,
    code: CodeField = "",
    csrf_token: CsrfField = "",
) -> Response:
    """The app's current code turns the factor on; the recovery codes are shown this once."""
    if not csrf_passes(request, csrf_token):
        return refused_form(request)
    try:
        codes = totp.confirm(uow, identity, ConfirmTotp(principal.subject, code.strip()), None)
    except DomainError:
        return _page(request, uow, identity, principal, error=WRONG_CODE, status_code=422)
    except ConflictError:
        return _page(request, uow, identity, principal, error=ALREADY_ON, status_code=409)
    return _page(request, uow, identity, principal, recovery_codes=codes)


@router.post("/recovery-codes")
def renew(
    request: Request,
    principal: PagePrincipal,
    uow: UowDep,
    identity: IdentityDep,
    code: CodeField = "",
    csrf_token: CsrfField = "",
) -> Response:
    """New recovery codes for a current code; the old ones stop working."""
    if not csrf_passes(request, csrf_token):
        return refused_form(request)
    command = RenewRecoveryCodes(principal.subject, code.strip())
    try:
        codes = totp.renew_recovery_codes(uow, identity, command)
    except (DomainError, ConflictError):
        return _page(request, uow, identity, principal, error=WRONG_CODE, status_code=422)
    return _page(request, uow, identity, principal, recovery_codes=codes)


def enrolment_page(
    request: Request,
    uow: UowDep,
    identity: IdentityDep,
    token: str,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The set-up the sign-in page shows when the role requires a second factor not set up yet:
    a secret begun for the user the enrolment token names, and a form that confirms it."""
    user_id = totp.enrolling_user(uow, token)
    uri = totp.pending_uri(uow, identity, user_id) or totp.begin(uow, identity, user_id)
    _ = gettext(request)
    shown = [("error", _(error))] if error else [("ok", _(SET_UP_FIRST))]
    return render(
        request,
        "two_factor.html",
        status_code=status_code,
        messages=shown,
        page_url="/sign-in",
        enabled=False,
        uri=uri,
        secret=_grouped_secret(uri),
        enrolment_token=token,
    )


@router.post("/enrol")
def enrol(
    request: Request,
    uow: UowDep,
    identity: IdentityDep,
    token: TokenField = "",
    code: CodeField = "",
    csrf_token: CsrfField = "",
) -> Response:
    """Confirm the set-up begun from the sign-in page; the recovery codes are shown once, and
    the user signs in with a code from now on. The enrolment token is spent."""
    if not csrf_passes(request, csrf_token):
        return refused_form(request)
    try:
        user_id = totp.enrolling_user(uow, token)
        codes = totp.confirm(uow, identity, ConfirmTotp(user_id, code.strip()), token)
    except LinkRefusedError:
        _ = gettext(request)
        return render(
            request, "message.html", status_code=400, messages=[("error", _(ENROLMENT_EXPIRED))]
        )
    except DomainError:
        return enrolment_page(request, uow, identity, token, error=WRONG_CODE, status_code=422)
    return render(
        request, "two_factor.html", enabled=True, recovery_codes=codes, enrolled=True, codes_left=0
    )
