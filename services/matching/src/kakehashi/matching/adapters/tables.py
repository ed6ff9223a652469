"""The matching service's read model, built only from events."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from kakehashi.shared.db import UTCDateTime


class CandidateView(SQLModel, table=True):
    __tablename__ = "candidate_view"

    candidate_id: str = Field(primary_key=True, max_length=36)
    training_centre_id: str = Field(max_length=100)
    full_name: str = Field(max_length=200)  # as in the passport, Latin letters
    # The name as Vietnamese and Japanese readers know the person (revision 0011; None: not given).
    name_vi: str | None = Field(default=None, max_length=200)
    name_katakana: str | None = Field(default=None, max_length=200)
    province: str = Field(max_length=100)
    sector: str = Field(max_length=64, index=True)
    japanese_level: str = Field(max_length=8)
    skills: list[dict[str, Any]] = Field(sa_type=sa.JSON)
    status: str = Field(default="registered", max_length=32)
    # The candidate's training stage (registered, in_training, ready), kept by candidates while
    # orders interview or select them; None until an event carries it (revision 0006).
    training_status: str | None = Field(default=None, max_length=32)
    date_of_birth: date | None = None
    available_from: date | None = None
    desired_tracks: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    desired_sectors: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    desired_prefectures: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    eligible_tracks: list[str] | None = Field(default=None, sa_type=sa.JSON)  # None: unknown
    # {track: [[first day, last day], ...]} as ISO dates (null: open-ended); revision 0007.
    eligible_windows: dict[str, list[list[str | None]]] | None = Field(
        default=None, sa_type=sa.JSON
    )
    experience_years: float | None = None
    province_code: str | None = Field(default=None, max_length=16)
    version: int
    change_seq: int = Field(default=0, sa_type=sa.BigInteger)  # see ChangeSequence
    updated_at: datetime = Field(sa_type=UTCDateTime)


class ErasedCandidate(SQLModel, table=True):
    """A tombstone: an erased candidate's late or replayed events must not bring them back."""

    __tablename__ = "erased_candidate"

    candidate_id: str = Field(primary_key=True, max_length=36)
    change_seq: int = Field(default=0, sa_type=sa.BigInteger)
    erased_at: datetime = Field(sa_type=UTCDateTime)


class ChangeSequence(SQLModel, table=True):
    """A counter bumped (under a row lock) by every change to the candidate read model.

    Changes commit in sequence order, so a reader that has seen up to N can ask for `> N` and
    miss nothing, which timestamps cannot promise.
    """

    __tablename__ = "change_sequence"

    name: str = Field(primary_key=True, max_length=50)
    value: int = Field(sa_type=sa.BigInteger)


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
    track: str | None = Field(default=None, max_length=8)
    job_category: str | None = Field(default=None, max_length=100)
    experience_years_min: float | None = None
    expected_departure_date: date | None = None
    application_deadline: date | None = None
    monthly_base_pay_yen: int | None = None
    # What the order's terms warn a program manager of, as employers' codes (below_minimum_wage,
    # sex_preference...); never a preference's value. Empty from older events (revision 0013).
    warnings: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    version: int
    updated_at: datetime = Field(sa_type=UTCDateTime)


class MatchPair(SQLModel, table=True):
    """Where one candidate stands for one order: the latest decision on the pair."""

    __tablename__ = "match_pair"

    match_id: str = Field(primary_key=True, max_length=80)  # "<job order id>:<candidate id>"
    job_order_id: str = Field(max_length=36, index=True)
    candidate_id: str = Field(max_length=36, index=True)
    status: str = Field(max_length=32)
    version: int
    updated_at: datetime = Field(sa_type=UTCDateTime)
    # Set when the candidate's owner refused this version's decision (`candidate.match_refused`),
    # cleared by the pair's next decision (revision 0006).
    refusal_code: str | None = Field(default=None, max_length=32)
    refusal_message: str | None = Field(default=None, max_length=500)


class MatchDecision(SQLModel, table=True):
    """The audit of every decision on a pair: who, when, from which status to which, and why."""

    __tablename__ = "match_decision"

    id: int | None = Field(default=None, primary_key=True)
    match_id: str = Field(max_length=80, index=True)
    job_order_id: str = Field(max_length=36, index=True)
    candidate_id: str = Field(max_length=36, index=True)
    action: str = Field(max_length=32)  # an Action, "interview" or "undo"
    from_status: str | None = Field(default=None, max_length=32)
    to_status: str = Field(max_length=32)
    reason_code: str | None = Field(default=None, max_length=32)
    note: str | None = Field(default=None, sa_type=sa.Text)
    # The score and its components when the decision was taken: what learning fits on.
    score: float | None = None
    components: dict[str, float] | None = Field(default=None, sa_type=sa.JSON)
    decided_by: str = Field(max_length=200)
    decided_by_role: str = Field(max_length=32)
    decided_by_organisation_id: str = Field(max_length=100)
    decided_at: datetime = Field(sa_type=UTCDateTime)
    version: int
    # How the list showed the pair when it was first decided (revision 0012; None: a later
    # step, or recorded before): shown by exploration, and the probability the list's policy
    # showed it in the review window (`exploration.Placement`), which weights it in the fit.
    exploration: bool | None = None
    propensity: float | None = None


class RankingModelFit(SQLModel, table=True):
    """A record of each ranking model fitted on decisions: how good it was and what it learned."""

    __tablename__ = "ranking_model"

    id: int | None = Field(default=None, primary_key=True)
    fitted_at: datetime = Field(sa_type=UTCDateTime)
    fitted_by: str = Field(max_length=200)
    n_pairs: int
    metrics: dict[str, Any] = Field(sa_type=sa.JSON)
    coefficients: dict[str, float] = Field(sa_type=sa.JSON)
    intercept: float
    # The fitted numbers (per calibration fold: coef, intercept, a, b) to rank with.
    folds: list[dict[str, Any]] = Field(sa_type=sa.JSON)


class RefitAttempt(SQLModel, table=True):
    """Each attempt to refit the learned ranking (scheduled or asked for): what it saw, its
    held-out figures, and why its fit was or was not promoted (revision 0012)."""

    __tablename__ = "ranking_refit_attempt"

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime = Field(sa_type=UTCDateTime)
    trigger: str = Field(max_length=32)  # "schedule" or "manual"
    outcome: str = Field(max_length=32)  # `learning_schedule.Outcome`
    reason: str = Field(sa_type=sa.Text)
    # The newest decision the attempt read: the next one counts new decisions from here.
    last_decision_id: int = 0
    new_decisions: int = 0
    fit_id: int | None = Field(default=None, index=True)  # ranking_model.id, if a fit was made
    metrics: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)


class RefitLease(SQLModel, table=True):
    """Who is refitting now: one row, taken by compare-and-set so that two schedulers never
    fit at once; a lease that outlives its holder expires."""

    __tablename__ = "ranking_refit_lease"

    name: str = Field(primary_key=True, max_length=32)
    holder: str | None = Field(default=None, max_length=200)
    expires_at: datetime = Field(sa_type=UTCDateTime)
