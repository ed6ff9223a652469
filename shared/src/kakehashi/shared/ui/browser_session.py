"""The browser's single sign-on: its cookies, the CSRF check and where a `next` may lead.

Two cookies, both HttpOnly and SameSite=Lax, Secure when the page is served over TLS:

- `kakehashi_session` (Path=/) holds a short-lived access token that identity signed. Every
  service's pages verify it with the shared verifier, as their APIs verify a bearer token.
  Cookies belong to a host, not a port, so on `make dev` ports all services read it.
- `kakehashi_refresh` (Path=/session) holds an opaque browser-session id that only identity's
  `/session/...` routes receive; identity keeps the session (revocable) and exchanges it for a
  fresh access token when the short one has lapsed.

CSRF: every state-changing form is checked twice. The Origin header (else the Referer's origin)
must be one of our services' origins, and the form's `csrf_token` must equal the
`kakehashi_csrf` cookie (a double-submit token). SameSite=Lax already keeps the session cookies
off cross-site POSTs; the two checks also cover login CSRF, where no session exists yet.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit

from fastapi import HTTPException, Request, status
from fastapi.responses import Response

from kakehashi.shared.auth import InvalidTokenError, Principal, TokenKeysUnavailableError
from kakehashi.shared.web import verifier_of

SESSION_COOKIE = "kakehashi_session"
REFRESH_COOKIE = "kakehashi_refresh"
REFRESH_PATH = "/session"
CSRF_COOKIE = "kakehashi_csrf"
CSRF_FIELD = "csrf_token"
FLASH_COOKIE = "kakehashi_flash"
_TOKEN_LENGTH = 43  # secrets.token_urlsafe(32)


def served_over_tls(request: Request) -> bool:
    """True when the browser reached us over https (directly, or through a proxy that says so
    and that uvicorn trusts with --proxy-headers)."""
    return request.url.scheme == "https"


def principal_of(request: Request) -> Principal | None:
    """Who the browser's session names, or None without a valid one (the page sends the
    browser to sign in). While the issuer's keys cannot be fetched it is a 503: sending the
    browser to identity would only bring it back here."""
    token = access_token(request)
    if not token:
        return None
    try:
        return verifier_of(request).verify(token)
    except TokenKeysUnavailableError:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "the issuer's keys cannot be fetched; try again shortly",
            headers={"Retry-After": "30"},
        ) from None
    except InvalidTokenError:
        return None


def access_token(request: Request) -> str | None:
    """The access token of the browser's session, if it sent one."""
    return request.cookies.get(SESSION_COOKIE) or None


def set_access_cookie(request: Request, response: Response, token: str, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=served_over_tls(request),
    )


def set_refresh_cookie(request: Request, response: Response, session_id: str, max_age: int) -> None:
    response.set_cookie(
        REFRESH_COOKIE,
        session_id,
        max_age=max_age,
        path=REFRESH_PATH,
        httponly=True,
        samesite="lax",
        secure=served_over_tls(request),
    )


def clear_session_cookies(request: Request, response: Response) -> None:
    """Both session cookies gone (the browser drops them on this response)."""
    secure = served_over_tls(request)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure)
    response.delete_cookie(
        REFRESH_COOKIE, path=REFRESH_PATH, httponly=True, samesite="lax", secure=secure
    )


# CSRF --------------------------------------------------------------------------------------


def csrf_token(request: Request) -> str:
    """The browser's CSRF token, made (and remembered for `keep_csrf_cookie`) if it has none."""
    made: str | None = getattr(request.state, "csrf_token", None)
    if made is not None:
        return made
    sent = request.cookies.get(CSRF_COOKIE, "")
    token = sent if len(sent) == _TOKEN_LENGTH else secrets.token_urlsafe(32)
    request.state.csrf_token = token
    request.state.csrf_is_new = token != sent
    return token


def keep_csrf_cookie(request: Request, response: Response) -> None:
    """Set the CSRF cookie on `response` when this request made the token."""
    if getattr(request.state, "csrf_is_new", False):
        response.set_cookie(
            CSRF_COOKIE,
            request.state.csrf_token,
            path="/",
            httponly=True,
            samesite="lax",
            secure=served_over_tls(request),
        )


def origin_of(url: str) -> str | None:
    """`scheme://host[:port]` of an absolute http(s) URL, else None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def own_origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}".lower()


def request_origin_allowed(request: Request, allowed: Iterable[str]) -> bool:
    """The request's Origin (else its Referer's origin) is ours or one of `allowed`; a request
    that names neither is refused (browsers send Origin on every POST)."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        origin = origin_of(request.headers.get("referer", ""))
    if not origin:
        return False
    return origin.lower() in {own_origin(request), *(o.lower() for o in allowed)}


def csrf_passes(request: Request, form_token: str | None, allowed: Iterable[str]) -> bool:
    """Both checks: an allowed origin, and the form's token equal to the CSRF cookie."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not request_origin_allowed(request, allowed):
        return False
    if len(cookie) != _TOKEN_LENGTH or not form_token:
        return False
    return secrets.compare_digest(cookie.encode(), form_token.encode())


# Where to go next --------------------------------------------------------------------------


def safe_next(target: str | None, allowed_origins: Iterable[str], default: str) -> str:
    """`target` if it leads to one of our pages, else `default` (no open redirect).

    Ours: a path on this host (`/console/orders`, not `//evil.example` nor `/\\evil.example`),
    or an absolute http(s) URL whose origin is one of `allowed_origins`."""
    if not target or len(target) > 2000 or any(c in target for c in "\r\n\t\\"):
        return default
    if target.startswith("/") and not target.startswith("//"):
        return target
    origin = origin_of(target)
    if origin is not None and origin in {o.lower() for o in allowed_origins}:
        return target
    return default


def origins_of(urls: Iterable[str]) -> frozenset[str]:
    """The origins of the services' base URLs (relative ones, behind one proxy, add none)."""
    return frozenset(o for o in (origin_of(url) for url in urls) if o is not None)
