"""A request dependency runs synchronously only when it waits on something.

FastAPI runs each synchronous dependency in a pool thread and comes back, per request: a match
list once had seven such hand-offs for settings and objects the app already held, and under
concurrent lists they cost more than the work (docs/matching.md, "Lists side by side"). So a
dependency that waits on nothing is a coroutine, and the synchronous ones are listed here with
what they wait on: a new one must say why.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.testclient import TestClient

from kakehashi.candidates.bootstrap import SPEC as CANDIDATES
from kakehashi.employers.bootstrap import SPEC as EMPLOYERS
from kakehashi.identity.bootstrap import SPEC as IDENTITY
from kakehashi.matching.bootstrap import SPEC as MATCHING
from kakehashi.shared.runtime import ServiceSpec
from tests.test_hostile_input import _api_routes

# (module, name): what it waits on.
WAITING = {
    ("kakehashi.shared.guards", "authenticate"): "may fetch the token issuer's keys",
    ("kakehashi.shared.ui.dead_letter_pages", "signed_in"): "may fetch the issuer's keys",
    ("kakehashi.candidates.entrypoints.portal.session", "signed_in"): "may fetch the keys",
    ("kakehashi.employers.entrypoints.portal.session", "signed_in"): "may fetch the keys",
    ("kakehashi.matching.entrypoints.console.session", "signed_in"): "may fetch the keys",
    ("kakehashi.identity.entrypoints.callers", "authenticate"): "reads the user's row",
    ("kakehashi.identity.entrypoints.callers", "enrolling"): "reads the user or the link",
    ("kakehashi.identity.entrypoints.pages.rendering", "page_principal"): "reads the user's row",
}


def _synchronous(dependant: Dependant) -> Iterator[tuple[str, str]]:
    for sub in dependant.dependencies:
        call = sub.call
        if call is not None and not _is_coroutine(call):
            yield getattr(call, "__module__", ""), getattr(call, "__qualname__", repr(call))
        yield from _synchronous(sub)


def _is_coroutine(call: Callable[..., Any]) -> bool:
    """A coroutine function, or an object whose `__call__` is one (`HTTPBearer`)."""
    if inspect.isroutine(call):
        return inspect.iscoroutinefunction(call)
    return inspect.iscoroutinefunction(type(call).__call__)


@pytest.mark.parametrize(
    "spec", [CANDIDATES, EMPLOYERS, MATCHING, IDENTITY], ids=lambda spec: spec.name
)
def test_only_dependencies_that_wait_are_synchronous(
    service_client: Callable[..., TestClient], spec: ServiceSpec
) -> None:
    secret = {"key_encryption_secret": "k" * 40} if spec is IDENTITY else {}
    app = service_client(spec, **secret).app
    found = {
        (module, name): route.path
        for route in _api_routes(app.routes)  # type: ignore[attr-defined]
        for module, name in _synchronous(route.dependant)
    }
    assert found, "no synchronous dependency found: the walk over the routes is broken"
    assert {key: path for key, path in found.items() if key not in WAITING} == {}
