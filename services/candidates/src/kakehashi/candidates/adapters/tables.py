"""Database tables of the candidates service."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class Candidate(SQLModel, table=True):
    __tablename__ = "candidate"

    id: str = Field(primary_key=True, max_length=36)
    training_centre_id: str = Field(index=True, max_length=100)
    full_name: str = Field(max_length=200)
    province: str = Field(max_length=100)
    sector: str = Field(max_length=64, index=True)
    japanese_level: str = Field(max_length=8)
    skills: list[dict[str, Any]] = Field(sa_type=sa.JSON)
    status: str = Field(max_length=32, default="registered")
    version: int = 1
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
