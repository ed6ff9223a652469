"""Post a generated demo market to running candidates and employers services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from kakehashi.devtools.demo_data import generate_market
from kakehashi.shared.auth import Principal, Role

Signer = Callable[[Principal], str]


@dataclass(frozen=True)
class SeedReport:
    """How many bodies were created, and for how many organisations."""

    candidates: int
    job_orders: int
    training_centres: int
    employers: int


class SeedError(RuntimeError):
    """A service answered a seed request with a non-2xx status."""


class _Tokens:
    """One bearer token per (role, organisation), minted on first use."""

    def __init__(self, sign: Signer) -> None:
        self._sign = sign
        self._cache: dict[tuple[Role, str], str] = {}

    def headers(self, role: Role, organisation_id: str) -> dict[str, str]:
        key = (role, organisation_id)
        if key not in self._cache:
            principal = Principal(
                subject=f"seed@{organisation_id}", role=role, organisation_id=organisation_id
            )
            self._cache[key] = self._sign(principal)
        return {"Authorization": f"Bearer {self._cache[key]}"}


def _post_all(
    client: httpx.Client,
    path: str,
    role: Role,
    items: list[tuple[str, dict[str, Any]]],
    tokens: _Tokens,
) -> set[str]:
    """POST each body as its organisation; the organisations used, or SeedError on a non-2xx."""
    organisations: set[str] = set()
    for organisation_id, body in items:
        response = client.post(path, json=body, headers=tokens.headers(role, organisation_id))
        if not response.is_success:
            raise SeedError(
                f"POST {response.request.url} as {role.value} {organisation_id!r} failed with "
                f"{response.status_code}: {response.text}"
            )
        organisations.add(organisation_id)
    return organisations


def seed(
    candidates_url: str,
    employers_url: str,
    sign: Signer,
    *,
    candidates: int,
    job_orders: int,
    seed: int,
) -> SeedReport:
    """Create a deterministic demo market through the public APIs, with tokens from `sign`;
    SeedError on any non-2xx."""
    market = generate_market(candidates, job_orders, seed=seed)
    tokens = _Tokens(sign)
    with httpx.Client(base_url=candidates_url, timeout=30.0) as client:
        centres = _post_all(client, "/candidates", Role.TRAINING_CENTRE, market.candidates, tokens)
    with httpx.Client(base_url=employers_url, timeout=30.0) as client:
        employers = _post_all(client, "/job-orders", Role.EMPLOYER, market.job_orders, tokens)
    return SeedReport(
        candidates=len(market.candidates),
        job_orders=len(market.job_orders),
        training_centres=len(centres),
        employers=len(employers),
    )
