"""How identity's pages are rendered and who is looking at them."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kakehashi.identity.adapters.signing import TokenRejectedError
from kakehashi.identity.config import IdentitySettings
from kakehashi.identity.entrypoints.callers import IdentityDep, identity_of
from kakehashi.identity.service_layer import callers, organisations
from kakehashi.shared.auth import Principal
from kakehashi.shared.organisations import OrganisationNames
from kakehashi.shared.ui import browser_session
from kakehashi.shared.ui.navigation import N_, ROLE_LABELS
from kakehashi.shared.ui.pages import Pages, language_of
from kakehashi.shared.web import UowDep, runtime_of, settings_of

HERE = Path(__file__).parent
STATIC = "/identity/static"
FORM_EXPIRED = N_("This form has expired or came from another site. Reload the page and try again.")


def organisation_names(request: Request, ids: Collection[str]) -> Mapping[str, OrganisationNames]:
    """Identity names organisations from its own table (the others keep a directory of it)."""
    return organisations.names(runtime_of(request).uow(), ids)


PAGES = Pages(
    HERE / "templates",
    HERE / "locales",
    STATIC,
    globals={"roles": ROLE_LABELS},
    organisations=organisation_names,
)


def identity_settings(request: Request) -> IdentitySettings:
    settings = settings_of(request)
    assert isinstance(settings, IdentitySettings)
    return settings


def own_url(request: Request) -> str:
    """Identity's base URL for browsers (the mailed links' base)."""
    return identity_settings(request).public_url.rstrip("/")


def allowed_origins(request: Request) -> frozenset[str]:
    """Our services' origins: where a form may come from and a `next` may lead."""
    settings = identity_settings(request)
    return browser_session.origins_of([*settings.web_urls.values(), settings.public_url])


# Where each role works: a sign-in without a page to go back to lands there.
HOME_OF_ROLE = {
    "training_centre": ("candidates", "/portal/candidates"),
    "employer": ("employers", "/portal/orders"),
}


def default_next(request: Request, role: str | None = None) -> str:
    """The page a user lands on after signing in when no page asked for it: their portal
    (training centres, employers), else the review console."""
    service, path = HOME_OF_ROLE.get(role or "", ("matching", "/console/orders"))
    return identity_settings(request).web_urls[service] + path


def csrf_passes(request: Request, form_token: str | None) -> bool:
    return browser_session.csrf_passes(request, form_token, allowed_origins(request))


def render(
    request: Request,
    template: str,
    principal: Principal | None = None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    return PAGES.render(request, template, principal, status_code=status_code, **context)


def gettext(request: Request) -> Any:
    """The reader's gettext, for messages made in Python."""
    return PAGES.translations(language_of(request)).gettext


def refused_form(request: Request, template: str = "message.html", **context: Any) -> HTMLResponse:
    """A form that failed the CSRF check: 403, and what to do about it."""
    text = gettext(request)(FORM_EXPIRED)
    return render(
        request,
        template,
        status_code=status.HTTP_403_FORBIDDEN,
        messages=[("error", text)],
        **context,
    )


class SignInRequired(Exception):  # noqa: N818 (a redirect, not an error)
    """No valid session on an identity page: renew it, or sign in."""


def page_principal(request: Request, uow: UowDep, identity: IdentityDep) -> Principal:
    """The signed-in user of an identity page; identity also checks they are still active and
    still hold the role (its own tokens, its own database)."""
    token = browser_session.access_token(request)
    if token is None:
        raise SignInRequired
    try:
        return callers.principal_of(uow, identity, token)
    except TokenRejectedError:
        raise SignInRequired from None


PagePrincipal = Annotated[Principal, Depends(page_principal)]


def session_principal(request: Request) -> Principal | None:
    """`page_principal` for pages outside identity's own (the shared dead-letter page): the
    session checked against identity's key ring and users, read from its database, never its
    own JWKS over HTTP; None without a valid one."""
    token = browser_session.access_token(request)
    if token is None:
        return None
    try:
        return callers.principal_of(runtime_of(request).uow(), identity_of(request), token)
    except TokenRejectedError:
        return None


async def to_sign_in(request: Request, _error: Exception) -> Response:
    here = own_url(request) + request.url.path
    target = "/session/refresh?" + urlencode({"next": here})
    if request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
