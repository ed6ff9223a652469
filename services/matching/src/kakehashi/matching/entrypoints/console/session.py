"""Who is signed in to the console: the single sign-on session of the UI kit.

Identity signs people in and sets the `kakehashi_session` cookie (a short-lived access token,
HttpOnly, SameSite=Lax) for the whole host; every page verifies it with the service's token
verifier, as the API verifies a bearer token, so the same roles and ownership rules apply. A
visitor without a valid one is sent to identity's `/session/refresh` with `next`: identity
renews the token from its browser session, or asks them to sign in. Signing out is identity's.

Changes are POSTs that htmx sends with its `HX-Request` header, which a cross-site form cannot
add. In development only, the console keeps its own sign-in (paste a token, or a demo button
signed with the development key) for trying it without identity.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kakehashi.matching.entrypoints.console.i18n import LANGUAGES
from kakehashi.matching.entrypoints.console.rendering import PREFIX, remember_language, render
from kakehashi.shared.auth import (
    InvalidTokenError,
    Principal,
    Role,
    TokenVerifier,
)
from kakehashi.shared.jwks import DEVELOPMENT_KID
from kakehashi.shared.settings import ServiceSettings
from kakehashi.shared.signing import SigningKey, issue_token
from kakehashi.shared.ui import browser_session, navigation
from kakehashi.shared.ui.browser_session import SESSION_COOKIE
from kakehashi.shared.web import settings_of, verifier_of

__all__ = ["SESSION_COOKIE", "Decider", "Manager", "Reviewer", "htmx_only", "router"]

router = APIRouter(prefix=PREFIX, include_in_schema=False)
DEV_SESSION = timedelta(hours=8)


class SignInRequired(Exception):  # noqa: N818 (a redirect, not an error)
    """No valid session: the page answers with a redirect to sign in."""


class NotForThisRole(Exception):  # noqa: N818 (a page that says where to go instead)
    """A signed-in training centre reached the console: the page says where its work is."""

    def __init__(self, principal: Principal) -> None:
        super().__init__("the review console is not for centres")
        self.principal = principal


def signed_in(request: Request) -> Principal:
    """The cookie's principal. The one synchronous guard here (verifying may fetch the issuer's
    keys); the others are coroutines, as each synchronous dependency is a hand-off to a pool
    thread and back."""
    principal = browser_session.principal_of(request)
    if principal is None:
        raise SignInRequired
    return principal


async def reviewer(principal: Annotated[Principal, Depends(signed_in)]) -> Principal:
    """Program managers, admins and employers use the console; training centres do not."""
    if principal.role is Role.TRAINING_CENTRE:
        raise NotForThisRole(principal)
    return principal


async def manager(principal: Annotated[Principal, Depends(reviewer)]) -> Principal:
    if not principal.sees_everything:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "for program managers and admins")
    return principal


async def decider(principal: Annotated[Principal, Depends(reviewer)]) -> Principal:
    if principal.role is not Role.PROGRAM_MANAGER:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only program managers decide")
    return principal


async def htmx_only(request: Request) -> None:
    """Changes come from the console's own script; a cross-site form cannot set this header."""
    if request.headers.get("hx-request") != "true":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "changes are made from the console")


Reviewer = Annotated[Principal, Depends(reviewer)]
Manager = Annotated[Principal, Depends(manager)]
Decider = Annotated[Principal, Depends(decider)]


async def _development(request: Request) -> ServiceSettings:
    """The settings, in development only: the console's own sign-in is 404 anywhere else."""
    settings = settings_of(request)
    if settings.environment != "development":
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return settings


Development = Annotated[ServiceSettings, Depends(_development)]


def _start_session(request: Request, token: str, next_page: str) -> Response:
    target = next_page if next_page.startswith(PREFIX + "/") else PREFIX + "/orders"
    response = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
    browser_session.set_access_cookie(request, response, token, int(DEV_SESSION.total_seconds()))
    return response


def _demo_key(settings: ServiceSettings) -> SigningKey | None:
    """The development key the demo sign-in signs with: in development, when `kakehashi dev`
    handed it over (it ships in devtools only)."""
    if settings.environment != "development" or settings.auth_dev_signing_key_file is None:
        return None
    return SigningKey.from_pem(settings.auth_dev_signing_key_file.read_bytes(), DEVELOPMENT_KID)


def _sign_in_page(
    request: Request, settings: ServiceSettings, next_page: str, status_code: int = 200
) -> HTMLResponse:
    return render(
        request,
        "sign_in.html",
        None,
        status_code=status_code,
        demo=_demo_key(settings) is not None,
        error=status_code != 200,
        next_page=next_page,
        identity_sign_in=navigation.sign_in_url(settings),
    )


@router.get("/sign-in")
def sign_in_page(request: Request, settings: Development, next: str = "") -> HTMLResponse:
    """Development only: sign in with a pasted token or as a demo user."""
    return _sign_in_page(request, settings, next)


@router.post("/sign-in")
def sign_in(
    request: Request,
    settings: Development,
    token: Annotated[str, Form(max_length=4000)],
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    verifier: TokenVerifier = verifier_of(request)
    try:
        verifier.verify(token.strip())
    except InvalidTokenError:
        return _sign_in_page(request, settings, next, status.HTTP_401_UNAUTHORIZED)
    return _start_session(request, token.strip(), next)


@router.post("/demo-sign-in")
def demo_sign_in(
    request: Request,
    settings: Development,
    role: Annotated[Role, Form()],
    organisation_id: Annotated[str, Form(min_length=1, max_length=100)],
) -> Response:
    """Development only: sign in as any role without a token, to try the console locally."""
    key = _demo_key(settings)
    if key is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    principal = Principal(
        subject=f"demo@{organisation_id}", role=role, organisation_id=organisation_id
    )
    token = issue_token(key, principal, issuer=settings.auth_issuer, ttl=DEV_SESSION)
    return _start_session(request, token, "")


@router.get("/language/{language}")
def switch_language(language: str, next: str = PREFIX + "/orders") -> Response:
    if language not in LANGUAGES:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    target = next if next.startswith(PREFIX + "/") else PREFIX + "/orders"  # no open redirect
    response = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
    remember_language(response, language)
    return response


def sign_in_redirect(request: Request) -> str:
    """Identity's refresh route, with this page (for htmx: the page it was sent from) as
    `next`, absolute so identity can come back to this service's host and port."""
    settings = settings_of(request)
    here = settings.web_urls["matching"] + request.url.path
    if request.url.query:
        here += "?" + request.url.query
    current = request.headers.get("hx-current-url") or here
    return navigation.refresh_url(settings) + "?" + urlencode({"next": current})


async def not_for_this_role(request: Request, error: Exception) -> Response:
    """A 403 that is a page in the console's layout (with sign-out), not a bare JSON body."""
    assert isinstance(error, NotForThisRole)
    if request.headers.get("hx-request") == "true":
        return Response(str(error), status_code=status.HTTP_403_FORBIDDEN)
    candidates_api = settings_of(request).web_urls["candidates"] + navigation.PORTALS["candidates"]
    return render(
        request,
        "not_for_this_role.html",
        error.principal,
        status_code=status.HTTP_403_FORBIDDEN,
        candidates_api=candidates_api,
    )


async def to_sign_in(request: Request, _error: Exception) -> Response:
    target = sign_in_redirect(request)
    if request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
