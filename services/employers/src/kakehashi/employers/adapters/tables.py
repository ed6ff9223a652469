"""Database tables of the employers service."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class JobOrder(SQLModel, table=True):
    __tablename__ = "job_order"

    id: str = Field(primary_key=True, max_length=36)
    employer_id: str = Field(index=True, max_length=100)
    title: str = Field(max_length=200)
    sector: str = Field(max_length=64, index=True)
    prefecture: str = Field(max_length=32)
    headcount: int
    min_japanese_level: str = Field(max_length=8)
    required_skills: list[dict[str, Any]] = Field(sa_type=sa.JSON)
    status: str = Field(max_length=32, default="open")
    version: int = 1
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
