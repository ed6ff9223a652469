"""Typed settings shared by every service; each service subclasses with its own env prefix."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Secrets that ship in this repository or its docs: fine on a laptop, refused anywhere else.
DEV_JWT_SECRET = "dev-secret-change-me-dev-secret-change-me"  # noqa: S105 - development only
KNOWN_DEV_SECRETS = frozenset({DEV_JWT_SECRET, "secret", "changeme", "change-me"})
MIN_SECRET_LENGTH = 32

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
    jwt_secret: SecretStr = SecretStr(DEV_JWT_SECRET)
    jwt_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"
    log_level: str = "INFO"
    log_json: bool = True
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    relay_batch_size: int = Field(default=200, ge=1)
    relay_poll_interval_s: float = Field(default=0.05, gt=0)
    consumer_max_attempts: int = Field(default=3, ge=1)
    consumer_partitions: str = Field(
        default="", description="comma-separated partitions this consumer takes; empty = all"
    )

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> ServiceSettings:
        secret = self.jwt_secret.get_secret_value()
        if self.environment != "development" and (
            secret in KNOWN_DEV_SECRETS or len(secret) < MIN_SECRET_LENGTH
        ):
            raise ValueError(
                f"jwt_secret must be a private value of at least {MIN_SECRET_LENGTH} characters "
                f"when environment is {self.environment!r}"
            )
        return self

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
