"""What matching is told about a candidate: snapshots while published, removal when not.

Matching may hold a candidate only while a sharing consent is given (APPI third-party sharing,
PDPL purpose). An unpublished candidate's changes still bump the version but emit nothing; the
snapshot sent when consent is given carries the state of that moment, status included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kakehashi.candidates.adapters.tables import Candidate
from kakehashi.candidates.domain.eligibility import TrackEligibility
from kakehashi.candidates.domain.events import SOURCE, removal_data, snapshot_data
from kakehashi.candidates.domain.pipeline import Status
from kakehashi.candidates.domain.profile import CandidateProfile
from kakehashi.shared.events import CANDIDATE_EVENTS, EventEnvelope
from kakehashi.shared.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class CandidateDetails:
    """A stored candidate with its profile and its eligibility judged today."""

    row: Candidate
    profile: CandidateProfile
    eligibility: tuple[TrackEligibility, ...]


def snapshot_event(event_type: str, found: CandidateDetails, on: date) -> EventEnvelope:
    row = found.row
    data = snapshot_data(
        candidate_id=row.id,
        version=row.version,
        training_centre_id=row.training_centre_id,
        status=Status(row.status),
        training_status=Status(row.training_status),
        profile=found.profile,
        eligibility=found.eligibility,
        today=on,
    )
    return EventEnvelope.new(type=event_type, source=SOURCE, subject=row.id, data=data)


def emit_snapshot(uow: UnitOfWork, event_type: str, found: CandidateDetails, on: date) -> None:
    """Send the full snapshot, but only of a published candidate."""
    if found.row.published:
        uow.emit(CANDIDATE_EVENTS, snapshot_event(event_type, found, on))


def emit_removal(uow: UnitOfWork, event_type: str, row: Candidate) -> None:
    """`candidate.unpublished` or `candidate.erased`: matching drops its copy."""
    uow.emit(
        CANDIDATE_EVENTS,
        EventEnvelope.new(
            type=event_type, source=SOURCE, subject=row.id, data=removal_data(row.id, row.version)
        ),
    )
