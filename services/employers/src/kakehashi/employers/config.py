"""Settings of the employers service (env prefix KAKEHASHI_EMPLOYERS_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from kakehashi.shared.settings import ServiceSettings


class EmployersSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KAKEHASHI_EMPLOYERS_", extra="ignore")

    service_name: str = "employers"
    api_port: int = 8002
