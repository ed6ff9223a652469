"""The matching service's read model, built only from events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class CandidateView(SQLModel, table=True):
    __tablename__ = "candidate_view"

    candidate_id: str = Field(primary_key=True, max_length=36)
    training_centre_id: str = Field(max_length=100)
    full_name: str = Field(max_length=200)
    province: str = Field(max_length=100)
    sector: str = Field(max_length=64, index=True)
    japanese_level: str = Field(max_length=8)
    skills: list[dict[str, Any]] = Field(sa_type=sa.JSON)
    version: int
    updated_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class JobOrderView(SQLModel, table=True):
    __tablename__ = "job_order_view"

    job_order_id: str = Field(primary_key=True, max_length=36)
    employer_id: str = Field(max_length=100, index=True)
    title: str = Field(max_length=200)
    sector: str = Field(max_length=64, index=True)
    prefecture: str = Field(max_length=32)
    headcount: int
    min_japanese_level: str = Field(max_length=8)
    required_skills: list[dict[str, Any]] = Field(sa_type=sa.JSON)
    status: str = Field(max_length=32)
    version: int
    updated_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
