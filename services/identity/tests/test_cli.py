"""`kakehashi-identity add-admin`: the first admin, made where nobody can invite them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kakehashi.identity.entrypoints.cli import app
from services.identity.tests.samples import KEY_ENCRYPTION_SECRET, sign_in

pytestmark = pytest.mark.integration


def test_add_admin_makes_an_admin_who_signs_in(
    database_url: str, make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {
        "DATABASE_URL": database_url,
        "ENVIRONMENT": "test",
        "JWT_SECRET": "identity-cli-test-secret-0123456789abcdef",
        "KEY_ENCRYPTION_SECRET": KEY_ENCRYPTION_SECRET,
        "ARGON2_MEMORY_KIB": "1024",
    }.items():
        monkeypatch.setenv(f"KAKEHASHI_IDENTITY_{name}", value)
    password = "Tây Ninh operator desk 7"
    result = CliRunner().invoke(
        app,
        ["add-admin", "ops@kakehashi.example", "--name", "Operations"],
        input=f"{password}\n{password}\n",
    )
    assert result.exit_code == 0, result.output
    assert "admin ops@kakehashi.example" in result.output

    client = make_client()  # the same database, through the API
    headers = sign_in(client, "ops@kakehashi.example", password)
    me = client.get("/me", headers=headers).json()
    assert me["memberships"] == [{"organisation_id": "kakehashi-operator", "role": "admin"}]
    weak = CliRunner().invoke(
        app, ["add-admin", "two@kakehashi.example", "--name", "Two"], input="short\nshort\n"
    )
    assert weak.exit_code == 2
    assert "refused: password: at least 12 characters" in weak.output
    taken = ["add-admin", "ops@kakehashi.example", "--name", "Ops", "--password", password]
    again = CliRunner().invoke(app, taken)
    assert again.exit_code == 2
    assert "refused: a user has this email" in again.output
    # `kakehashi dev` runs it at every start: an admin already there is fine, and untouched.
    kept = CliRunner().invoke(
        app, [*taken[:4], "--password", "another password 42", "--if-missing"]
    )
    assert kept.exit_code == 0, kept.output
    assert "already there" in kept.output
    sign_in(client, "ops@kakehashi.example", password)
