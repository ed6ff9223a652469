"""Who is signed in to the portal: the single sign-on session of the UI kit.

Identity signs people in and sets the `kakehashi_session` cookie (a short-lived access token)
for the whole host; the portal verifies it with the service's token verifier, as the API
verifies a bearer token, so the same roles and ownership rules apply (a centre sees its own
candidates, an admin every centre's). A visitor without a valid one is sent to identity's
`/session/refresh` with `next`. Program managers and employers get a page saying where their
work is. Every form is a POST checked for CSRF by the kit's two checks (`csrf_passes`).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Request, status
from fastapi.responses import RedirectResponse, Response

from kakehashi.candidates.entrypoints.portal.rendering import csrf_passes, render
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.ui import browser_session, navigation
from kakehashi.shared.web import settings_of

PORTAL_ROLES = frozenset({Role.TRAINING_CENTRE, Role.ADMIN})


class SignInRequired(Exception):  # noqa: N818 (a redirect, not an error)
    """No valid session: the page answers with a redirect to sign in."""


class NotForThisRole(Exception):  # noqa: N818 (a page that says where to go instead)
    """A signed-in user whose work is elsewhere (or who may not do this here)."""

    def __init__(self, principal: Principal, what: str = "portal") -> None:
        super().__init__(f"the training-centre portal's {what} is not for {principal.role.value}")
        self.principal = principal
        self.what = what


class CsrfRefused(Exception):  # noqa: N818 (a refused form, answered with a page)
    """A form that did not pass the CSRF checks."""


def signed_in(request: Request) -> Principal:
    principal = browser_session.principal_of(request)
    if principal is None:
        raise SignInRequired
    return principal


async def portal_user(principal: Annotated[Principal, Depends(signed_in)]) -> Principal:
    """Training centres (their own candidates) and admins (every centre's) use the portal."""
    if principal.role not in PORTAL_ROLES:
        raise NotForThisRole(principal)
    return principal


async def centre(principal: Annotated[Principal, Depends(portal_user)]) -> Principal:
    """Registering, editing and importing are a training centre's own work."""
    if principal.role is not Role.TRAINING_CENTRE:
        raise NotForThisRole(principal, "registration")
    return principal


PortalUser = Annotated[Principal, Depends(portal_user)]
Centre = Annotated[Principal, Depends(centre)]


def check_csrf(request: Request, form_token: object) -> None:
    """Raise CsrfRefused unless the form passes the kit's checks (origin and token)."""
    if not csrf_passes(request, form_token):
        raise CsrfRefused


def sign_in_redirect(request: Request) -> str:
    """Identity's refresh route, with this page (for htmx: the page it was sent from) as
    `next`, absolute so identity can come back to this service's host and port."""
    settings = settings_of(request)
    here = settings.web_urls["candidates"] + request.url.path
    if request.url.query:
        here += "?" + request.url.query
    current = request.headers.get("hx-current-url") or here
    return navigation.refresh_url(settings) + "?" + urlencode({"next": current})


async def to_sign_in(request: Request, _error: Exception) -> Response:
    target = sign_in_redirect(request)
    if request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)


async def not_for_this_role(request: Request, error: Exception) -> Response:
    """A 403 that is a page in the portal's layout saying where the user's work is."""
    assert isinstance(error, NotForThisRole)
    if request.headers.get("hx-request") == "true":
        return Response(str(error), status_code=status.HTTP_403_FORBIDDEN)
    urls = settings_of(request).web_urls
    return render(
        request,
        "not_for_this_role.html",
        error.principal,
        status_code=status.HTTP_403_FORBIDDEN,
        what=error.what,
        console_url=urls["matching"] + "/console/orders",
        employer_url=urls["employers"] + navigation.PORTALS["employers"],
        portal_url=urls["candidates"] + navigation.PORTALS["candidates"],
    )


async def csrf_refused(request: Request, _error: Exception) -> Response:
    """403 with a page that says why, in the reader's language (reloading the form fixes it)."""
    return render(request, "csrf_refused.html", None, status_code=status.HTTP_403_FORBIDDEN)
