"""Request and response bodies of the candidates API (distinct from the tables)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from kakehashi.shared.reference import JapaneseLevel, Sector, SkillCode, SkillLevel
from kakehashi.shared.schemas import RequestModel


class TradeSkillIn(RequestModel):
    code: SkillCode
    level: SkillLevel


class CandidateCreate(RequestModel):
    full_name: str = Field(min_length=1, max_length=200, examples=["Nguyễn Văn An"])
    province: str = Field(min_length=1, max_length=100, examples=["Tây Ninh"])
    sector: Sector
    japanese_level: JapaneseLevel = JapaneseLevel.NONE
    skills: list[TradeSkillIn] = Field(default_factory=list, max_length=50)


class TradeSkillPublic(BaseModel):
    code: str
    level: int


class CandidatePublic(BaseModel):
    id: str
    training_centre_id: str
    full_name: str
    province: str
    sector: Sector
    japanese_level: JapaneseLevel
    skills: list[TradeSkillPublic]
    status: str
    version: int
    created_at: datetime
    updated_at: datetime
