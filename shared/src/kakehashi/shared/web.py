"""What every service's FastAPI app has: correlation ids, health endpoints, uniform errors."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kakehashi.shared.auth import TokenVerifier
from kakehashi.shared.errors import DomainError
from kakehashi.shared.metrics import CONTENT_TYPE, MetricsMiddleware, exposition, watch_readiness
from kakehashi.shared.net import ReadinessCheck
from kakehashi.shared.observability import (
    CORRELATION_HEADER,
    reset_correlation_id,
    set_correlation_id,
)
from kakehashi.shared.openapi import declare_errors
from kakehashi.shared.strict_input import (
    BodyTooLarge,
    StrictInputMiddleware,
    validation_error,
)
from kakehashi.shared.tracing import TracingMiddleware, note_correlation_id
from kakehashi.shared.tracing import enabled as tracing_enabled
from kakehashi.shared.unit_of_work import UnitOfWork
from kakehashi.shared.write_limits import WriteLimiter, WriteLimitMiddleware

if TYPE_CHECKING:
    from kakehashi.shared.runtime import Runtime
    from kakehashi.shared.settings import ServiceSettings


def attachment(
    content: bytes, media_type: str, filename: str, *, unicode_filename: str | None = None
) -> Response:
    """A file to download as `filename` (kept to ASCII letters, digits, `-`, `_` and `.`); with
    `unicode_filename`, the name clients that read RFC 5987 show instead (e.g. 求人票-….xlsx)."""
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in filename)
    disposition = f'attachment; filename="{safe}"'
    if unicode_filename is not None:
        disposition += f"; filename*=UTF-8''{quote(unicode_filename)}"
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition})


class HealthStatus(BaseModel):
    status: str
    checks: dict[str, str] = {}


def health_router(checks: dict[str, ReadinessCheck]) -> APIRouter:
    router = APIRouter(prefix="/health", tags=["health"])

    @router.get("/live")
    def live() -> HealthStatus:
        return HealthStatus(status="ok")

    @router.get("/ready", responses={503: {"model": HealthStatus}})
    def ready() -> JSONResponse:
        results: dict[str, str] = {}
        for name, check in checks.items():
            try:
                check()
                results[name] = "ok"
            except Exception as error:
                results[name] = f"unavailable: {error}"
        healthy = all(value == "ok" for value in results.values())
        body = HealthStatus(status="ok" if healthy else "unavailable", checks=results)
        code = status.HTTP_200_OK if healthy else status.HTTP_503_SERVICE_UNAVAILABLE
        return JSONResponse(body.model_dump(), status_code=code)

    return router


def runtime_of(request: Request) -> Runtime:
    """The runtime the app was built with: the one typed way routes reach settings and database."""
    runtime: Runtime = request.app.state.runtime
    return runtime


def settings_of(request: Request) -> ServiceSettings:
    """The service's settings (a route that needs its own subclass narrows this in its service)."""
    return runtime_of(request).settings


def verifier_of(request: Request) -> TokenVerifier:
    """The app's token verifier, built once from its settings (its key cache lives with it)."""
    verifier: TokenVerifier = request.app.state.token_verifier
    return verifier


async def get_uow(request: Request) -> UnitOfWork:
    """A fresh unit of work from the runtime the app was built with (a coroutine: it touches
    no database, so it needs no pool thread)."""
    return runtime_of(request).uow()


UowDep = Annotated[UnitOfWork, Depends(get_uow)]


async def _domain_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    detail = [{"loc": ["body", error.field], "msg": error.message, "type": "domain_rule"}]
    return JSONResponse({"detail": detail}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


class CorrelationMiddleware:
    """Take the caller's correlation id (or make one) for the request and echo it back.

    Plain ASGI, as is `SecurityHeadersMiddleware`: Starlette's `@app.middleware("http")` runs
    the rest of the app in another task and streams the answer through a queue, which cost
    about a tenth of a registration's CPU under load (py-spy)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation_id = Headers(scope=scope).get(CORRELATION_HEADER) or str(uuid.uuid4())

        async def echo(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[CORRELATION_HEADER] = correlation_id
            await send(message)

        token = set_correlation_id(correlation_id)
        note_correlation_id(correlation_id)  # on the request's span, when tracing
        try:
            await self.app(scope, receive, echo)
        finally:
            reset_correlation_id(token)


# Sent with every answer. The Referrer-Policy keeps paths and tokens in query strings (mailed
# links) from leaking to other sites while still naming our origin.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
HSTS = "max-age=31536000; includeSubDomains"


def content_security_policy(form_origins: Iterable[str]) -> str:
    """Pages run only our own scripts and styles (no inline script, no inline style: htmx and
    kakehashi.js are files), load nothing from elsewhere, cannot be framed (clickjacking), and
    post forms only to Kakehashi's services (`form_origins`: sign-out is identity's)."""
    forms = " ".join(["'self'", *sorted(form_origins)])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
        f"form-action {forms}; frame-ancestors 'none'"
    )


def page_headers(settings: ServiceSettings) -> dict[str, str]:
    origins = {origin for url in settings.web_urls.values() if (origin := _origin(url))}
    return {"X-Frame-Options": "DENY", "Content-Security-Policy": content_security_policy(origins)}


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


class SecurityHeadersMiddleware:
    """`SECURITY_HEADERS` on every answer, `page_headers` on HTML pages, HSTS over HTTPS; a
    header the route set itself is kept."""

    def __init__(self, app: ASGIApp, page_headers: Mapping[str, str]) -> None:
        self.app = app
        self.page_headers = dict(page_headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secure = scope.get("scheme") == "https"

        async def add_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if headers.get("content-type", "").startswith("text/html"):
                    for name, value in self.page_headers.items():
                        headers.setdefault(name, value)
                if secure:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, add_headers)


def metrics_route() -> Response:
    """Prometheus' scrape of this process (no token: it says nothing about people, and the
    reverse proxy does not route it; docs/operations.md). Sync, so readiness figures read at
    scrape time run in the thread pool, not on the event loop."""
    return Response(exposition(), media_type=CONTENT_TYPE)


async def _body_too_large(_request: Request, error: Exception) -> JSONResponse:
    detail = [{"loc": ["body"], "msg": str(error), "type": "too_large"}]
    return JSONResponse({"detail": detail}, status_code=status.HTTP_413_CONTENT_TOO_LARGE)


def create_service_app(
    runtime: Runtime,
    title: str,
    routers: list[APIRouter],
    *,
    body_limits: Mapping[str, int] | None = None,
) -> FastAPI:
    """A service's API: its routers plus correlation ids, health endpoints and domain 422s,
    strict JSON and a body limit (`settings.max_body_bytes`, or `body_limits` by path prefix for
    upload routes), 4xx answers that quote only an excerpt of the input.

    `/docs` and `/redoc` load Swagger UI and ReDoc from the package, not a CDN: they work offline."""
    app = FastAPIOffline(title=title, version="0.1.0")
    app.state.runtime = runtime
    app.state.token_verifier = TokenVerifier.from_settings(runtime.settings)
    app.state.page_headers = page_headers(runtime.settings)

    app.add_middleware(SecurityHeadersMiddleware, page_headers=app.state.page_headers)
    app.add_middleware(CorrelationMiddleware)
    app.add_middleware(
        StrictInputMiddleware,
        default_limit=runtime.settings.max_body_bytes,
        limits=dict(body_limits or {}),
    )
    if runtime.settings.write_rate:
        limiter = WriteLimiter(runtime.settings.write_rate, runtime.settings.write_burst)
        app.add_middleware(WriteLimitMiddleware, limiter=limiter)
    app.add_middleware(MetricsMiddleware)  # 413s and 429s are counted too
    if tracing_enabled():
        # Outermost: the request's span is current in every layer within, so the events a route
        # emits carry its trace context. Not there at all while tracing is off (the default).
        app.add_middleware(TracingMiddleware)
    checks = runtime.readiness_checks()
    watch_readiness(runtime.settings.service_name, checks)
    app.include_router(health_router(checks))
    app.add_api_route("/metrics", metrics_route, methods=["GET"], include_in_schema=False)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(BodyTooLarge, _body_too_large)
    for router in routers:
        app.include_router(router)
    declare_errors(app, writes_limited=bool(runtime.settings.write_rate))
    return app
