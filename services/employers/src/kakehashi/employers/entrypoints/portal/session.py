"""Who is signed in to the employer portal: the single sign-on session of the UI kit.

Identity signs people in and sets the `kakehashi_session` cookie (a short-lived access token)
for the whole host; every page verifies it with the service's token verifier, as the API
verifies a bearer token, so the same roles and organisation scoping apply. A visitor without a
valid one is sent to identity's `/session/refresh` with `next`; identity renews the token from
its browser session or asks them to sign in.

Employers use the portal for their own organisation's orders; admins may look at every order
and step in on its lifecycle. Program managers and training centres get a page saying where
their work is. Every POST carries the kit's CSRF token (`csrf_passes`).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Request, status
from fastapi.responses import RedirectResponse, Response

from kakehashi.employers.entrypoints.portal.rendering import render
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.ui import browser_session, navigation
from kakehashi.shared.web import settings_of

PORTAL_ROLES = frozenset({Role.EMPLOYER, Role.ADMIN})


class SignInRequired(Exception):  # noqa: N818 (a redirect, not an error)
    """No valid session: the page answers with a redirect to sign in."""


class NotForThisRole(Exception):  # noqa: N818 (a page that says where to go instead)
    """A signed-in user whose work is elsewhere (a program manager, a training centre)."""

    def __init__(self, principal: Principal) -> None:
        super().__init__("the employer portal is for employers")
        self.principal = principal


class FormExpired(Exception):  # noqa: N818 (a page that says what to do)
    """A POST whose CSRF check failed: it came from another site, or the form is stale."""


def signed_in(request: Request) -> Principal:
    principal = browser_session.principal_of(request)
    if principal is None:
        raise SignInRequired
    return principal


async def portal_user(principal: Annotated[Principal, Depends(signed_in)]) -> Principal:
    """Employers and admins use the portal."""
    if principal.role not in PORTAL_ROLES:
        raise NotForThisRole(principal)
    return principal


async def employer(principal: Annotated[Principal, Depends(portal_user)]) -> Principal:
    """Posting and editing are the employer's own: an admin has no organisation's orders."""
    if principal.role is not Role.EMPLOYER:
        raise NotForThisRole(principal)
    return principal


PortalUser = Annotated[Principal, Depends(portal_user)]
EmployerUser = Annotated[Principal, Depends(employer)]


def allowed_origins(request: Request) -> frozenset[str]:
    """Our services' origins: where a form may come from."""
    return browser_session.origins_of(settings_of(request).web_urls.values())


async def check_csrf(
    request: Request, _signed_in: Annotated[Principal, Depends(signed_in)]
) -> None:
    """Every POST of the portal: an allowed Origin and the double-submit token (checked once
    the session is: a signed-out browser is sent to sign in, not told its form expired)."""
    form = await request.form()
    token = form.get(browser_session.CSRF_FIELD)
    if not browser_session.csrf_passes(
        request, token if isinstance(token, str) else None, allowed_origins(request)
    ):
        raise FormExpired


def sign_in_redirect(request: Request) -> str:
    """Identity's refresh route, with this page (for htmx: the page it was sent from) as
    `next`, absolute so identity can come back to this service's host and port."""
    settings = settings_of(request)
    here = settings.web_urls["employers"] + request.url.path
    if request.url.query:
        here += "?" + request.url.query
    current = request.headers.get("hx-current-url") or here
    return navigation.refresh_url(settings) + "?" + urlencode({"next": current})


async def to_sign_in(request: Request, _error: Exception) -> Response:
    target = sign_in_redirect(request)
    if request.headers.get("hx-request") == "true":
        return Response(status_code=status.HTTP_204_NO_CONTENT, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)


async def not_for_this_role(request: Request, error: Exception) -> Response:
    """A 403 that is a page in the portal's layout (with sign-out and the user's own links)."""
    assert isinstance(error, NotForThisRole)
    if request.headers.get("hx-request") == "true":
        return Response(str(error), status_code=status.HTTP_403_FORBIDDEN)
    return render(
        request, "not_for_this_role.html", error.principal, status_code=status.HTTP_403_FORBIDDEN
    )


async def form_expired(request: Request, _error: Exception) -> Response:
    """403, and what to do about it."""
    if request.headers.get("hx-request") == "true":
        return Response("the form expired; reload the page", status_code=status.HTTP_403_FORBIDDEN)
    return render(request, "form_expired.html", None, status_code=status.HTTP_403_FORBIDDEN)
