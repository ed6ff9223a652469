"""Schemathesis over every service's OpenAPI document, with a token per role: no generated input
may give a 5xx, a status the document does not declare, a content type it does not declare, or a
body that breaks the declared schema. Examples are bounded (and derandomised) so the suite fits
CI; every operation of every service is exercised."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import auth
from kakehashi.candidates.bootstrap import SPEC as CANDIDATES
from kakehashi.employers.bootstrap import SPEC as EMPLOYERS
from kakehashi.identity.bootstrap import SPEC as IDENTITY
from kakehashi.matching.bootstrap import SPEC as MATCHING
from kakehashi.shared.runtime import ServiceSpec

pytestmark = pytest.mark.integration

EXAMPLES = 6
ROLES = {
    "training_centre": auth("training_centre", "tc-fuzz"),
    "employer": auth("employer", "emp-fuzz"),
    "program_manager": auth("program_manager", "pm-fuzz"),
    "admin": auth("admin", "hq"),
}
CHECKS = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
)


# Readiness answers 503 while the broker is down (as it is here): that is its declared job.
READINESS = "GET /health/ready"


def _fuzz(operation: Any) -> None:
    checks = CHECKS[1:] if operation.label == READINESS else CHECKS

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def every_role(case: Any) -> None:
        for headers in ROLES.values():
            case.call_and_validate(headers=headers, checks=checks)

    every_role()


@pytest.mark.timeout(900)  # every operation of a service, each with a few examples per role
@pytest.mark.parametrize(
    "spec", [CANDIDATES, EMPLOYERS, MATCHING, IDENTITY], ids=lambda spec: spec.name
)
def test_no_operation_breaks_its_contract(
    service_client: Callable[..., TestClient], spec: ServiceSpec
) -> None:
    secret = {"key_encryption_secret": "k" * 40} if spec is IDENTITY else {}
    app = service_client(spec, **secret).app
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert operations
    for operation in operations:
        try:
            _fuzz(operation)
        except (Exception, BaseExceptionGroup) as error:  # every operation tried, all reported
            failures.append(f"{operation.label}: {str(error)[:1500]}")
    assert not failures, "\n\n".join(failures)
