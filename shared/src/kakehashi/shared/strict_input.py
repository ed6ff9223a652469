"""What every service refuses before a route sees it: oversized bodies and JSON that Python would
parse but nothing downstream can hold.

- A body over the limit is a 413 as soon as its declared length (or the bytes read so far) says
  so; the body is never read whole first. Upload routes name a larger limit by path prefix.
- JSON bodies are parsed strictly: `NaN`, `Infinity` and `-Infinity` (not JSON, though Python's
  `json` accepts them) and lone UTF-16 surrogates (`"\\ud800"`, which no UTF-8 column, file or
  event can hold) are a 422 naming the body and the reason.
- A 422 quotes at most a short excerpt of what was sent: a 20 MB body never comes back.

This is a pure ASGI middleware (it sees the raw body once and replays it to the app), so the
check costs one extra parse of small bodies and nothing for streamed uploads.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

EXCERPT_CHARS = 80
DEFAULT_BODY_LIMIT = 1024 * 1024  # 1 MiB: the largest candidate profile is a few KiB


class InvalidJsonError(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise InvalidJsonError(f"{name} is not a JSON number")


def _check_strings(value: Any) -> None:
    """Every string (keys too) must be encodable as UTF-8: a lone surrogate is not."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as error:
                bad = item[error.start]
                raise InvalidJsonError(
                    f"a lone UTF-16 surrogate (U+{ord(bad):04X}) is not a character"
                ) from None
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def check_json(body: bytes) -> None:
    """Raise InvalidJsonError when `body` is JSON only by Python's lenient reading. Malformed JSON is
    left to FastAPI, which already answers it with a 422 `json_invalid`."""
    try:
        parsed = json.loads(body, parse_constant=_refuse_constant)
    except InvalidJsonError:
        raise
    except ValueError:
        return
    _check_strings(parsed)


def excerpt(value: Any) -> Any:
    """`value` as a 4xx body may quote it: strings cut to a short excerpt, containers elided."""
    if isinstance(value, str):
        return value if len(value) <= EXCERPT_CHARS else value[:EXCERPT_CHARS] + "…"
    if isinstance(value, (dict, list)):
        text = json.dumps(jsonable_encoder(value), ensure_ascii=False)
        return value if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "…"
    return value


async def validation_error(_request: Request, error: Exception) -> JSONResponse:
    """FastAPI's 422 for invalid requests, with each error's `input` cut to an excerpt."""
    assert isinstance(error, RequestValidationError)
    details = []
    for item in error.errors():
        shown = dict(item)
        if "input" in shown:
            shown["input"] = excerpt(shown["input"])
        shown.pop("url", None)
        details.append(shown)
    return JSONResponse({"detail": jsonable_encoder(details)}, status_code=422)


def _answer(status: int, field: str, message: str, kind: str) -> JSONResponse:
    detail = [{"loc": ["body"] if field == "body" else [field], "msg": message, "type": kind}]
    return JSONResponse({"detail": detail}, status_code=status)


class StrictInputMiddleware:
    """Body size limits and strict JSON for every route of an app (see the module docstring)."""

    def __init__(
        self,
        app: ASGIApp,
        default_limit: int = DEFAULT_BODY_LIMIT,
        limits: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.default_limit = default_limit
        self.limits = sorted((limits or {}).items(), key=lambda item: -len(item[0]))

    def limit_for(self, path: str) -> int:
        for prefix, limit in self.limits:
            if path.startswith(prefix):
                return limit
        return self.default_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        headers = dict(_lower(scope.get("headers", [])))
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(limit)(scope, receive, send)
            return
        if not headers.get("content-type", "").startswith("application/json"):
            await self.app(scope, _counting(receive, limit), send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, _replay([message]), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _too_large(limit)(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        try:
            check_json(body)
        except InvalidJsonError as error:
            await _answer(422, "body", str(error), "json_invalid")(scope, receive, send)
            return
        await self.app(scope, _replay([{"type": "http.request", "body": body}]), send)


class BodyTooLarge(Exception):  # noqa: N818 (an answer, raised mid-stream)
    pass


def _too_large(limit: int) -> JSONResponse:
    return _answer(
        413, "body", f"the request body is larger than the {limit:,} bytes allowed", "too_large"
    )


def _lower(headers: Iterable[tuple[bytes, bytes]]) -> Iterable[tuple[str, str]]:
    for name, value in headers:
        yield name.decode("latin-1").lower(), value.decode("latin-1")


def _replay(messages: list[Message]) -> Receive:
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        return {"type": "http.disconnect"}

    return receive


def _counting(receive: Receive, limit: int) -> Receive:
    """Pass the body through, refusing once more than `limit` bytes have arrived (a body sent
    without a Content-Length, chunked)."""
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(f"the request body is larger than the {limit:,} bytes allowed")
        return message

    return counted
