"""Where a centre's candidates stand in matching: the latest decision on each of their pairs
(one per job order), as the service recorded it from `match.status_changed`.

The pages read it; nothing here changes a candidate (the event handlers do).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from kakehashi.candidates.adapters.tables import (
    Candidate,
    CandidateConsent,
    CandidateMatch,
    CandidateTransition,
)
from kakehashi.candidates.service_layer.consents import consents_of
from kakehashi.candidates.service_layer.handlers import details, read_visible, transitions_of
from kakehashi.candidates.service_layer.publication import CandidateDetails
from kakehashi.shared.auth import Principal
from kakehashi.shared.clock import today
from kakehashi.shared.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Placement:
    """One order's latest decision on one candidate; `refusal` set when the candidate's
    pipeline could not follow it."""

    candidate_id: str
    candidate_name: str
    job_order_id: str
    status: str
    updated_at: datetime
    note: str | None
    refusal: str | None


def _placement(pair: CandidateMatch, name: str) -> Placement:
    return Placement(
        candidate_id=pair.candidate_id,
        candidate_name=name,
        job_order_id=pair.job_order_id,
        status=pair.status,
        updated_at=pair.updated_at,
        note=pair.note,
        refusal=pair.refusal,
    )


def placements_in(session: Session, row: Candidate) -> list[Placement]:
    """The candidate's pairs, latest decision first."""
    pairs = session.exec(
        select(CandidateMatch)
        .where(col(CandidateMatch.candidate_id) == row.id)
        .order_by(col(CandidateMatch.updated_at).desc(), col(CandidateMatch.match_id))
    ).all()
    return [_placement(pair, row.full_name) for pair in pairs]


@dataclass(frozen=True)
class CandidateFile:
    """Everything a candidate's page shows: the profile and eligibility, the pipeline history,
    the consents and where the candidate stands in matching."""

    candidate: CandidateDetails
    history: list[CandidateTransition]
    consents: list[CandidateConsent]
    placements: list[Placement]


def candidate_file(
    uow: UnitOfWork, principal: Principal, candidate_id: str
) -> CandidateFile | None:
    """A candidate's file, read in one transaction with one audit entry; None if the caller
    may not see the candidate (another centre's is simply not found)."""

    def read(session: Session, row: Candidate) -> CandidateFile:
        return CandidateFile(
            candidate=details(row, today()),
            history=transitions_of(session, row.id),
            consents=consents_of(session, row.id),
            placements=placements_in(session, row),
        )

    return read_visible(uow, principal, candidate_id, read)


def recent_placements(uow: UnitOfWork, principal: Principal, *, limit: int) -> list[Placement]:
    """What happened lately to the candidates the caller may see in matching (proposed,
    interviewed, selected, rejected, refused), newest first: the centre's notifications."""
    query = (
        select(CandidateMatch, Candidate.full_name)
        .join(Candidate, col(Candidate.id) == col(CandidateMatch.candidate_id))
        .order_by(col(CandidateMatch.updated_at).desc(), col(CandidateMatch.match_id))
        .limit(limit)
    )
    if not principal.sees_everything:
        query = query.where(col(Candidate.training_centre_id) == principal.organisation_id)
    with uow:
        return [_placement(pair, name) for pair, name in uow.session.exec(query).all()]
