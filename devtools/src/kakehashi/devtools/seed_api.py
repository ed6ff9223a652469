"""The seed's view of a running system: the three public APIs, as the organisations that own data."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from kakehashi.shared.auth import Principal, Role, mint_token

T = TypeVar("T")
PROGRAM_MANAGER_ORG = "pm-office"


class SeedError(RuntimeError):
    """A service answered a seed request with an unexpected status, or never caught up."""


class Api:
    """Calls the candidates, employers and matching APIs with a token per (role, organisation)."""

    def __init__(self, urls: dict[str, str], secret: str, timeout_s: float = 30.0) -> None:
        self._clients = {
            name: httpx.Client(base_url=url, timeout=timeout_s) for name, url in urls.items()
        }
        self._secret = secret
        self._tokens: dict[tuple[Role, str], str] = {}

    def close(self) -> None:
        for client in self._clients.values():
            client.close()

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _headers(self, role: Role, organisation_id: str) -> dict[str, str]:
        key = (role, organisation_id)
        if key not in self._tokens:
            principal = Principal(
                subject=f"seed@{organisation_id}", role=role, organisation_id=organisation_id
            )
            self._tokens[key] = mint_token(principal, self._secret)
        return {"Authorization": f"Bearer {self._tokens[key]}"}

    def call(
        self,
        service: str,
        method: str,
        path: str,
        role: Role,
        organisation_id: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        accept: tuple[int, ...] = (),
    ) -> httpx.Response:
        """The response; SeedError unless it is a 2xx or one of `accept`."""
        response = self._clients[service].request(
            method, path, json=body, params=params, headers=self._headers(role, organisation_id)
        )
        if not response.is_success and response.status_code not in accept:
            raise SeedError(
                f"{method} {response.request.url} as {role.value} {organisation_id!r} failed with "
                f"{response.status_code}: {response.text[:500]}"
            )
        return response

    def as_manager(self, service: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A call as the seed's program manager, who reads and decides across organisations."""
        return self.call(service, method, path, Role.PROGRAM_MANAGER, PROGRAM_MANAGER_ORG, **kwargs)


def wait_for(what: str, probe: Callable[[], T | None], timeout_s: float) -> T:
    """Poll `probe` until it returns something; SeedError naming `what` after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = probe()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise SeedError(f"gave up after {timeout_s:.0f} s waiting for {what}")
        time.sleep(0.25)
