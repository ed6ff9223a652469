"""The contract is honest: every moment a response carries is RFC 3339 with its offset."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import AfterValidator, BaseModel

from kakehashi.candidates.bootstrap import SPEC as CANDIDATES
from kakehashi.employers.bootstrap import SPEC as EMPLOYERS
from kakehashi.identity.bootstrap import SPEC as IDENTITY
from kakehashi.matching.bootstrap import SPEC as MATCHING
from kakehashi.shared.runtime import ServiceSpec
from tests.test_hostile_input import _api_routes


def _fields(model: type[BaseModel], seen: set[type]) -> Iterator[tuple[str, Any]]:
    if model in seen:
        return
    seen.add(model)
    for name, field in model.model_fields.items():
        yield f"{model.__name__}.{name}", field
        for inner in _types(field.annotation):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                yield from _fields(inner, seen)


def _types(annotation: Any) -> Iterator[Any]:
    yield annotation
    for argument in getattr(annotation, "__args__", ()):
        yield from _types(argument)


def _metadata(annotation: Any) -> Iterator[Any]:
    """Annotated metadata anywhere inside `annotation` (`Timestamp | None` keeps it inside)."""
    yield from getattr(annotation, "__metadata__", ())
    for argument in getattr(annotation, "__args__", ()):
        yield from _metadata(argument)


@pytest.mark.parametrize(
    "spec", [CANDIDATES, EMPLOYERS, MATCHING, IDENTITY], ids=lambda spec: spec.name
)
def test_every_response_moment_carries_its_offset(
    service_client: Callable[..., TestClient], spec: ServiceSpec
) -> None:
    secret = {"key_encryption_secret": "k" * 40} if spec is IDENTITY else {}
    app: Any = service_client(spec, **secret).app
    seen: set[type] = set()
    naive = []
    for route in _api_routes(app.routes):
        model = route.response_model
        for candidate in _types(model):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                for name, field in _fields(candidate, seen):
                    moments = datetime in set(_types(field.annotation))
                    metadata = [*field.metadata, *_metadata(field.annotation)]
                    offset = any(isinstance(m, AfterValidator) for m in metadata)
                    if moments and not offset:
                        naive.append(name)
    assert seen, "no response model found: the walk is broken"
    assert naive == []
