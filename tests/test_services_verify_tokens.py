"""Every service verifies every caller's token against the issuer's keys: each bad token (expired,
foreign issuer, wrong audience, alg=none, algorithm confusion, unknown key, ...) is 401, a good
one passes. One test over the three services that serve the product's data."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from conftest import auth, refused_tokens
from kakehashi.candidates.bootstrap import SPEC as CANDIDATES
from kakehashi.employers.bootstrap import SPEC as EMPLOYERS
from kakehashi.matching.bootstrap import SPEC as MATCHING
from kakehashi.shared.runtime import ServiceSpec


@pytest.mark.parametrize(
    ("spec", "route"),
    [(CANDIDATES, "/candidates"), (EMPLOYERS, "/job-orders"), (MATCHING, "/job-orders")],
    ids=["candidates", "employers", "matching"],
)
def test_every_bad_token_is_401_and_a_good_one_passes(
    service_client: Callable[..., TestClient], spec: ServiceSpec, route: str
) -> None:
    client = service_client(spec)
    statuses = {
        reason: client.get(route, headers={"Authorization": f"Bearer {token}"}).status_code
        for reason, token in refused_tokens("program_manager", "pm-office").items()
    }
    assert statuses == dict.fromkeys(statuses, 401)
    assert client.get(route, headers=auth("program_manager", "pm-office")).status_code == 200
