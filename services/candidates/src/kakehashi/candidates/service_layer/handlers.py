"""Use cases of the candidates service, one transaction each."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import func
from sqlmodel import col, select

from kakehashi.candidates.adapters.tables import Candidate
from kakehashi.candidates.domain.model import (
    CANDIDATE_REGISTERED,
    RegisterCandidate,
    check_registration,
    registered_event_data,
)
from kakehashi.shared.auth import Principal
from kakehashi.shared.events import CANDIDATE_EVENTS, EventEnvelope
from kakehashi.shared.unit_of_work import UnitOfWork

SOURCE = "kakehashi.candidates"


def register_candidate(uow: UnitOfWork, command: RegisterCandidate) -> Candidate:
    """Save a new candidate and its `candidate.registered` event in one transaction."""
    check_registration(command)
    candidate_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    candidate = Candidate(
        id=candidate_id,
        training_centre_id=command.training_centre_id,
        full_name=command.full_name,
        province=command.province,
        sector=command.sector.value,
        japanese_level=command.japanese_level.value,
        skills=[{"code": s.code, "level": s.level} for s in command.skills],
        status="registered",
        version=1,
        created_at=now,
        updated_at=now,
    )
    with uow:
        uow.session.add(candidate)
        uow.emit(
            CANDIDATE_EVENTS,
            EventEnvelope.new(
                type=CANDIDATE_REGISTERED,
                source=SOURCE,
                subject=candidate_id,
                data=registered_event_data(candidate_id, command, candidate.version),
            ),
        )
        uow.commit()
    return candidate


def get_candidate(uow: UnitOfWork, principal: Principal, candidate_id: str) -> Candidate | None:
    """The candidate if the caller may see it; another centre's candidate is simply not found."""
    with uow:
        candidate = uow.session.get(Candidate, candidate_id)
        if candidate is None:
            return None
        if (
            not principal.sees_everything
            and candidate.training_centre_id != principal.organisation_id
        ):
            return None
        return candidate


def list_candidates(
    uow: UnitOfWork, principal: Principal, *, limit: int, offset: int
) -> tuple[list[Candidate], int]:
    """A page of the candidates the caller may see, newest first, and how many there are."""
    query = select(Candidate)
    count = select(func.count()).select_from(Candidate)
    if not principal.sees_everything:
        query = query.where(Candidate.training_centre_id == principal.organisation_id)
        count = count.where(Candidate.training_centre_id == principal.organisation_id)
    with uow:
        items = uow.session.exec(
            query.order_by(col(Candidate.created_at).desc(), col(Candidate.id))
            .offset(offset)
            .limit(limit)
        ).all()
        total = uow.session.exec(count).one()
    return list(items), int(total)
