"""The write limit: a burst, then a steady rate per caller; Retry-After says when to come back."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from kakehashi.shared.write_limits import WriteLimiter, WriteLimitMiddleware


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_the_steady_rate_per_caller() -> None:
    clock = Clock()
    limiter = WriteLimiter(per_minute=6, capacity=3, clock=clock)
    assert [limiter.allow("a") for _ in range(3)] == [0, 0, 0]
    assert limiter.allow("a") == 10  # one write per 10 s
    assert limiter.allow("b") == 0  # another caller has its own bucket
    clock.now = 10.0
    assert limiter.allow("a") == 0
    assert limiter.allow("a") > 0


def test_the_callers_kept_are_bounded() -> None:
    limiter = WriteLimiter(per_minute=60, capacity=1, max_callers=100)
    for caller in range(1_000):
        limiter.allow(str(caller))
    assert len(limiter.buckets) == 100


def test_writes_over_the_limit_are_429_with_retry_after_and_reads_pass() -> None:
    app = FastAPI()

    @app.post("/things")
    def create() -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/things")
    def read() -> dict[str, str]:
        return {"ok": "yes"}

    app.add_middleware(WriteLimitMiddleware, limiter=WriteLimiter(per_minute=60, capacity=2))
    client = TestClient(app)
    token = {"Authorization": "Bearer one"}
    assert [client.post("/things", headers=token).status_code for _ in range(2)] == [200, 200]
    refused = client.post("/things", headers=token)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "1"
    assert "too many changes" in refused.json()["detail"][0]["msg"]
    assert client.post("/things", headers={"Authorization": "Bearer two"}).status_code == 200
    assert client.get("/things", headers=token).status_code == 200
