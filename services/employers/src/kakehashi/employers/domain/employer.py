"""An employer's profile and the intermediary it recruits through."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kakehashi.shared.errors import DomainError
from kakehashi.shared.reference import Sector


class IntermediaryKind(StrEnum):
    """Who stands between the employer and the worker, by track."""

    SUPERVISING_ORGANISATION = "supervising_organisation"  # 監理団体, TITP (and ESD)
    REGISTERED_SUPPORT_ORGANISATION = "registered_support_organisation"  # 登録支援機関, SSW


@dataclass(frozen=True)
class EmployerProfileData:
    company_name_ja: str
    company_name_romaji: str
    prefecture: str
    industry: Sector
    intermediary_kind: IntermediaryKind | None = None
    intermediary_name: str | None = None


def check_profile(profile: EmployerProfileData) -> None:
    """An intermediary is named together with its kind, or not at all."""
    if profile.intermediary_name and profile.intermediary_kind is None:
        raise DomainError(
            "intermediary_kind", "say whether the intermediary supervises or supports"
        )
    if profile.intermediary_kind is not None and not profile.intermediary_name:
        raise DomainError("intermediary_name", "name the intermediary")
