"""Typed settings shared by every service; each service subclasses with its own env prefix."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kakehashi.shared.auth import ASYMMETRIC_ALGORITHMS, DEFAULT_AUDIENCE, DEFAULT_ISSUER, Algorithm
from kakehashi.shared.jwks import load_jwks_file, trusts_development_key

Environment = Literal["development", "test", "production"]


class ServiceSettings(BaseSettings):
    """Settings every service reads. Subclasses set `env_prefix` and `service_name`."""

    model_config = SettingsConfigDict(extra="ignore", env_file=None)

    service_name: str = "service"
    environment: Environment = "development"
    data_dir: Path = Path("var")
    database_url: str = Field(
        default="", description="SQLAlchemy URL; SQLite under data_dir if empty"
    )
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_topic_partitions: int = Field(default=3, ge=1)
    # Access tokens: who issues them, for whom, where its public keys are, and which claims
    # say what (docs/security.md). No signing secret: services only verify.
    auth_issuer: str = Field(default=DEFAULT_ISSUER, description="the tokens' `iss`, exactly")
    auth_audience: str = Field(default=DEFAULT_AUDIENCE, min_length=1)
    auth_jwks_url: str = Field(
        default="", description="the issuer's JWKS; empty = its OpenID configuration's jwks_uri"
    )
    auth_jwks_file: Path | None = Field(
        default=None, description="a static JWKS file instead of fetching one (tests, offline)"
    )
    auth_algorithms: list[Algorithm] = Field(
        default_factory=lambda: list(ASYMMETRIC_ALGORITHMS), min_length=1
    )
    auth_role_claim: str = Field(default="role", min_length=1)
    auth_organisation_claim: str = Field(default="org", min_length=1)
    auth_language_claim: str = Field(default="lang", min_length=1)
    auth_jwks_cache_s: float = Field(default=300.0, gt=0, le=86_400)
    auth_jwks_refresh_cooldown_s: float = Field(default=30.0, ge=0, le=3600)
    auth_leeway_s: float = Field(default=30.0, ge=0, le=300)
    auth_dev_signing_key_file: Path | None = Field(
        default=None,
        description="development only: the key the console's demo sign-in signs with",
    )
    # Where browsers reach each service's pages (the UI kit's navigation, the single sign-on's
    # redirects and its allowed origins). Behind one reverse proxy they share one origin.
    web_identity_url: str = Field(default="http://127.0.0.1:8004", description="sign-in pages")
    web_matching_url: str = Field(default="http://127.0.0.1:8003", description="the console")
    web_candidates_url: str = "http://127.0.0.1:8001"
    web_employers_url: str = "http://127.0.0.1:8002"
    # The largest request body a route reads (413 beyond); upload routes state their own.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024, le=64 * 1024 * 1024)
    # Writes (POST/PUT/PATCH/DELETE) per caller: a burst of `write_burst`, then
    # `writes_per_minute` (429 with Retry-After beyond). 0 turns the limit off; unset, it is
    # 600 in production and off in development and tests (the demo seed writes thousands).
    writes_per_minute: int | None = Field(default=None, ge=0)
    write_burst: int = Field(default=120, ge=1)
    log_level: str = "INFO"
    log_json: bool = True
    api_host: str = "127.0.0.1"
    # Peers whose X-Forwarded-For/-Proto the API believes (uvicorn's forwarded_allow_ips): the
    # reverse proxy in front, so a page knows it was reached over https (Secure cookies, HSTS).
    forwarded_allow_ips: str = "127.0.0.1"
    api_port: int = 8000
    # API worker processes (uvicorn --workers). One on SQLite, whose single writer is kept by a
    # lock inside the process; more only on PostgreSQL (docs/operations.md, "Scaling the write
    # path", says which state each worker keeps for itself).
    api_workers: int = Field(
        default=1, ge=1, le=64, description="API processes; >1 needs PostgreSQL"
    )
    relay_batch_size: int = Field(default=200, ge=1)
    # An idle relay sleeps until a writer wakes it (PostgreSQL NOTIFY; on SQLite a datagram on
    # a local socket), looking anyway after a wait that doubles from the first to the longest.
    relay_poll_interval_s: float = Field(
        default=0.05, gt=0, le=60, description="an idle relay's first wait, in seconds"
    )
    relay_idle_max_s: float = Field(
        default=3.0,
        gt=0,
        le=60,
        description="an idle relay's longest wait (a lost wake-up's delay)",
    )
    relay_wake_socket: Path | None = Field(
        default=None,
        description="SQLite: the relay's wake-up socket; empty = beside the database file",
    )
    # Relays and consumers serve Prometheus metrics on a port of their own (APIs on /metrics).
    metrics_host: str = Field(default="127.0.0.1", description="where a worker serves /metrics")
    metrics_port: int | None = Field(
        default=None, ge=1, le=65535, description="a worker's metrics port; empty = not served"
    )
    # Traces (docs/operations.md): off unless an OTLP/HTTP endpoint is set here, or
    # KAKEHASHI_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT for every process (tracing.py).
    otlp_endpoint: str = Field(
        default="", description="OTLP/HTTP collector base URL (…:4318); empty = not traced"
    )
    trace_sample_ratio: float = Field(
        default=1.0, ge=0, le=1, description="share of new traces kept (callers' choice wins)"
    )
    consumer_max_attempts: int = Field(default=3, ge=1)
    consumer_partitions: str = Field(
        default="", description="comma-separated partitions this consumer takes; empty = all"
    )

    @field_validator(
        "auth_issuer",
        "auth_jwks_url",
        "otlp_endpoint",
        "web_identity_url",
        "web_matching_url",
        "web_candidates_url",
        "web_employers_url",
    )
    @classmethod
    def _http_urls(cls, value: str) -> str:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s) URL")
        return value

    @field_validator("auth_jwks_file")
    @classmethod
    def _a_readable_jwks(cls, value: Path | None) -> Path | None:
        if value is None:
            return value
        try:
            keys = load_jwks_file(value).get("keys")
        except (OSError, ValueError, AttributeError):
            raise ValueError("must be a readable JSON Web Key Set file") from None
        if not isinstance(keys, list) or not keys:
            raise ValueError("must be a JSON Web Key Set with at least one key")
        return value

    @model_validator(mode="after")
    def _one_api_process_on_sqlite(self) -> ServiceSettings:
        if self.api_workers > 1 and self.resolved_database_url.startswith("sqlite"):
            raise ValueError(
                f"api_workers={self.api_workers} needs PostgreSQL: on SQLite one process "
                "writes (set a postgresql+psycopg:// database_url, or api_workers=1)"
            )
        return self

    @model_validator(mode="after")
    def _idle_waits_in_order(self) -> ServiceSettings:
        if self.relay_idle_max_s < self.relay_poll_interval_s:
            raise ValueError(
                "relay_idle_max_s must be at least relay_poll_interval_s "
                f"({self.relay_idle_max_s} < {self.relay_poll_interval_s})"
            )
        return self

    @model_validator(mode="after")
    def _refuse_the_development_key_outside_development(self) -> ServiceSettings:
        if self.environment == "development":
            return self
        if self.auth_dev_signing_key_file is not None:
            raise ValueError(
                f"auth_dev_signing_key_file is for development only, not {self.environment!r}"
            )
        if self.auth_jwks_file is not None and trusts_development_key(
            load_jwks_file(self.auth_jwks_file)
        ):
            raise ValueError(
                f"auth_jwks_file publishes the development key, which only "
                f"environment 'development' may trust (not {self.environment!r})"
            )
        return self

    @property
    def write_rate(self) -> int:
        """Writes per minute per caller, 0 when unlimited (see `writes_per_minute`)."""
        if self.writes_per_minute is not None:
            return self.writes_per_minute
        return 600 if self.environment == "production" else 0

    @property
    def web_urls(self) -> dict[str, str]:
        """Each service's base URL for browsers, without a trailing slash."""
        return {
            "identity": self.web_identity_url.rstrip("/"),
            "matching": self.web_matching_url.rstrip("/"),
            "candidates": self.web_candidates_url.rstrip("/"),
            "employers": self.web_employers_url.rstrip("/"),
        }

    @property
    def trusts_development_key(self) -> bool:
        """The development key (kakehashi token, the console's demo sign-in) is trusted in
        development only."""
        return self.environment == "development"

    @property
    def resolved_database_url(self) -> str:
        """The configured URL, or a SQLite file per service under `data_dir`."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / f'{self.service_name}.db').resolve()}"

    @property
    def partitions(self) -> list[int] | None:
        """The partitions configured for this consumer, or None for all of them."""
        parts = [p.strip() for p in self.consumer_partitions.split(",") if p.strip()]
        return [int(p) for p in parts] or None

    @property
    def bootstrap_servers(self) -> list[str]:
        return [s.strip() for s in self.kafka_bootstrap_servers.split(",") if s.strip()]
