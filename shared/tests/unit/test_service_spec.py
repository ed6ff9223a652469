"""A service spec names its app factory and handlers by import path, resolved only when needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from kakehashi.shared.runtime import ServiceSpec, resolve
from kakehashi.shared.settings import ServiceSettings


def test_resolve_imports_the_named_attribute() -> None:
    assert resolve("kakehashi.shared.runtime:resolve") is resolve


def test_resolve_refuses_a_path_without_an_attribute() -> None:
    with pytest.raises(ValueError, match="is not of the form"):
        resolve("kakehashi.shared.runtime")


def test_a_spec_that_consumes_must_name_its_handlers() -> None:
    with pytest.raises(ValueError, match="names no handlers"):
        ServiceSpec(
            name="identity",
            settings_factory=ServiceSettings,
            migrations=Path("migrations"),
            app="kakehashi.identity.entrypoints.api:create_app",
            consumes=("candidate-events",),
        )


def test_a_spec_that_consumes_nothing_has_no_handlers_and_imports_nothing() -> None:
    spec = ServiceSpec(
        name="identity",
        settings_factory=ServiceSettings,
        migrations=Path("migrations"),
        app="kakehashi.identity.entrypoints.api:create_app",  # not importable, never imported
    )
    assert spec.event_handlers() == {}
