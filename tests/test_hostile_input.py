"""Hostile input gets a clear 4xx from every service, never a 5xx, and never an echo of itself:
NaN/Infinity and lone surrogates in JSON, oversized bodies, control characters in text, numbers
and booleans where dates and counts belong, implausible dates, huge offsets. Every JSON body of
route is a RequestModel, so the rules hold for fields no probe names (forms of the pages are
parsed by their routes, into the same request models where they carry data)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.params import Form
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel

from conftest import auth
from kakehashi.candidates.bootstrap import SPEC as CANDIDATES
from kakehashi.employers.bootstrap import SPEC as EMPLOYERS
from kakehashi.identity.bootstrap import SPEC as IDENTITY
from kakehashi.matching.bootstrap import SPEC as MATCHING
from kakehashi.shared.runtime import ServiceSpec
from kakehashi.shared.schemas import RequestModel

CENTRE = auth("training_centre", "tc-hostile")
EMPLOYER = auth("employer", "emp-hostile")
MANAGER = auth("program_manager", "pm-office")
CANDIDATE = {"full_name": "Nguyen Van An", "province": "Tây Ninh", "sector": "construction"}
ORDER = {"title": "溶接工", "track": "ssw1", "sector": "construction", "prefecture": "Aichi",
         "headcount": 2, "min_japanese_level": "N4"}  # fmt: skip
DECISIONS = {"decisions": [{"job_order_id": "o", "candidate_id": "c", "action": "propose"}]}
# (spec, route, headers, a valid body): one write route per service.
WRITES: dict[str, tuple[ServiceSpec, str, dict[str, str], dict[str, Any]]] = {
    "candidates": (CANDIDATES, "/candidates", CENTRE, CANDIDATE),
    "employers": (EMPLOYERS, "/job-orders", EMPLOYER, ORDER),
    "matching": (MATCHING, "/decisions/bulk", MANAGER, DECISIONS),
}


@pytest.fixture(params=list(WRITES))
def write(
    request: pytest.FixtureRequest, service_client: Callable[..., TestClient]
) -> tuple[TestClient, str, dict[str, str], dict[str, Any]]:
    spec, route, headers, body = WRITES[request.param]
    return service_client(spec), route, headers, body


def _post_raw(client: TestClient, route: str, headers: dict[str, str], raw: str) -> Any:
    return client.post(
        route, content=raw.encode(), headers={**headers, "Content-Type": "application/json"}
    )


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_json_numbers_are_422(write: Any, constant: str) -> None:
    client, route, headers, body = write
    raw = json.dumps(body)[:-1] + f', "x_number": {constant}}}'
    answer = _post_raw(client, route, headers, raw)
    assert answer.status_code == 422, answer.text
    assert "not a JSON number" in answer.json()["detail"][0]["msg"]


def test_a_lone_surrogate_is_422(write: Any) -> None:
    client, route, headers, body = write
    raw = json.dumps(body).replace('"}', '\\ud800"}', 1)
    answer = _post_raw(client, route, headers, raw)
    assert answer.status_code == 422, answer.text
    assert "surrogate" in answer.json()["detail"][0]["msg"]


def test_a_body_over_the_limit_is_413_and_not_echoed(write: Any) -> None:
    client, route, headers, body = write
    answer = _post_raw(client, route, headers, json.dumps({**body, "x": "A" * 2_000_000}))
    assert answer.status_code == 413, answer.text
    assert len(answer.content) < 500


def test_a_long_invalid_value_is_quoted_only_as_an_excerpt(write: Any) -> None:
    client, route, headers, body = write
    answer = client.post(route, json={**body, "unknown_field": "B" * 500_000}, headers=headers)
    assert answer.status_code == 422, answer.text
    assert len(answer.content) < 2_000
    assert answer.json()["detail"][0]["loc"][-1] == "unknown_field"


def test_control_characters_in_text_are_422_naming_the_field(
    service_client: Callable[..., TestClient],
) -> None:
    candidates = service_client(CANDIDATES)
    refused = candidates.post(
        "/candidates", json={**CANDIDATE, "full_name": "Nguyen\u0019An"}, headers=CENTRE
    )
    assert refused.status_code == 422, refused.text
    detail = refused.json()["detail"][0]
    assert detail["loc"][-1] == "full_name"
    assert "U+0019" in detail["msg"]


def test_control_characters_in_a_title_are_422_but_tabs_are_text(
    service_client: Callable[..., TestClient],
) -> None:
    employers = service_client(EMPLOYERS)
    refused = employers.post("/job-orders", json={**ORDER, "title": "Welder\x07"}, headers=EMPLOYER)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"][-1] == "title"
    kept = employers.post("/job-orders", json={**ORDER, "title": "Welder\tteam"}, headers=EMPLOYER)
    assert kept.status_code == 201, kept.text


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("date_of_birth", 0, "written as text"),
        ("date_of_birth", "0001-01-01", "implausible date"),
        ("available_from", "9999-12-31", "implausible date"),
        ("date_of_birth", True, "boolean"),
    ],
)
def test_dates_are_text_and_plausible(
    service_client: Callable[..., TestClient], field: str, value: object, reason: str
) -> None:
    answer = service_client(CANDIDATES).post(
        "/candidates", json={**CANDIDATE, field: value}, headers=CENTRE
    )
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"][0]
    assert detail["loc"][-1] == field
    assert reason in detail["msg"]


def test_counts_are_not_booleans(service_client: Callable[..., TestClient]) -> None:
    answer = service_client(EMPLOYERS).post(
        "/job-orders", json={**ORDER, "headcount": True}, headers=EMPLOYER
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"][-1] == "headcount"


@pytest.mark.parametrize(
    ("spec", "route", "headers"),
    [
        (CANDIDATES, "/candidates", CENTRE),
        (EMPLOYERS, "/job-orders", EMPLOYER),
        (MATCHING, "/job-orders", MANAGER),
    ],
    ids=["candidates", "employers", "matching"],
)
def test_a_huge_offset_is_422(
    service_client: Callable[..., TestClient],
    spec: ServiceSpec,
    route: str,
    headers: dict[str, str],
) -> None:
    answer = service_client(spec).get(route, params={"offset": 2**63}, headers=headers)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"] == ["query", "offset"]


def _models(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        for field in annotation.model_fields.values():
            yield from _models(field.annotation)
    for argument in getattr(annotation, "__args__", ()):
        yield from _models(argument)


def _api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    """Every APIRoute, through included routers (FastAPI keeps those as their own routers)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _api_routes(included.routes)


@pytest.mark.parametrize(
    "spec", [CANDIDATES, EMPLOYERS, MATCHING, IDENTITY], ids=lambda spec: spec.name
)
def test_every_json_body_is_a_request_model(
    service_client: Callable[..., TestClient], spec: ServiceSpec
) -> None:
    secret = {"key_encryption_secret": "k" * 40} if spec is IDENTITY else {}
    app: Any = service_client(spec, **secret).app
    bodies = [
        (route.path, model)
        for route in _api_routes(app.routes)
        if route.body_field is not None and not isinstance(route.body_field.field_info, Form)
        for model in _models(route.body_field.field_info.annotation)
    ]
    assert bodies, "no JSON body found: the walk is broken"
    lenient = [(path, model.__name__) for path, model in bodies
               if not issubclass(model, RequestModel)]  # fmt: skip
    assert lenient == []


def test_writes_beyond_the_rate_are_429_with_retry_after(
    service_client: Callable[..., TestClient],
) -> None:
    client = service_client(EMPLOYERS, writes_per_minute=6, write_burst=2)
    statuses = [
        client.post("/job-orders", json=ORDER, headers=EMPLOYER).status_code for _ in range(3)
    ]
    assert statuses == [201, 201, 429]
    refused = client.post("/job-orders", json=ORDER, headers=EMPLOYER)
    assert 1 <= int(refused.headers["Retry-After"]) <= 10
    assert client.get("/job-orders", headers=EMPLOYER).status_code == 200  # reads pass
    assert client.post("/job-orders", json=ORDER, headers=MANAGER).status_code != 429


def test_the_write_rate_is_on_in_production_unless_set() -> None:
    from kakehashi.shared.settings import ServiceSettings

    assert ServiceSettings(environment="development").write_rate == 0
    assert ServiceSettings(environment="test", writes_per_minute=30).write_rate == 30
    production = ServiceSettings.model_construct(environment="production", writes_per_minute=None)
    assert production.write_rate == 600
