"""Settings of the candidates service (env prefix KAKEHASHI_CANDIDATES_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from kakehashi.shared.settings import ServiceSettings


class CandidatesSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KAKEHASHI_CANDIDATES_", extra="ignore")

    service_name: str = "candidates"
    api_port: int = 8001
