"""Static checks of docker-compose.yml and the service Dockerfile against the code they run.

Docker itself is not needed: the compose file is parsed with PyYAML and every container's
environment and command are checked against the real settings classes and CLIs. If the
`docker-compose` binary (or the `docker compose` plugin) exists, the file is also validated by it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from kakehashi.candidates.config import CandidatesSettings
from kakehashi.candidates.entrypoints.cli import app as candidates_cli
from kakehashi.devtools.supervisor import PROCESSES
from kakehashi.employers.config import EmployersSettings
from kakehashi.employers.entrypoints.cli import app as employers_cli
from kakehashi.identity.config import IdentitySettings
from kakehashi.identity.entrypoints.cli import app as identity_cli
from kakehashi.matching.config import MatchingSettings
from kakehashi.matching.entrypoints.cli import app as matching_cli
from kakehashi.shared.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
INFRASTRUCTURE = ("kafka", "postgres")
# The reverse proxy in front of the pages (deploy/Caddyfile); Prometheus and Grafana (metrics,
# alert rules and the dashboard, deploy/prometheus and deploy/grafana).
EDGE = ("proxy", "prometheus", "grafana")
CADDYFILE = ROOT / "deploy" / "Caddyfile"
REQUIRED_FIELDS = ("ENVIRONMENT", "DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS")
# The services that verify tokens name the issuer; identity is the issuer and seals its keys.
TOKEN_FIELDS = {
    "identity": ("ISSUER", "PUBLIC_URL", "KEY_ENCRYPTION_SECRET"),
    "candidates": ("AUTH_ISSUER", "AUTH_JWKS_URL"),
    "employers": ("AUTH_ISSUER", "AUTH_JWKS_URL"),
    "matching": ("AUTH_ISSUER", "AUTH_JWKS_URL"),
}
IDENTITY_JWKS = "http://identity-api:8004/.well-known/jwks.json"
# Values the operator must provide (`${VAR:?message}`): a 40-character stand-in each, or a URL
# where the setting wants one.
DUMMY_SECRET = "x" * 40
DUMMY_ISSUER = "https://sso.example.org/realms/kakehashi"
DUMMIES = {"KAKEHASHI_AUTH_ISSUER": DUMMY_ISSUER}


@dataclass(frozen=True)
class Service:
    name: str
    settings: type[ServiceSettings]
    cli: typer.Typer

    @property
    def prefix(self) -> str:
        return f"KAKEHASHI_{self.name.upper()}_"

    @property
    def env_names(self) -> set[str]:
        return {self.prefix + field.upper() for field in self.settings.model_fields}

    @property
    def subcommands(self) -> set[str]:
        group = typer.main.get_command(self.cli)
        assert isinstance(group, typer.core.TyperGroup)
        return set(group.commands)


SERVICES = {
    "candidates": Service("candidates", CandidatesSettings, candidates_cli),
    "employers": Service("employers", EmployersSettings, employers_cli),
    "matching": Service("matching", MatchingSettings, matching_cli),
    "identity": Service("identity", IdentitySettings, identity_cli),
}
# uv reads every workspace member's pyproject.toml, so each image must copy all of them.
_WORKSPACE = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["uv"]
WORKSPACE_MEMBERS = sorted(
    str(path.parent.relative_to(ROOT))
    for pattern in _WORKSPACE["workspace"]["members"]
    for path in ROOT.glob(f"{pattern}/pyproject.toml")
)
# Production runs the same processes as `kakehashi dev`, one container each, named alike.
# Compose scales matching out (docs/architecture.md, "Scaling out"): a second API replica, and
# its consumer group split over two processes; `make dev` runs one process of each kind.
SPLIT = {"matching-consumer": ("matching-consumer-a", "matching-consumer-b")}
REPLICAS = {"matching-api-2": "api"}
EXPECTED_CONTAINERS = {
    name: process.subcommand
    for process in PROCESSES
    for name in SPLIT.get(process.name, (process.name,))
} | REPLICAS

_VARIABLE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[?-])(?P<arg>[^}]*))?\}")


def substitute(value: str) -> str:
    """Compose-style interpolation: required variables get a dummy, defaults are used."""

    def replace(match: re.Match[str]) -> str:
        op = match.group("op") or ""
        if op.endswith("-"):
            return match.group("arg")
        return DUMMIES.get(match.group("name"), DUMMY_SECRET)

    return _VARIABLE.sub(replace, value)


def _compose() -> dict[str, Any]:
    with COMPOSE_FILE.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    assert isinstance(data, dict)
    return data


COMPOSE = _compose()
CONTAINERS: dict[str, dict[str, Any]] = COMPOSE["services"]
APP_CONTAINERS = sorted(name for name in CONTAINERS if name not in (*INFRASTRUCTURE, *EDGE))


def service_of(container: str) -> Service:
    return SERVICES[container.split("-", 1)[0]]


def environment_of(container: str) -> dict[str, str]:
    env = CONTAINERS[container].get("environment", {})
    if isinstance(env, list):  # the `- KEY=value` form
        env = dict(item.split("=", 1) for item in env)
    return {key: substitute(str(value)) for key, value in env.items()}


def command_of(container: str) -> list[str]:
    command = CONTAINERS[container]["command"]
    return command.split() if isinstance(command, str) else list(command)


def dockerfile_of(container: str) -> Path:
    build = CONTAINERS[container]["build"]
    context = ROOT / (build if isinstance(build, str) else build.get("context", "."))
    dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
    return context / dockerfile


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    logical: list[str] = []
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    pairs = []
    for line in logical:
        instruction, _, arguments = line.partition(" ")
        pairs.append((instruction.upper(), arguments.strip()))
    return pairs


def test_the_expected_containers_and_nothing_unknown() -> None:
    assert set(APP_CONTAINERS) == set(EXPECTED_CONTAINERS)
    assert set(INFRASTRUCTURE) <= set(CONTAINERS)


@pytest.mark.parametrize("container", sorted(CONTAINERS))
def test_every_container_has_a_healthcheck(container: str) -> None:
    healthcheck = CONTAINERS[container].get("healthcheck")
    assert healthcheck, f"{container} has no healthcheck"
    assert not healthcheck.get("disable", False)
    assert healthcheck.get("test"), f"{container}'s healthcheck has no test"


def test_infrastructure_is_persistent_and_checked() -> None:
    kafka, postgres = CONTAINERS["kafka"], CONTAINERS["postgres"]
    assert kafka["image"] == "apache/kafka:3.9.0"
    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert kafka["environment"]["KAFKA_LOG_DIRS"] == "/var/lib/kafka/data"
    assert any(v.endswith(":/var/lib/kafka/data") for v in kafka["volumes"])
    assert "kafka-topics.sh" in " ".join(kafka["healthcheck"]["test"])
    assert postgres["image"] == "postgres:16"
    assert any(v.endswith(":/var/lib/postgresql/data") for v in postgres["volumes"])
    assert "pg_isready" in postgres["healthcheck"]["test"]
    named = set(COMPOSE.get("volumes") or {})
    for volume in [*kafka["volumes"], *postgres["volumes"]]:
        source = volume.split(":", 1)[0]
        if source.startswith("."):
            assert (ROOT / source).is_file(), f"{source} does not exist"
        else:
            assert source in named, f"volume {source} is not declared"


def test_postgres_init_script_creates_one_database_per_service() -> None:
    mounts = [v for v in CONTAINERS["postgres"]["volumes"] if "docker-entrypoint-initdb.d" in v]
    assert mounts
    script = (ROOT / mounts[0].split(":", 1)[0]).read_text(encoding="utf-8")
    created = set(re.findall(r"CREATE DATABASE\s+(\w+)", script, flags=re.IGNORECASE))
    assert created == set(SERVICES)


def api_port(service: str) -> int:
    """The port a service's API listens on by default (what its image exposes)."""
    port = SERVICES[service].settings.model_fields["api_port"].default
    assert isinstance(port, int)
    return port


@pytest.mark.parametrize("container", APP_CONTAINERS)
def test_build_is_the_one_dockerfile_with_its_service_and_port(container: str) -> None:
    build = CONTAINERS[container]["build"]
    assert (ROOT / build["context"]).resolve() == ROOT
    assert dockerfile_of(container) == DOCKERFILE
    service = service_of(container).name
    assert build["args"]["SERVICE"] == service
    assert build["args"]["PORT"] == str(api_port(service))
    assert CONTAINERS[container]["image"] == f"kakehashi-{service}:latest"


def test_dockerfile_is_slim_non_root_and_healthchecked() -> None:
    instructions = dockerfile_instructions(DOCKERFILE)
    args = [arguments for instruction, arguments in instructions if instruction == "ARG"]
    assert "PYTHON_IMAGE=python:3.11-slim" in args
    assert {"SERVICE", "PORT"} <= set(args)
    users = [arguments for instruction, arguments in instructions if instruction == "USER"]
    assert users, "no USER instruction"
    final_user = users[-1].split(":", 1)[0]
    assert final_user not in {"root", "0"}, "the image must not run as root"
    healthchecks = [
        arguments for instruction, arguments in instructions if instruction == "HEALTHCHECK"
    ]
    assert len(healthchecks) == 1
    assert "http://127.0.0.1:${PORT}/health/live" in healthchecks[0]
    assert ("EXPOSE", "${PORT}") in instructions
    assert ("ENTRYPOINT", '["kakehashi-service"]') in instructions
    assert ("CMD", '["api", "--host", "0.0.0.0"]') in instructions
    copies = {arguments for instruction, arguments in instructions if instruction == "COPY"}
    for member in WORKSPACE_MEMBERS:
        assert f"{member}/pyproject.toml {member}/" in copies, f"{member} is not copied"
    assert "services/${SERVICE}/src services/${SERVICE}/src" in copies
    syncs = [a for i, a in instructions if i == "RUN" and "uv sync" in a]
    assert syncs
    assert all('--package "kakehashi-${SERVICE}"' in a and "--frozen --no-dev" in a for a in syncs)
    assert 'ln -s "kakehashi-${SERVICE}" /opt/venv/bin/kakehashi-service' in syncs[-1]


_MEMBER_PYPROJECT = re.compile(r"COPY services/\w+/pyproject\.toml services/\w+/")


def test_the_dockerfile_names_no_service() -> None:
    lines = DOCKERFILE.read_text(encoding="utf-8").splitlines()
    # Every image copies all members' pyproject.toml (uv reads the whole workspace).
    code = [
        line for line in lines if not line.startswith("#") and not _MEMBER_PYPROJECT.fullmatch(line)
    ]
    for service in SERVICES:
        assert not [line for line in code if service in line], f"{service} is hard-coded"


def test_dockerignore_keeps_local_state_out_of_the_context() -> None:
    entries = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".venv", "var", ".git", "test-artifacts"} <= entries


@pytest.mark.parametrize("container", APP_CONTAINERS)
def test_command_is_a_real_subcommand(container: str) -> None:
    command = command_of(container)
    assert command == [EXPECTED_CONTAINERS[container]]
    assert command[0] in service_of(container).subcommands


@pytest.mark.parametrize("container", APP_CONTAINERS)
def test_environment_names_real_settings_fields(container: str) -> None:
    service = service_of(container)
    env = environment_of(container)
    unknown = {key for key in env if key.startswith("KAKEHASHI_")} - service.env_names
    assert not unknown, f"{container} sets env vars no settings field reads: {sorted(unknown)}"
    required = (*REQUIRED_FIELDS, *TOKEN_FIELDS[service.name])
    missing = {service.prefix + field for field in required} - set(env)
    assert not missing, f"{container} does not set {sorted(missing)}"


@pytest.mark.parametrize("container", APP_CONTAINERS)
def test_environment_builds_valid_production_settings(
    container: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in list(os.environ):
        if key.startswith("KAKEHASHI_"):
            monkeypatch.delenv(key)
    for key, value in environment_of(container).items():
        monkeypatch.setenv(key, value)
    service = service_of(container)
    settings = service.settings()
    assert settings.environment == "production"
    if isinstance(settings, IdentitySettings):
        # identity signs as the issuer the other services expect, with its own sealed keys.
        assert settings.issuer == DUMMY_ISSUER
        assert settings.public_url == DUMMY_ISSUER
        assert settings.audience == "kakehashi"
        assert settings.key_encryption_secret.get_secret_value() == DUMMY_SECRET
    else:
        # No signing secret: tokens are checked against identity's published keys, reached by
        # its compose name, and production never trusts the development key.
        assert settings.auth_issuer == DUMMY_ISSUER
        assert settings.auth_jwks_url == IDENTITY_JWKS
    assert settings.auth_audience == "kakehashi"
    assert (settings.auth_role_claim, settings.auth_organisation_claim) == ("role", "org")
    assert not settings.trusts_development_key
    assert settings.database_url.startswith("postgresql+psycopg://")
    assert settings.database_url.endswith(f"@postgres:5432/{service.name}")
    assert settings.bootstrap_servers == ["kafka:9092"]
    if EXPECTED_CONTAINERS[container] == "api":
        assert settings.api_host == "0.0.0.0"  # noqa: S104
        port = settings.api_port
        if container not in REPLICAS:  # a replica is reached through the proxy only
            assert f"{port}:{port}" in CONTAINERS[container]["ports"]
        assert f"127.0.0.1:{port}/health/live" in " ".join(
            CONTAINERS[container]["healthcheck"]["test"]
        )


@pytest.mark.parametrize("container", APP_CONTAINERS)
def test_waits_for_healthy_kafka_and_postgres(container: str) -> None:
    depends_on = CONTAINERS[container]["depends_on"]
    assert isinstance(depends_on, dict), "depends_on must use the long form with conditions"
    for dependency in INFRASTRUCTURE:
        assert depends_on[dependency]["condition"] == "service_healthy"


def _compose_command() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


COMPOSE_COMMAND = _compose_command()
needs_compose = pytest.mark.skipif(
    COMPOSE_COMMAND is None,
    reason="neither `docker-compose` nor the `docker compose` plugin is installed",
)


def _run_config(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    assert COMPOSE_COMMAND is not None
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "POSTGRES_PASSWORD",
            "KAKEHASHI_AUTH_ISSUER",
            "KAKEHASHI_IDENTITY_KEY_ENCRYPTION_SECRET",
            "GRAFANA_ADMIN_PASSWORD",
        }
    }
    return subprocess.run(
        [*COMPOSE_COMMAND, "-f", str(COMPOSE_FILE), "config", "-q"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


@needs_compose
def test_compose_validates_the_file() -> None:
    result = _run_config(
        {
            "POSTGRES_PASSWORD": DUMMY_SECRET,
            "KAKEHASHI_AUTH_ISSUER": DUMMY_ISSUER,
            "KAKEHASHI_IDENTITY_KEY_ENCRYPTION_SECRET": DUMMY_SECRET,
            "GRAFANA_ADMIN_PASSWORD": DUMMY_SECRET,
        }
    )
    assert result.returncode == 0, result.stderr


@needs_compose
def test_compose_refuses_to_start_without_the_password_and_the_issuer() -> None:
    result = _run_config(
        {
            "POSTGRES_PASSWORD": DUMMY_SECRET,
            "KAKEHASHI_IDENTITY_KEY_ENCRYPTION_SECRET": DUMMY_SECRET,
            "GRAFANA_ADMIN_PASSWORD": DUMMY_SECRET,
        }
    )
    assert result.returncode != 0
    assert "the URL of the token issuer" in result.stderr


@needs_compose
def test_compose_refuses_to_start_without_identity_key_encryption_secret() -> None:
    result = _run_config(
        {
            "POSTGRES_PASSWORD": DUMMY_SECRET,
            "KAKEHASHI_AUTH_ISSUER": DUMMY_ISSUER,
            "GRAFANA_ADMIN_PASSWORD": DUMMY_SECRET,
        }
    )
    assert result.returncode != 0
    assert "the secret that seals identity's signing keys" in result.stderr


@needs_compose
def test_compose_refuses_to_start_without_grafanas_admin_password() -> None:
    result = _run_config(
        {
            "POSTGRES_PASSWORD": DUMMY_SECRET,
            "KAKEHASHI_AUTH_ISSUER": DUMMY_ISSUER,
            "KAKEHASHI_IDENTITY_KEY_ENCRYPTION_SECRET": DUMMY_SECRET,
        }
    )
    assert result.returncode != 0
    assert "GRAFANA_ADMIN_PASSWORD" in result.stderr


def test_an_empty_jwks_url_lets_the_services_discover_the_issuers_keys() -> None:
    # `${KAKEHASHI_AUTH_JWKS_URL-…}`: the default only when unset, so an operator with another
    # provider sets it empty (discovery at the issuer) or to that provider's keys.
    for service in ("candidates", "employers", "matching"):
        value = CONTAINERS[f"{service}-api"]["environment"][
            f"KAKEHASHI_{service.upper()}_AUTH_JWKS_URL"
        ]
        assert value == "${KAKEHASHI_AUTH_JWKS_URL-" + IDENTITY_JWKS + "}"


def _caddy_routes() -> list[tuple[list[str] | None, list[str]]]:
    """(path patterns or None for the catch-all, upstreams) per `handle` block, in order."""
    text = CADDYFILE.read_text(encoding="utf-8")
    matchers = {
        name: patterns.split()
        for name, patterns in re.findall(r"^\s*@(\w+) path (.+)$", text, flags=re.M)
    }
    routes: list[tuple[list[str] | None, list[str]]] = []
    handles = r"handle(?: @(\w+))? \{\s*reverse_proxy ([^{}\n]+?)\s*(?:\{[^{}]*\}\s*)?\}"
    for matcher, upstreams in re.findall(handles, text):
        routes.append((matchers[matcher] if matcher else None, upstreams.split()))
    return routes


def upstreams_of(path: str) -> list[str]:
    """Where the proxy sends `path`: Caddy's path matcher (exact, or a trailing * prefix)."""
    for patterns, upstream in _caddy_routes():
        if patterns is None or any(
            path.startswith(p[:-1]) if p.endswith("*") else path == p for p in patterns
        ):
            return upstream
    raise AssertionError(f"no route for {path}")


def test_the_proxy_runs_the_caddyfile_in_front_of_the_four_apis() -> None:
    proxy = CONTAINERS["proxy"]
    assert proxy["image"].startswith("caddy:")
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    assert set(proxy["depends_on"]) == {f"{name}-api" for name in SERVICES} | set(REPLICAS)
    assert {"80:80", "443:443"} <= set(proxy["ports"])
    assert "caddy-data" in COMPOSE["volumes"]


@pytest.mark.parametrize(
    ("path", "container"),
    [
        ("/portal/candidates", "candidates-api"),
        ("/portal/candidates/abc/edit", "candidates-api"),
        ("/portal/imports/job-1", "candidates-api"),
        ("/portal/static/kakehashi.css", "candidates-api"),
        ("/portal/orders", "employers-api"),
        ("/portal/orders/o-1/transitions", "employers-api"),
        ("/portal/profile", "employers-api"),
        ("/console/orders", "matching-api"),
        ("/sign-in", "identity-api"),
        ("/session/sign-out", "identity-api"),
        ("/admin", "identity-api"),
        ("/.well-known/jwks.json", "identity-api"),
        ("/identity/static/kakehashi.css", "identity-api"),
    ],
)
def test_the_proxy_sends_each_page_to_the_service_that_serves_it(path: str, container: str) -> None:
    port = CONTAINERS[container]["environment"][
        f"KAKEHASHI_{container.split('-')[0].upper()}_API_PORT"
    ]
    replicas = [name for name in REPLICAS if name.startswith(container)]
    assert upstreams_of(path) == [f"{name}:{port}" for name in (container, *replicas)]


@pytest.mark.parametrize("container", APP_CONTAINERS)
def test_pages_link_to_the_one_public_origin(container: str) -> None:
    env = CONTAINERS[container]["environment"]
    prefix = service_of(container).prefix
    for target in SERVICES:
        assert (
            env[f"{prefix}WEB_{target.upper()}_URL"] == "${KAKEHASHI_PUBLIC_URL:-https://localhost}"
        )


# --- Metrics: Prometheus, its alert rules and the Grafana dashboard ---------------------------
PROMETHEUS_DIR = ROOT / "deploy" / "prometheus"
GRAFANA_DIR = ROOT / "deploy" / "grafana"
ALERT_RULES = PROMETHEUS_DIR / "alerts.yml"
DASHBOARD = GRAFANA_DIR / "dashboards" / "kakehashi.json"
OPERATIONS = ROOT / "docs" / "operations.md"


def _yaml(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path} is not a YAML mapping"
    return data


def _mounted_sources(container: str) -> list[Path]:
    sources = [v.split(":", 1)[0] for v in CONTAINERS[container]["volumes"]]
    return [ROOT / source for source in sources if source.startswith(".")]


def scrape_targets() -> dict[str, str]:
    """process label -> host:port, over every scrape job of deploy/prometheus/prometheus.yml."""
    config = _yaml(PROMETHEUS_DIR / "prometheus.yml")
    targets = {}
    for job in config["scrape_configs"]:
        for group in job["static_configs"]:
            for target in group["targets"]:
                targets[group["labels"]["process"]] = target
    return targets


def test_prometheus_and_grafana_are_official_images_reading_files_that_exist() -> None:
    assert CONTAINERS["prometheus"]["image"].startswith("prom/prometheus:v")
    assert CONTAINERS["grafana"]["image"].startswith("grafana/grafana:")
    for container in ("prometheus", "grafana"):
        for source in _mounted_sources(container):
            assert source.exists(), f"{container} mounts {source}, which does not exist"
        # Reached from the host's loopback only: no dashboard or raw metrics on the internet.
        assert all(port.startswith("127.0.0.1:") for port in CONTAINERS[container]["ports"])
    grafana_env = CONTAINERS["grafana"]["environment"]
    assert grafana_env["GF_SECURITY_ADMIN_PASSWORD"].startswith("${GRAFANA_ADMIN_PASSWORD:?")
    assert {"prometheus-data", "grafana-data"} <= set(COMPOSE["volumes"])


def test_prometheus_scrapes_every_process_where_it_serves_its_metrics() -> None:
    targets = scrape_targets()
    assert set(targets) == set(APP_CONTAINERS)
    for container in APP_CONTAINERS:
        env = environment_of(container)
        prefix = service_of(container).prefix
        if EXPECTED_CONTAINERS[container] == "api":
            port = env[prefix + "API_PORT"]
        else:  # relays and consumers: their own metrics port, open to the compose network
            assert env[prefix + "METRICS_HOST"] == "0.0.0.0"  # noqa: S104
            port = env[prefix + "METRICS_PORT"]
        assert targets[container] == f"{container}:{port}"
    rule_files = _yaml(PROMETHEUS_DIR / "prometheus.yml")["rule_files"]
    assert rule_files == ["/etc/prometheus/alerts.yml"]
    assert (
        f"./{ALERT_RULES.relative_to(ROOT)}:/etc/prometheus/alerts.yml:ro"
        in (CONTAINERS["prometheus"]["volumes"])
    )


def alert_rules() -> list[dict[str, Any]]:
    return [rule for group in _yaml(ALERT_RULES)["groups"] for rule in group["rules"]]


def test_the_alert_rules_are_well_formed_and_have_a_runbook() -> None:
    rules = alert_rules()
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names))
    assert {
        "KakehashiOutboxStale",
        "KakehashiConsumerLagGrowing",
        "KakehashiDeadLetter",
        "KakehashiNotReady",
    } <= set(names)
    anchors = _markdown_anchors(OPERATIONS.read_text(encoding="utf-8"))
    for rule in rules:
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}, rule["alert"]
        assert isinstance(rule["expr"], str)
        assert rule["expr"].strip()
        assert _balanced(rule["expr"]), f"{rule['alert']}: unbalanced brackets"
        if "for" in rule:
            assert re.fullmatch(r"\d+[smh]", rule["for"]), rule["alert"]
        assert rule["labels"]["severity"] in {"page", "ticket"}
        assert rule["annotations"]["summary"]
        page, _, anchor = rule["annotations"]["runbook"].partition("#")
        assert page == "docs/operations.md"
        assert anchor in anchors, f"{rule['alert']}'s runbook #{anchor} is no heading there"
        assert rule["alert"] in OPERATIONS.read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")
def test_promtool_accepts_the_alert_rules_and_the_dashboards_queries(tmp_path: Path) -> None:
    # The dashboard's queries, as recording rules: promtool parses each PromQL expression.
    queries = tmp_path / "dashboard-queries.yml"
    recorded = [
        {"record": f"kakehashi:dashboard_query_{n}", "expr": e}
        for n, e in enumerate(dashboard_expressions())
    ]
    queries.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": recorded}]}))
    for rules in (ALERT_RULES, queries):
        result = subprocess.run(
            ["promtool", "check", "rules", str(rules)],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def _balanced(expression: str) -> bool:
    depth: list[str] = []
    pairs = {")": "(", "]": "[", "}": "{"}
    for char in re.sub(r'"[^"]*"', "", expression):
        if char in "([{":
            depth.append(char)
        elif char in pairs and (not depth or depth.pop() != pairs[char]):
            return False
    return not depth


def _markdown_anchors(text: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#+\s+(.+)$", text, flags=re.M)
    return {re.sub(r"[^\w\- ]", "", h).strip().lower().replace(" ", "-") for h in headings}


def dashboard_expressions() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]


def test_the_dashboard_is_provisioned_from_the_datasource_it_names() -> None:
    datasources = _yaml(GRAFANA_DIR / "provisioning" / "datasources" / "prometheus.yml")
    uid = datasources["datasources"][0]["uid"]
    assert datasources["datasources"][0]["url"] == "http://prometheus:9090"
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    panels = [p for p in dashboard["panels"] if p["type"] != "row"]
    assert panels
    for panel in panels:
        assert panel["datasource"]["uid"] == uid, panel["title"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert _balanced(target["expr"]), f"{panel['title']}: {target['expr']}"
    provider = _yaml(GRAFANA_DIR / "provisioning" / "dashboards" / "kakehashi.yml")["providers"][0]
    assert provider["options"]["path"] == "/var/lib/grafana/dashboards"
    assert (
        "./deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro"
        in (CONTAINERS["grafana"]["volumes"])
    )
    titles = " ".join(p["title"] for p in panels).lower()
    for topic in ("requests", "latency", "outbox", "lag", "dead-lettered", "match list"):
        assert topic in titles


_SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "gauge": ("",),
}


def exported_metric_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Every sample name the process registry can export once each service's API, relay and
    consumer pieces are built (what their processes build at start)."""
    from kakehashi.shared.metrics import REGISTRY
    from kakehashi.shared.runtime import Runtime, resolve

    for name in SERVICES:
        monkeypatch.setenv(f"KAKEHASHI_{name.upper()}_DATA_DIR", str(tmp_path))
        spec = resolve(f"kakehashi.{name}.bootstrap:SPEC")
        runtime = Runtime.build(spec.settings_factory(), spec.migrations)
        spec.create_app(runtime)
        spec.event_handlers()
    names = set()
    for family in REGISTRY.collect():
        suffixes = _SUFFIXES.get(family.type, ("",))
        names |= {family.name + suffix for suffix in suffixes}
    return names


def test_every_metric_the_dashboard_and_the_rules_use_is_exported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kakehashi.shared.metrics import names_in

    exported = exported_metric_names(tmp_path, monkeypatch)
    used = names_in([*dashboard_expressions(), *(rule["expr"] for rule in alert_rules())])
    assert len(used) >= 15
    missing = used - exported
    assert not missing, f"referenced but exported by no process: {sorted(missing)}"
    # And the operations guide explains each of them.
    guide = OPERATIONS.read_text(encoding="utf-8")
    unexplained = {name for name in used if _family(name) not in guide}
    assert not unexplained, f"docs/operations.md does not explain {sorted(unexplained)}"


def _family(sample: str) -> str:
    return re.sub(r"_(total|bucket|count|sum|created)$", "", sample)


def test_the_proxy_does_not_serve_metrics() -> None:
    text = CADDYFILE.read_text(encoding="utf-8")
    block = re.search(r"handle /metrics \{\s*respond 404\s*\}", text)
    assert block is not None
    assert block.start() < text.index("handle {"), "the catch-all would serve /metrics first"
