"""Settings of the matching service (env prefix KAKEHASHI_MATCHING_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict
from sqlalchemy.engine import make_url

from kakehashi.shared.settings import ServiceSettings


class MatchingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KAKEHASHI_MATCHING_", extra="ignore")

    service_name: str = "matching"
    api_port: int = 8003
    weight_skills: float = Field(default=0.5, ge=0)
    weight_japanese: float = Field(default=0.2, ge=0)
    weight_experience: float = Field(default=0.15, ge=0)
    weight_preferences: float = Field(default=0.15, ge=0)
    # Strength above what an order asks (domain/scoring.py `Surplus`, docs/matching.md).
    surplus_skill_share: float = Field(default=0.2, ge=0, le=1)
    surplus_skill_half_levels: float = Field(default=1.0, gt=0)
    surplus_experience_share: float = Field(default=0.2, ge=0, le=1)
    surplus_experience_half_years: float = Field(default=2.0, gt=0)
    # A nice-to-have met by a skill of the same family: this share of that skill's coverage.
    related_credit: float = Field(default=0.5, ge=0, le=1)
    # Exploration: every n-th place of a match list's review window shows a lower-ranked
    # eligible candidate, marked (domain/exploration.py); 0 turns it off.
    exploration_every: int = Field(default=10, ge=0)
    # Inverse propensity weighting of the learned ranking's fit and refit gate
    # (domain/weighting.py): on, with weights clipped at this (docs/matching.md says why 10).
    ipw: bool = True
    ipw_max_weight: float = Field(default=10.0, ge=1, le=100)
    # The refit schedule (`kakehashi-matching refit-loop`): refit when at least this many new
    # decisions were recorded since the last attempt AND this long has passed since it.
    refit_min_new_decisions: int = Field(default=50, ge=1)
    refit_min_interval_minutes: int = Field(default=60, ge=0)
    refit_poll_seconds: float = Field(default=60.0, gt=0)
    # A refit holds a lease this long; one whose holder died expires after it.
    refit_lease_seconds: int = Field(default=900, ge=60)
    # The candidate index kept on disk so a restart does not rebuild it from every row
    # (service_layer/candidate_index.py); empty: beside the SQLite database, else in data_dir.
    index_snapshot_path: Path | None = None
    index_snapshot: bool = True
    # How long a program manager may take back a decision.
    undo_window_minutes: int = Field(default=10, ge=0)
    # TrueType fonts of the PDF shortlist: the first sets the text (Latin and Vietnamese), the
    # others supply the glyphs it lacks (Japanese). Debian: fonts-dejavu-core and
    # fonts-ipafont-gothic. As an env var, a JSON list of paths.
    pdf_fonts: list[Path] = Field(
        default_factory=lambda: [
            Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
            Path("/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf"),
        ],
        min_length=1,
    )

    @property
    def candidate_index_snapshot(self) -> Path | None:
        """Where the candidate index is kept: beside a SQLite database (so it belongs to that
        database), else under `data_dir`; None when switched off."""
        if not self.index_snapshot:
            return None
        if self.index_snapshot_path is not None:
            return self.index_snapshot_path
        url = make_url(self.resolved_database_url)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            database = Path(url.database or "")
            return database.with_name(database.name + ".candidate-index.npz")
        return self.data_dir / "matching-candidate-index.npz"
