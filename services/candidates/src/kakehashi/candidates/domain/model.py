"""Candidates as the domain sees them: what a training centre registers, and the events it causes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kakehashi.shared.errors import DomainError
from kakehashi.shared.reference import JapaneseLevel, Sector

CANDIDATE_REGISTERED = "candidate.registered"


@dataclass(frozen=True)
class TradeSkill:
    code: str
    level: int


@dataclass(frozen=True)
class RegisterCandidate:
    """Command: a training centre registers a worker it trains."""

    training_centre_id: str
    full_name: str
    province: str
    sector: Sector
    japanese_level: JapaneseLevel
    skills: tuple[TradeSkill, ...] = field(default=())


def check_registration(command: RegisterCandidate) -> None:
    """Rules beyond field formats: a skill is listed once."""
    codes = [skill.code for skill in command.skills]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise DomainError("skills", f"listed more than once: {', '.join(duplicates)}")


def registered_event_data(
    candidate_id: str, command: RegisterCandidate, version: int
) -> dict[str, Any]:
    """What matching needs of a new candidate; never contacts, ID numbers or health data."""
    return {
        "candidate_id": candidate_id,
        "version": version,
        "training_centre_id": command.training_centre_id,
        "full_name": command.full_name,
        "province": command.province,
        "sector": command.sector.value,
        "japanese_level": command.japanese_level.value,
        "skills": [{"code": s.code, "level": s.level} for s in command.skills],
    }
