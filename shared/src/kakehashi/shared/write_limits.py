"""A rate limit on writes: one caller cannot flood a service with POST/PUT/PATCH/DELETE.

The caller is its bearer token (or, without one, its session cookie, else its address): each
gets `capacity` writes at once and `per_minute` more each minute (a token bucket), then a 429
with `Retry-After` in seconds. Reads are never limited here; sign-in has its own, stricter
throttle at identity. The buckets live in the API process (each replica counts its own), kept
to `max_callers` most recent callers so memory stays bounded.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from threading import Lock

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class _Bucket:
    tokens: float
    at: float


class WriteLimiter:
    """Token buckets per caller: `allow(key)` returns 0 when the write may go, else the
    seconds until it may."""

    def __init__(
        self,
        per_minute: int,
        capacity: int,
        max_callers: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = per_minute / 60.0
        self.capacity = capacity
        self.max_callers = max_callers
        self.clock = clock
        self.buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self.lock = Lock()

    def allow(self, key: str) -> int:
        now = self.clock()
        with self.lock:
            bucket = self.buckets.pop(key, None) or _Bucket(float(self.capacity), now)
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
            self.buckets[key] = bucket
            while len(self.buckets) > self.max_callers:
                self.buckets.popitem(last=False)
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0
            return max(1, math.ceil((1 - bucket.tokens) / self.rate))


def caller_key(scope: Scope) -> str:
    """Who is writing: a digest of its bearer token or session cookie, else its address."""
    headers = dict(scope.get("headers", []))
    credential = headers.get(b"authorization") or _session_cookie(headers.get(b"cookie", b""))
    if credential:
        return hashlib.sha256(credential).hexdigest()[:32]
    client = scope.get("client")
    return f"address:{client[0] if client else 'unknown'}"


def _session_cookie(cookies: bytes) -> bytes:
    for part in cookies.split(b";"):
        name, _, value = part.strip().partition(b"=")
        if name == b"kakehashi_session":
            return value
    return b""


class WriteLimitMiddleware:
    def __init__(self, app: ASGIApp, limiter: WriteLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in WRITES:
            wait = self.limiter.allow(caller_key(scope))
            if wait:
                detail = [
                    {
                        "loc": ["header", "authorization"],
                        "msg": f"too many changes in a short time; try again in {wait} s",
                        "type": "rate_limited",
                    }
                ]
                answer = JSONResponse(
                    {"detail": detail}, status_code=429, headers={"Retry-After": str(wait)}
                )
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)
