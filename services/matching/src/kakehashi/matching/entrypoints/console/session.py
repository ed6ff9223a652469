"""Who is signed in to the console, and signing in and out.

Signing in stores the bearer token in an HttpOnly, SameSite=Strict cookie; every page decodes it
as the API does, so the same roles and ownership rules apply. Changes are POSTs that htmx sends
with its `HX-Request` header, which a cross-site form cannot add.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kakehashi.matching.entrypoints.console.i18n import LANGUAGES
from kakehashi.matching.entrypoints.console.rendering import PREFIX, remember_language, render
from kakehashi.shared.auth import InvalidTokenError, Principal, Role, TokenVerifier
from kakehashi.shared.jwks import DEVELOPMENT_KID
from kakehashi.shared.settings import ServiceSettings
from kakehashi.shared.signing import SigningKey, issue_token
from kakehashi.shared.web import settings_of, verifier_of

SESSION_COOKIE = "kakehashi_session"
router = APIRouter(prefix=PREFIX, include_in_schema=False)


class SignInRequired(Exception):  # noqa: N818 (a redirect, not an error)
    """No valid session: the page answers with a redirect to sign in."""


def signed_in(request: Request) -> Principal:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise SignInRequired
    try:
        return verifier_of(request).verify(token)
    except InvalidTokenError:
        raise SignInRequired from None


def reviewer(principal: Annotated[Principal, Depends(signed_in)]) -> Principal:
    """Program managers, admins and employers use the console; training centres do not."""
    if principal.role is Role.TRAINING_CENTRE:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "the review console is not for centres")
    return principal


def manager(principal: Annotated[Principal, Depends(reviewer)]) -> Principal:
    if not principal.sees_everything:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "for program managers and admins")
    return principal


def decider(principal: Annotated[Principal, Depends(reviewer)]) -> Principal:
    if principal.role is not Role.PROGRAM_MANAGER:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only program managers decide")
    return principal


def htmx_only(request: Request) -> None:
    """Changes come from the console's own script; a cross-site form cannot set this header."""
    if request.headers.get("hx-request") != "true":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "changes are made from the console")


Reviewer = Annotated[Principal, Depends(reviewer)]
Manager = Annotated[Principal, Depends(manager)]
Decider = Annotated[Principal, Depends(decider)]


def _start_session(request: Request, token: str, next_page: str) -> Response:
    target = next_page if next_page.startswith(PREFIX + "/") else PREFIX + "/orders"
    response = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
    settings = settings_of(request)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=settings.environment not in ("development", "test"),
        max_age=8 * 3600,
    )
    return response


def _demo_key(settings: ServiceSettings) -> SigningKey | None:
    """The development key the demo sign-in signs with: in development, when `kakehashi dev`
    handed it over (it ships in devtools only)."""
    if settings.environment != "development" or settings.auth_dev_signing_key_file is None:
        return None
    return SigningKey.from_pem(settings.auth_dev_signing_key_file.read_bytes(), DEVELOPMENT_KID)


@router.get("/sign-in")
def sign_in_page(request: Request, next: str = "") -> HTMLResponse:
    demo = _demo_key(settings_of(request)) is not None
    return render(request, "sign_in.html", None, demo=demo, error=None, next_page=next)


@router.post("/sign-in")
def sign_in(
    request: Request,
    token: Annotated[str, Form(max_length=4000)],
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    verifier: TokenVerifier = verifier_of(request)
    try:
        verifier.verify(token.strip())
    except InvalidTokenError:
        demo = _demo_key(settings_of(request)) is not None
        return render(
            request,
            "sign_in.html",
            None,
            status_code=status.HTTP_401_UNAUTHORIZED,
            demo=demo,
            error=True,
            next_page=next,
        )
    return _start_session(request, token.strip(), next)


@router.post("/demo-sign-in")
def demo_sign_in(
    request: Request,
    role: Annotated[Role, Form()],
    organisation_id: Annotated[str, Form(min_length=1, max_length=100)],
) -> Response:
    """Development only: sign in as any role without a token, to try the console locally."""
    settings = settings_of(request)
    key = _demo_key(settings)
    if key is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    principal = Principal(
        subject=f"demo@{organisation_id}", role=role, organisation_id=organisation_id
    )
    token = issue_token(key, principal, issuer=settings.auth_issuer, ttl=timedelta(hours=8))
    return _start_session(request, token, "")


@router.post("/sign-out")
def sign_out() -> Response:
    response = RedirectResponse(PREFIX + "/sign-in", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/language/{language}")
def switch_language(language: str, next: str = PREFIX + "/orders") -> Response:
    if language not in LANGUAGES:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    target = next if next.startswith(PREFIX + "/") else PREFIX + "/orders"  # no open redirect
    response = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
    remember_language(response, language)
    return response


async def to_sign_in(request: Request, _error: Exception) -> Response:
    target = PREFIX + "/sign-in?next=" + quote(request.url.path)
    if request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
