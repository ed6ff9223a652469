"""Use cases that change candidates, one transaction each; events go to the outbox in it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import NamedTuple, TypeVar

from sqlalchemy import Select, and_, bindparam, or_
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from kakehashi.candidates.adapters.mapping import profile_columns, profile_of
from kakehashi.candidates.adapters.tables import Candidate, CandidateMatch, CandidateTransition
from kakehashi.candidates.domain.commands import MoveCandidate, RegisterCandidate, UpdateCandidate
from kakehashi.candidates.domain.eligibility import eligible_tracks, evaluate
from kakehashi.candidates.domain.events import (
    CANDIDATE_STATUS_CHANGED,
    CANDIDATE_UPDATED,
    SOURCE,
    MoveCause,
    status_changed_data,
)
from kakehashi.candidates.domain.match_decisions import LIVE
from kakehashi.candidates.domain.names import DuplicateCandidateError, fold, passport_key
from kakehashi.candidates.domain.pipeline import (
    Status,
    check_manual_move,
    check_transition,
    training_after,
)
from kakehashi.candidates.domain.privacy import AuditAction, CandidateErasedError
from kakehashi.candidates.domain.profile import CandidateProfile, apply_changes
from kakehashi.candidates.domain.validation import normalise_profile
from kakehashi.candidates.service_layer import audit
from kakehashi.candidates.service_layer.publication import CandidateDetails, emit_snapshot
from kakehashi.candidates.service_layer.registration import (
    prepare_registration,
    write_registrations,
)
from kakehashi.shared.auth import Principal
from kakehashi.shared.clock import today, utcnow
from kakehashi.shared.events import CANDIDATE_EVENTS, EventEnvelope
from kakehashi.shared.unit_of_work import UnitOfWork

T = TypeVar("T")


def may_see(principal: Principal, row: Candidate) -> bool:
    """Program managers and admins see every centre's candidates; a centre sees its own."""
    return principal.may_access(row.training_centre_id)


def details(row: Candidate, on: date) -> CandidateDetails:
    """The stored candidate's profile and its eligibility judged on `on`."""
    profile = profile_of(row)
    return CandidateDetails(row, profile, evaluate(profile, on))


class Holder(NamedTuple):
    """A stored record of a person: its id and the centre that holds it."""

    id: str
    training_centre_id: str


def same_person(
    session: Session,
    full_name: str,
    date_of_birth: date | None,
    passport_number: str | None,
    exclude_id: str | None,
) -> Holder | None:
    """A stored candidate who is this person: same passport number, or same folded passport
    name and date of birth."""
    if not passport_number and not date_of_birth:
        return None
    query = _same_person_query(bool(passport_number), bool(date_of_birth), exclude_id is not None)
    found = session.execute(
        query,
        {
            "passport_key": passport_key(passport_number) if passport_number else None,
            "name_key": fold(full_name),
            "date_of_birth": date_of_birth,
            "exclude_id": exclude_id,
        },
    ).first()
    return None if found is None else Holder(*found)


@lru_cache(maxsize=8)
def _same_person_query(passport: bool, birth: bool, excluding: bool) -> Select[str, str]:
    # Built once per shape with bound parameters: building it for each registration, and
    # loading the whole row, was a fifth of a registration's CPU under load (py-spy).
    same = []
    if passport:
        same.append(col(Candidate.passport_key) == bindparam("passport_key"))
    if birth:
        same.append(
            and_(
                col(Candidate.name_key) == bindparam("name_key"),
                col(Candidate.date_of_birth) == bindparam("date_of_birth"),
            )
        )
    query = sa_select(col(Candidate.id), col(Candidate.training_centre_id)).where(or_(*same))
    if excluding:
        query = query.where(col(Candidate.id) != bindparam("exclude_id"))
    return query.limit(1)


def check_duplicate(
    session: Session, principal: Principal, profile: CandidateProfile, exclude_id: str | None
) -> None:
    """Refuse a second record of the same person (`same_person`); the existing id is named
    only to a caller who may see it."""
    existing = same_person(
        session, profile.full_name, profile.date_of_birth, profile.passport_number, exclude_id
    )
    if existing is not None:
        raise DuplicateCandidateError(
            existing.id if principal.may_access(existing.training_centre_id) else None
        )


def commit(uow: UnitOfWork) -> None:
    """Commit; a unique-index failure means a concurrent registration of the same person won."""
    try:
        uow.commit()
    except IntegrityError:
        # Only the unique passport index can fail here: a concurrent registration won the race.
        raise DuplicateCandidateError(None) from None


def history_entry(
    row: Candidate, principal: Principal, previous: str | None, reason: str | None
) -> CandidateTransition:
    return CandidateTransition(
        candidate_id=row.id,
        from_status=previous,
        to_status=row.status,
        reason=reason,
        actor=principal.subject,
        actor_organisation_id=principal.organisation_id,
        actor_role=principal.role.value,
        at=row.updated_at,
    )


def register_candidate(
    uow: UnitOfWork, principal: Principal, command: RegisterCandidate
) -> CandidateDetails:
    """Save a new candidate, its consents and first history entry together; matching hears of
    it (`candidate.registered`) only if a sharing consent came with it."""
    registration = prepare_registration(principal, command, today())
    with uow:
        check_duplicate(uow.session, principal, registration.profile, None)
        try:
            write_registrations(uow, principal, AuditAction.CREATE, [registration.rows()])
        except IntegrityError:
            # The INSERT itself met the unique passport index: a concurrent registration of the
            # same person committed between the check and this write.
            raise DuplicateCandidateError(None) from None
        commit(uow)
    return registration.details()


def lock_candidate(session: Session, candidate_id: str) -> Candidate | None:
    """The candidate, locked for this transaction (PostgreSQL), so that two changes never write
    the same next version; None if there is no such candidate."""
    return session.exec(
        select(Candidate).where(col(Candidate.id) == candidate_id).with_for_update()
    ).first()


def load_for_change(uow: UnitOfWork, principal: Principal, candidate_id: str) -> Candidate | None:
    row = lock_candidate(uow.session, candidate_id)
    return row if row is not None and may_see(principal, row) else None


def update_candidate(
    uow: UnitOfWork, principal: Principal, command: UpdateCandidate
) -> CandidateDetails | None:
    """Apply the owning centre's changes; `candidate.updated` carries the new full snapshot."""
    on = today()
    with uow:
        row = load_for_change(uow, principal, command.candidate_id)
        if row is None or row.training_centre_id != principal.organisation_id:
            return None
        if row.erased_at is not None:
            raise CandidateErasedError(row.id)
        profile = normalise_profile(apply_changes(profile_of(row), command.changes), on)
        check_duplicate(uow.session, principal, profile, row.id)
        eligibility = evaluate(profile, on)
        row.sqlmodel_update(profile_columns(profile, eligibility))
        row.version += 1
        row.updated_at = utcnow()
        uow.session.add(row)
        found = CandidateDetails(row, profile, eligibility)
        emit_snapshot(uow, CANDIDATE_UPDATED, found, on)
        audit.record(uow.session, principal, AuditAction.UPDATE, [row.id])
        commit(uow)
    return found


def move_candidate(
    uow: UnitOfWork, principal: Principal, command: MoveCandidate
) -> CandidateDetails | None:
    """Move a candidate along the pipeline if allowed; record it and `candidate.status_changed`."""
    with uow:
        row = load_for_change(uow, principal, command.candidate_id)
        if row is None:
            return None
        found = details(row, today())
        check_manual_move(Status(row.status), command.to_status, live_pairs(uow.session, row.id))
        change_status(uow, principal, found, command.to_status, command.reason)
        uow.commit()
    return found


def live_pairs(session: Session, candidate_id: str) -> int:
    """How many orders hold the candidate in matching (a live pair: shortlisted, proposed,
    interviewed or selected), as the service recorded matching's decisions; a decision the
    pipeline refused holds nobody."""
    statuses = [status.value for status in LIVE]
    return len(
        session.exec(
            select(CandidateMatch.match_id).where(
                col(CandidateMatch.candidate_id) == candidate_id,
                col(CandidateMatch.status).in_(statuses),
                col(CandidateMatch.refusal).is_(None),
            )
        ).all()
    )


def change_status(
    uow: UnitOfWork,
    principal: Principal,
    found: CandidateDetails,
    to_status: Status,
    reason: str | None,
    cause: MoveCause = MoveCause.TRAINING_CENTRE,
) -> None:
    """One pipeline move of a locked candidate in the caller's unit of work (which commits):
    raises TransitionNotAllowedError, else writes the history entry, `candidate.status_changed`
    (if published) and the audit row."""
    row = found.row
    previous = Status(row.status)
    check_transition(previous, to_status, eligible_tracks(found.eligibility))
    row.status = to_status.value
    training = training_after(Status(row.training_status), to_status)
    row.training_status = training.value
    row.version += 1
    row.updated_at = utcnow()
    # Eligibility is judged again on each move, so the stored copy follows the calendar.
    row.eligible_tracks = profile_columns(found.profile, found.eligibility)["eligible_tracks"]
    uow.session.add(row)
    uow.session.add(history_entry(row, principal, previous.value, reason))
    if row.published:
        uow.emit(
            CANDIDATE_EVENTS,
            EventEnvelope.new(
                type=CANDIDATE_STATUS_CHANGED,
                source=SOURCE,
                subject=row.id,
                data=status_changed_data(row.id, row.version, to_status, previous, cause, training),
            ),
        )
    audit.record(uow.session, principal, AuditAction.MOVE, [row.id])


def read_visible(
    uow: UnitOfWork,
    principal: Principal,
    candidate_id: str,
    read: Callable[[Session, Candidate], T],
) -> T | None:
    """What `read` finds about a candidate the caller may see, with the audit row in the same
    transaction; None if the candidate is not visible (another centre's is simply not found)."""
    with uow:
        row = uow.session.get(Candidate, candidate_id)
        if row is None or not may_see(principal, row):
            return None
        found = read(uow.session, row)
        audit.record(uow.session, principal, AuditAction.READ, [row.id])
        uow.commit()
        return found


def get_candidate(
    uow: UnitOfWork, principal: Principal, candidate_id: str
) -> CandidateDetails | None:
    """The candidate if the caller may see it; another centre's candidate is simply not found."""
    return read_visible(uow, principal, candidate_id, lambda _, row: details(row, today()))


def candidate_history(
    uow: UnitOfWork, principal: Principal, candidate_id: str
) -> list[CandidateTransition] | None:
    """Every pipeline move of a candidate the caller may see, oldest first; None if not visible."""
    return read_visible(
        uow, principal, candidate_id, lambda session, row: transitions_of(session, row.id)
    )


def transitions_of(session: Session, candidate_id: str) -> list[CandidateTransition]:
    """A candidate's pipeline moves, oldest first."""
    return list(
        session.exec(
            select(CandidateTransition)
            .where(col(CandidateTransition.candidate_id) == candidate_id)
            .order_by(col(CandidateTransition.id))
        ).all()
    )
