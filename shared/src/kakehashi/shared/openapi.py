"""The OpenAPI document says which errors each route really answers with.

FastAPI declares only the 422 of request validation and what a route names itself. Every route
here can also answer as the shared plumbing makes it: 401/403 where it takes a bearer token
(and 503 while the issuer's keys cannot be fetched), 404 where its path names a resource, 413
and 422 where it reads a body, 429 for writes when the write limit is on. Each is declared with
the one error shape, `{"detail": ...}`.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

ERROR = {
    "title": "Error",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "object"}},
                {"type": "object"},
            ]
        }
    },
}
DESCRIPTIONS = {
    "401": "no valid bearer token",
    "403": "the caller's role may not do this",
    "404": "not found, or not the caller's organisation's",
    "413": "the request body is larger than allowed",
    "422": "invalid input: each error names its field and the reason",
    "429": "too many requests; see Retry-After",
    "503": "the token issuer's keys are unavailable; see Retry-After",
}
WRITES = {"post", "put", "patch", "delete"}


def errors_of(method: str, path: str, operation: dict[str, Any], writes_limited: bool) -> list[str]:
    """The error statuses the shared plumbing may give this operation."""
    codes: list[str] = []
    if operation.get("security"):
        codes += ["401", "403", "503"]
    if "{" in path:
        codes.append("404")
    if "requestBody" in operation or operation.get("parameters"):
        codes.append("422")
    if "requestBody" in operation:
        codes.append("413")
    if method in WRITES and writes_limited:
        codes.append("429")
    return codes


def declare_errors(app: FastAPI, writes_limited: bool) -> None:
    """Make `app.openapi()` declare the shared error responses on every operation."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
        reference = {"$ref": "#/components/schemas/Error"}
        for path, item in schema.get("paths", {}).items():
            for method, operation in item.items():
                responses = operation.setdefault("responses", {})
                for code in errors_of(method, path, operation, writes_limited):
                    declared = responses.setdefault(code, {})
                    declared.setdefault("description", DESCRIPTIONS[code])
                    content = declared.setdefault("content", {})
                    if not content.get("application/json", {}).get("schema"):
                        content["application/json"] = {"schema": reference}
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
