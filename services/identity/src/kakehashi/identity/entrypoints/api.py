"""HTTP API of the identity service."""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

from kakehashi.identity.adapters.mail import Mailer
from kakehashi.identity.config import IdentitySettings
from kakehashi.identity.entrypoints import admin_api, pages, sign_in_api
from kakehashi.identity.service_layer.context import Identity
from kakehashi.identity.service_layer.errors import (
    ConflictError,
    LinkRefusedError,
    MailNotSentError,
    NotFoundError,
    SignInRefusedError,
)
from kakehashi.shared.runtime import Runtime
from kakehashi.shared.web import create_service_app


async def _refused(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, SignInRefusedError)
    body = {"detail": error.message, "code": error.code, "extra": error.extra}
    headers: dict[str, str] = {}
    if error.retry_after_s is not None:
        headers["Retry-After"] = str(error.retry_after_s)
    if error.status == status.HTTP_401_UNAUTHORIZED:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(body, status_code=error.status, headers=headers)


async def _not_found(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, NotFoundError)
    return JSONResponse({"detail": f"{error.what} not found"}, status.HTTP_404_NOT_FOUND)


async def _conflict(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ConflictError)
    return JSONResponse({"detail": error.message}, status.HTTP_409_CONFLICT)


async def _link_refused(_request: Request, _error: Exception) -> JSONResponse:
    body = {"detail": "the link is unknown, expired or already used"}
    return JSONResponse(body, status.HTTP_400_BAD_REQUEST)


async def _mail_not_sent(_request: Request, _error: Exception) -> JSONResponse:
    body = {"detail": "the mail could not be sent; nothing was saved, try again later"}
    return JSONResponse(body, status.HTTP_503_SERVICE_UNAVAILABLE)


def create_app(runtime: Runtime, mailer: Mailer | None = None) -> FastAPI:
    """The identity API bound to one runtime; `mailer` replaces SMTP (tests)."""
    settings = runtime.settings
    assert isinstance(settings, IdentitySettings)
    app = create_service_app(
        runtime,
        "Kakehashi identity",
        [sign_in_api.router, sign_in_api.well_known, admin_api.router],
    )
    app.state.identity = Identity.build(settings, mailer)
    app.add_exception_handler(SignInRefusedError, _refused)
    app.add_exception_handler(NotFoundError, _not_found)
    app.add_exception_handler(ConflictError, _conflict)
    app.add_exception_handler(LinkRefusedError, _link_refused)
    app.add_exception_handler(MailNotSentError, _mail_not_sent)
    pages.install(app)
    return app
