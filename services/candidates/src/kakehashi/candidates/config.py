"""Settings of the candidates service (env prefix KAKEHASHI_CANDIDATES_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from kakehashi.shared.settings import ServiceSettings


class CandidatesSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KAKEHASHI_CANDIDATES_", extra="ignore")

    service_name: str = "candidates"
    api_port: int = 8001
    # What an uploaded import file may hold (rows counting blank ones, characters per cell, what
    # an XLSX unpacks to, its shared-string table), checked before any row is registered.
    import_max_rows: int = Field(default=50_000, ge=1, le=1_000_000)
    import_max_cell_chars: int = Field(default=4_096, ge=64, le=1_000_000)
    import_max_uncompressed_bytes: int = Field(default=200 * 1024 * 1024, ge=1)
    import_max_shared_strings_bytes: int = Field(default=64 * 1024 * 1024, ge=1)
