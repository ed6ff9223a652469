"""Request and response bodies of the employers API (distinct from the tables)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from kakehashi.shared.reference import JapaneseLevel, Prefecture, Sector, SkillCode, SkillLevel
from kakehashi.shared.schemas import RequestModel


class RequiredSkillIn(RequestModel):
    code: SkillCode
    min_level: SkillLevel = 1
    must_have: bool = True


class JobOrderCreate(RequestModel):
    title: str = Field(min_length=1, max_length=200, examples=["溶接工 / Welder"])
    sector: Sector
    prefecture: Prefecture
    headcount: int = Field(ge=1, le=500)
    min_japanese_level: JapaneseLevel = JapaneseLevel.NONE
    required_skills: list[RequiredSkillIn] = Field(default_factory=list, max_length=30)


class RequiredSkillPublic(BaseModel):
    code: str
    min_level: int
    must_have: bool


class JobOrderPublic(BaseModel):
    id: str
    employer_id: str
    title: str
    sector: Sector
    prefecture: str
    headcount: int
    min_japanese_level: JapaneseLevel
    required_skills: list[RequiredSkillPublic]
    status: str
    version: int
    created_at: datetime
    updated_at: datetime
