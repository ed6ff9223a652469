"""Relay and consumer processes load only what they run: never the API stack.

Each check runs in a fresh interpreter, builds the service's relay and consumer from its SPEC
the way `kakehashi-<service> relay | consume` does, and lists the heavy modules it imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping

import pytest

from conftest import Broker
from kakehashi.shared.runtime import resolve

pytestmark = pytest.mark.integration

SERVICES = ("candidates", "employers", "matching", "identity")
# identity consumes nothing (it is the source of organisations and users): a relay only.
CONSUMING = ("candidates", "employers", "matching", "identity")
# identity refuses its published development secret outside development.
KEY_ENCRYPTION_SECRET = "worker-imports-key-encryption-0123456789"
# The API stack: web framework, console templates, PDF export, learned ranking.
API_ONLY = ("fastapi", "starlette", "uvicorn", "jinja2", "fpdf", "sklearn")

# argv: the module that builds the CLI (the service's console script, or shared.cli alone), the
# service, then the module names to look for.
BUILD_WORKERS = """
import importlib, json, sys
from kakehashi.shared.cli import service_cli
from kakehashi.shared.runtime import Runtime

cli, service, *modules = sys.argv[1:]
spec = importlib.import_module(f"kakehashi.{service}.bootstrap").SPEC
if cli == "console-script":
    importlib.import_module(f"kakehashi.{service}.entrypoints.cli")
else:
    service_cli(spec)
runtime = Runtime.build(spec.settings_factory(), spec.migrations)
runtime.migrate()
consumer = spec.consumer(runtime) if spec.consumes else None
relay = spec.relay(runtime)
loaded = sorted(name for name in modules if name in sys.modules)
handlers = sorted(consumer.applier.handlers) if consumer is not None else []
if consumer is not None:
    consumer.consumer.close()
    consumer.dead_letters.close(timeout=5)
relay.producer.close(timeout=5)
print(json.dumps({"loaded": loaded, "handlers": handlers}))
"""


def workers_loaded(cli: str, service: str, broker: Broker, database_url: str) -> list[str]:
    """The API-stack modules a fresh interpreter holds once it built the service's workers."""
    prefix = f"KAKEHASHI_{service.upper()}_"
    env = {key: value for key, value in os.environ.items() if not key.startswith("KAKEHASHI_")}
    env |= {
        f"{prefix}DATABASE_URL": database_url,
        f"{prefix}KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
        f"{prefix}ENVIRONMENT": "test",
    }
    if service == "identity":
        env[f"{prefix}KEY_ENCRYPTION_SECRET"] = KEY_ENCRYPTION_SECRET
    result = subprocess.run(
        [sys.executable, "-c", BUILD_WORKERS, cli, service, *API_ONLY],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    if service in CONSUMING:  # the registry was resolved, so the handlers' imports were made
        assert report["handlers"]
    loaded: list[str] = report["loaded"]
    return loaded


@pytest.mark.parametrize("service", SERVICES)
def test_relay_and_consumer_built_from_the_spec_do_not_import_the_api_stack(
    service: str, broker: Broker, database_url: str
) -> None:
    assert workers_loaded("shared", service, broker, database_url) == []


@pytest.mark.parametrize("service", SERVICES)
def test_the_console_script_of_a_worker_does_not_import_the_api_stack(
    service: str, broker: Broker, database_url: str
) -> None:
    assert workers_loaded("console-script", service, broker, database_url) == []


@pytest.mark.parametrize("service", SERVICES)
def test_the_spec_names_an_app_factory_and_a_handler_registry_that_exist(service: str) -> None:
    spec = resolve(f"kakehashi.{service}.bootstrap:SPEC")
    assert callable(resolve(spec.app))
    handlers = spec.event_handlers()
    assert isinstance(handlers, Mapping)
    assert bool(handlers) == (service in CONSUMING)
    assert all(callable(handler) for handler in handlers.values())
    assert spec.handlers == f"kakehashi.{service}.service_layer.event_handlers:HANDLERS"
