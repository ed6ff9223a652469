"""A refused console page (403) or a missing one (404) as a page in the console's layout, in the
reader's language, with a link to their own home, instead of FastAPI's JSON body in English.

Only browser page requests get the page: the API's routes and htmx's requests (whose refusals
the kit's script shows in its banner) keep the JSON answer."""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from kakehashi.matching.entrypoints.console import labels
from kakehashi.matching.entrypoints.console.rendering import PREFIX, render
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.ui import browser_session, navigation
from kakehashi.shared.web import settings_of

PAGE_ERRORS = frozenset(labels.ERROR_TITLES)


def is_page_request(request: Request) -> bool:
    """A browser opening one of the console's pages (not its static files, not htmx)."""
    path = request.url.path
    on_console = path == PREFIX or path.startswith(PREFIX + "/")
    return (
        on_console
        and not path.startswith(PREFIX + "/static/")
        and request.headers.get("hx-request") != "true"
    )


def home_of(request: Request, principal: Principal | None) -> str:
    """Where the reader's own work is: an employer's portal, a centre's, else the console."""
    urls = settings_of(request).web_urls
    if principal is not None and principal.role is Role.EMPLOYER:
        return urls["employers"] + navigation.PORTALS["employers"]
    if principal is not None and principal.role is Role.TRAINING_CENTRE:
        return urls["candidates"] + navigation.PORTALS["candidates"]
    return PREFIX + "/orders"


def _signed_in(request: Request) -> Principal | None:
    try:
        return browser_session.principal_of(request)
    except HTTPException:  # the issuer's keys are out of reach: the page names nobody
        return None


async def http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if error.status_code not in PAGE_ERRORS or not is_page_request(request):
        return await http_exception_handler(request, error)
    principal = _signed_in(request)
    detail = str(error.detail)
    return render(
        request,
        "error.html",
        principal,
        status_code=error.status_code,
        error_status=error.status_code,
        title=labels.ERROR_TITLES[error.status_code],
        explanation=labels.ERROR_DETAILS.get(detail, labels.ERROR_FALLBACKS[error.status_code]),
        home=home_of(request, principal),
    )
