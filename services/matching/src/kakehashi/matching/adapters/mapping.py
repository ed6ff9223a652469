"""Rows of the read model and the audit as the domain sees them, and back."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any, Protocol

import numpy as np

from kakehashi.matching.adapters.tables import (
    JobOrderView,
    MatchDecision,
    RankingModelFit,
)
from kakehashi.matching.domain.decisions import PairStatus, Step
from kakehashi.matching.domain.learning import CalibratedFold, DecisionRow, Metrics, RankingModel
from kakehashi.matching.domain.model import CandidateProfile, Order, Requirement
from kakehashi.shared.reference import JapaneseLevel, Track

UNDO = "undo"  # the audit's action of an undo


class CandidateFields(Protocol):
    """What scoring reads of a candidate: a CandidateView, or a row of just these columns
    (what the index reads when it builds from every row: no ORM object per candidate)."""

    @property
    def candidate_id(self) -> str: ...
    @property
    def japanese_level(self) -> str: ...
    @property
    def skills(self) -> list[dict[str, Any]]: ...
    @property
    def date_of_birth(self) -> date | None: ...
    @property
    def available_from(self) -> date | None: ...
    @property
    def eligible_tracks(self) -> list[str] | None: ...
    @property
    def eligible_windows(self) -> dict[str, list[list[str | None]]] | None: ...
    @property
    def desired_tracks(self) -> list[str]: ...
    @property
    def desired_prefectures(self) -> list[str]: ...
    @property
    def experience_years(self) -> float | None: ...


# The columns of CandidateFields, for a query that reads only them.
CANDIDATE_FIELDS = (
    "candidate_id",
    "japanese_level",
    "skills",
    "date_of_birth",
    "available_from",
    "eligible_tracks",
    "eligible_windows",
    "desired_tracks",
    "desired_prefectures",
    "experience_years",
)


# Lookups instead of enum calls: profile_of runs once per candidate when the index is built.
_RANK = {level.value: level.rank for level in JapaneseLevel}
_TRACK = {track.value: track for track in Track}


def profile_of(view: CandidateFields) -> CandidateProfile:
    """A candidate of the read model as scoring reads them."""
    return CandidateProfile(
        id=view.candidate_id,
        japanese_rank=_RANK[view.japanese_level],
        skills={s["code"]: s["level"] for s in view.skills},
        date_of_birth=view.date_of_birth,
        available_from=view.available_from,
        eligible_tracks=None
        if view.eligible_tracks is None
        else frozenset(map(_TRACK.__getitem__, view.eligible_tracks)),
        eligible_windows=None
        if view.eligible_windows is None
        else {
            Track(track): tuple((_day(first, -np.inf), _day(last, np.inf)) for first, last in runs)
            for track, runs in view.eligible_windows.items()
        },
        desired_tracks=frozenset(map(_TRACK.__getitem__, view.desired_tracks)),
        desired_prefectures=frozenset(view.desired_prefectures),
        experience_years=view.experience_years,
    )


def _day(iso: str | None, open_end: float) -> float:
    return open_end if iso is None else float(date.fromisoformat(iso).toordinal())


def order_of(view: JobOrderView) -> Order:
    """A job order of the read model as scoring reads it."""
    return Order(
        min_japanese_rank=JapaneseLevel(view.min_japanese_level).rank,
        requirements=tuple(
            Requirement(code=r["code"], min_level=r["min_level"], must_have=r["must_have"])
            for r in view.required_skills
        ),
        track=Track(view.track) if view.track else None,
        prefecture=view.prefecture,
        departure=view.expected_departure_date,
        experience_years_min=view.experience_years_min,
    )


def step_of(decision: MatchDecision) -> Step:
    """An audited decision as undo reads it."""
    return Step(
        from_status=PairStatus(decision.from_status) if decision.from_status else None,
        to_status=PairStatus(decision.to_status),
        decided_at=decision.decided_at,
        is_undo=decision.action == UNDO,
    )


def decision_row_of(decision: MatchDecision) -> DecisionRow:
    """An audited decision as labelling reads it (no note, nobody's name)."""
    d = decision
    return DecisionRow(
        d.match_id,
        d.version,
        d.action,
        d.to_status,
        d.reason_code,
        d.score,
        d.components,
        job_order_id=d.job_order_id,
        exploration=d.exploration,
        propensity=d.propensity,
    )


def fit_record_of(model: RankingModel, fitted_at: datetime, fitted_by: str) -> RankingModelFit:
    """The record of a fit: its fitted numbers, so any process can rank with it."""
    return RankingModelFit(
        fitted_at=fitted_at,
        fitted_by=fitted_by,
        n_pairs=model.n_pairs,
        metrics=asdict(model.metrics),
        coefficients=model.coefficients,
        intercept=model.intercept,
        folds=[asdict(fold) for fold in model.folds],
    )


def model_of(record: RankingModelFit) -> RankingModel:
    """The model a recorded fit ranks with."""
    return RankingModel(
        folds=tuple(
            CalibratedFold(tuple(f["coef"]), f["intercept"], f["a"], f["b"]) for f in record.folds
        ),
        coefficients=dict(record.coefficients),
        intercept=record.intercept,
        metrics=Metrics(**record.metrics),
        n_pairs=record.n_pairs,
    )
