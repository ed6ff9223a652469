"""Job orders (求人票) as the domain sees them, and the events they cause."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kakehashi.shared.errors import DomainError
from kakehashi.shared.reference import JapaneseLevel, Sector

JOB_ORDER_OPENED = "job_order.opened"


@dataclass(frozen=True)
class RequiredSkill:
    code: str
    min_level: int
    must_have: bool = True


@dataclass(frozen=True)
class PostJobOrder:
    """Command: an employer posts a job order, open for matching at once."""

    employer_id: str
    title: str
    sector: Sector
    prefecture: str
    headcount: int
    min_japanese_level: JapaneseLevel
    required_skills: tuple[RequiredSkill, ...] = field(default=())


def check_job_order(command: PostJobOrder) -> None:
    """Rules beyond field formats: each skill is required once; headcount is positive."""
    if command.headcount < 1:
        raise DomainError("headcount", "must be at least 1")
    codes = [skill.code for skill in command.required_skills]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise DomainError("required_skills", f"listed more than once: {', '.join(duplicates)}")


def opened_event_data(job_order_id: str, command: PostJobOrder, version: int) -> dict[str, Any]:
    """What matching needs of an open job order."""
    return {
        "job_order_id": job_order_id,
        "version": version,
        "employer_id": command.employer_id,
        "title": command.title,
        "sector": command.sector.value,
        "prefecture": command.prefecture,
        "headcount": command.headcount,
        "min_japanese_level": command.min_japanese_level.value,
        "required_skills": [
            {"code": s.code, "min_level": s.min_level, "must_have": s.must_have}
            for s in command.required_skills
        ],
        "status": "open",
    }
