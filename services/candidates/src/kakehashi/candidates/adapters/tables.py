"""Database tables of the candidates service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from kakehashi.shared.db import UTCDateTime


class Candidate(SQLModel, table=True):
    __tablename__ = "candidate"

    id: str = Field(primary_key=True, max_length=36)
    training_centre_id: str = Field(index=True, max_length=100)
    full_name: str = Field(max_length=200)
    province: str = Field(max_length=100)
    sector: str = Field(max_length=64, index=True)
    japanese_level: str = Field(max_length=8)  # effective level: from tests, else declared
    skills: list[dict[str, Any]] = Field(sa_type=sa.JSON)
    status: str = Field(max_length=32, default="registered", index=True)
    # The last training stage reached (registered, in_training, ready): where the candidate
    # returns to when the orders holding them let them go (revision 0006).
    training_status: str = Field(max_length=32, default="registered")
    version: int = 1
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)

    # Profile (revision 0002). Lists and nested values are JSON.
    name_vi: str | None = Field(default=None, max_length=200)
    name_katakana: str | None = Field(default=None, max_length=200)
    date_of_birth: date | None = None
    sex: str | None = Field(default=None, max_length=16)  # never in events
    province_code: str | None = Field(default=None, max_length=8, index=True)
    phone: str | None = Field(default=None, max_length=32)  # never in events
    email: str | None = Field(default=None, max_length=254)  # never in events
    passport_number: str | None = Field(default=None, max_length=32)  # never in events
    education: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    work_history: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    japanese_tests: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    declared_japanese_level: str | None = Field(default=None, max_length=8)
    training_hours: int | None = None
    training_cohort: str | None = Field(default=None, max_length=100)
    health_check_status: str | None = Field(default=None, max_length=16)  # never in events
    desired_tracks: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    desired_sectors: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    desired_prefectures: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    available_from: date | None = None
    earlier_stays: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)

    # Derived columns kept for search and duplicate checks (rewritten on every change).
    name_key: str = Field(default="", max_length=200, index=True)  # folded passport name
    name_search: str = Field(default="", max_length=400)  # folded passport + Vietnamese names
    passport_key: str | None = Field(default=None, max_length=32, index=True, unique=True)
    japanese_rank: int = 0
    eligible_tracks: str = Field(default="", max_length=64)  # ",ssw1,esd," as of the last change

    # Privacy (revision 0003): whether matching holds a copy (sharing consent given), erasure.
    published: bool = False
    erased_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CandidateTransition(SQLModel, table=True):
    """One move along the pipeline: who made it, when and why."""

    __tablename__ = "candidate_transition"

    id: int | None = Field(default=None, primary_key=True)
    candidate_id: str = Field(foreign_key="candidate.id", index=True, max_length=36)
    from_status: str | None = Field(default=None, max_length=32)
    to_status: str = Field(max_length=32)
    reason: str | None = Field(default=None, max_length=500)
    actor: str = Field(max_length=200)
    actor_organisation_id: str = Field(max_length=100)
    # The actor's role (training_centre, program_manager, employer, admin), so the history names
    # them in words; None on entries older than revision 0011 and on imported registrations.
    actor_role: str | None = Field(default=None, max_length=32)
    at: datetime = Field(sa_type=UTCDateTime)


class CandidateConsent(SQLModel, table=True):
    """One consent as given; withdrawal is stamped on it, never deleted (it is the proof)."""

    __tablename__ = "candidate_consent"

    id: str = Field(primary_key=True, max_length=36)
    candidate_id: str = Field(foreign_key="candidate.id", index=True, max_length=36)
    purpose: str = Field(max_length=64)
    scope: str = Field(max_length=64)
    notice_version: str = Field(max_length=32)
    language: str = Field(max_length=8)
    status: str = Field(max_length=16)
    given_at: datetime = Field(sa_type=UTCDateTime)
    recorded_by: str = Field(max_length=200)
    recorded_by_organisation_id: str = Field(max_length=100)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    withdrawn_by: str | None = Field(default=None, max_length=200)
    withdrawal_reason: str | None = Field(default=None, max_length=500)


class AuditEntry(SQLModel, table=True):
    """Who read, changed, exported or erased which candidate, and when. Holds ids, never PII."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    subject: str = Field(max_length=200)
    role: str = Field(max_length=32)
    organisation_id: str = Field(max_length=100)
    action: str = Field(max_length=32)
    candidate_id: str = Field(max_length=36, index=True)  # no FK: entries outlive nothing
    correlation_id: str | None = Field(default=None, max_length=100)


class CandidateMatch(SQLModel, table=True):
    """The latest of matching's decisions on one of a candidate's pairs (one job order each).

    The version per pair drops late and repeated decisions; the live pairs say whether another
    order still holds the candidate when one lets them go.
    """

    __tablename__ = "candidate_match"

    match_id: str = Field(primary_key=True, max_length=100)
    candidate_id: str = Field(foreign_key="candidate.id", index=True, max_length=36)
    job_order_id: str = Field(max_length=36)
    status: str = Field(max_length=32)
    version: int
    updated_at: datetime = Field(sa_type=UTCDateTime)
    # Why this decision did not move the candidate; None when it did.
    note: str | None = Field(default=None, max_length=500)
    # The reason code when the pipeline refused the decision (`candidate.match_refused`).
    refusal: str | None = Field(default=None, max_length=32)


class JobOrderEntry(SQLModel, table=True):
    """What the portal calls a job order: its title and employer, kept from employers'
    `job_order.*` events (revision 0011) so pages name orders, not their ids. The version drops
    late and repeated events."""

    __tablename__ = "job_order_directory"

    job_order_id: str = Field(primary_key=True, max_length=36)
    version: int
    title: str | None = Field(default=None, max_length=200)  # None until a snapshot arrives
    employer_id: str | None = Field(default=None, max_length=100)
    status: str = Field(max_length=32)
    updated_at: datetime = Field(sa_type=UTCDateTime)
