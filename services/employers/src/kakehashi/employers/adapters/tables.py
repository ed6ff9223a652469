"""Database tables of the employers service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from kakehashi.shared.db import UTCDateTime


class JobOrder(SQLModel, table=True):
    __tablename__ = "job_order"

    id: str = Field(primary_key=True, max_length=36)
    employer_id: str = Field(index=True, max_length=100)
    title: str = Field(max_length=200)
    track: str = Field(max_length=8, default="ssw1", index=True)
    sector: str = Field(max_length=64, index=True)
    job_category: str | None = Field(default=None, max_length=64)
    prefecture: str = Field(max_length=32, index=True)
    headcount: int
    min_japanese_level: str = Field(max_length=8)
    required_skills: list[dict[str, Any]] = Field(sa_type=sa.JSON)
    experience_years_min: int = 0
    education: str = Field(max_length=32, default="none")
    monthly_base_pay_yen: int | None = None
    hours_per_week: float | None = None
    overtime_hours_per_month: int | None = None
    days_off_per_year: int | None = None
    housing_provided: bool | None = None
    housing_monthly_cost_yen: int | None = None
    contract_months: int | None = None
    interview_date: date | None = None
    interview_format: str | None = Field(default=None, max_length=32)
    expected_departure_date: date | None = None
    application_deadline: date | None = Field(default=None, index=True)
    # Stored only to warn about; never copied into an event.
    preferred_sex: str | None = Field(default=None, max_length=16)
    age_min: int | None = None
    age_max: int | None = None
    preferred_marital_status: str | None = Field(default=None, max_length=16)
    # Recomputed at every write, so readers see what the employer saw when saving.
    warnings: list[dict[str, str]] = Field(default_factory=list, sa_type=sa.JSON)
    status: str = Field(max_length=32, default="open", index=True)
    headcount_filled: int = 0  # candidates selected for this order, from matching's decisions
    version: int = 1
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class JobOrderTransition(SQLModel, table=True):
    """One row per status change, the creation included (from_status is then None)."""

    __tablename__ = "job_order_transition"

    id: int | None = Field(default=None, primary_key=True)
    job_order_id: str = Field(foreign_key="job_order.id", index=True, max_length=36)
    from_status: str | None = Field(default=None, max_length=32)
    to_status: str = Field(max_length=32)
    by_subject: str = Field(max_length=200)
    by_role: str = Field(max_length=32)
    by_organisation_id: str = Field(max_length=100)
    at: datetime = Field(sa_type=UTCDateTime)
    reason: str | None = Field(default=None, max_length=500)


class EmployerProfile(SQLModel, table=True):
    """An employer organisation's own description; one row per organisation id of the tokens."""

    __tablename__ = "employer_profile"

    organisation_id: str = Field(primary_key=True, max_length=100)
    company_name_ja: str = Field(max_length=200)
    company_name_romaji: str = Field(max_length=200)
    prefecture: str = Field(max_length=32)
    industry: str = Field(max_length=64)
    intermediary_kind: str | None = Field(default=None, max_length=40)
    intermediary_name: str | None = Field(default=None, max_length=200)
    version: int = 1
    updated_at: datetime = Field(sa_type=UTCDateTime)


class Selection(SQLModel, table=True):
    """Where a candidate stands for an order, as decided in matching (the latest version wins)."""

    __tablename__ = "selection"

    job_order_id: str = Field(primary_key=True, max_length=36)
    candidate_id: str = Field(primary_key=True, max_length=36)
    status: str = Field(max_length=32)
    version: int
    updated_at: datetime = Field(sa_type=UTCDateTime)
    # The decision version the candidate's owner refused (`candidate.match_refused`): a refused
    # selection is not counted. It may arrive before the decision itself (revision 0004).
    refused_version: int | None = None
    refusal_code: str | None = Field(default=None, max_length=32)


class CandidateName(SQLModel, table=True):
    """A candidate's name in its three spellings, from candidates' snapshots, so that the order
    page names the people proposed to the employer (the employer-safe view includes the name,
    and interviews are arranged by name). Nothing else of the person is kept. A candidate who
    withdrew consent or was erased keeps a nameless row (`shared` False): their proposals are
    not shown, and an older snapshot arriving late cannot bring the name back."""

    __tablename__ = "candidate_name"

    candidate_id: str = Field(primary_key=True, max_length=36)
    version: int
    full_name: str | None = Field(default=None, max_length=200)  # the passport's Latin letters
    name_vi: str | None = Field(default=None, max_length=200)
    name_katakana: str | None = Field(default=None, max_length=200)
    shared: bool = True
