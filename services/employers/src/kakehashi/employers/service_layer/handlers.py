"""Commands of the employers service on job orders, one transaction each."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, datetime

from kakehashi.employers.adapters import mapping
from kakehashi.employers.adapters.tables import JobOrder, JobOrderTransition
from kakehashi.employers.domain.commands import ChangeJobOrder, PostJobOrder, TransitionJobOrder
from kakehashi.employers.domain.events import (
    SOURCE,
    carries_snapshot,
    change_event_type,
    snapshot_data,
    status_data,
)
from kakehashi.employers.domain.lifecycle import (
    INITIAL,
    JobOrderStatus,
    check_editable,
    check_transition,
)
from kakehashi.employers.domain.model import JobOrderTerms
from kakehashi.employers.domain.rules import (
    check_terms,
    default_japanese_level,
    reference_date,
    warnings_for,
)
from kakehashi.shared.auth import Principal
from kakehashi.shared.clock import utcnow
from kakehashi.shared.events import JOB_ORDER_EVENTS, EventEnvelope
from kakehashi.shared.outbox import OutboxMessage
from kakehashi.shared.unit_of_work import UnitOfWork


class JobOrderNotFoundError(LookupError):
    """No such order, or not one the caller may see (another employer's order is never 403)."""


def post_job_order(
    uow: UnitOfWork, principal: Principal, command: PostJobOrder, today: date
) -> JobOrder:
    """Save a new order, its first history row and, when open, its `job_order.opened` event."""
    if command.status not in INITIAL:
        raise ValueError(f"a job order starts as draft or open, not {command.status.value}")
    terms = command.terms
    if not command.japanese_level_given:
        on = reference_date(terms, today)
        terms = replace(
            terms, min_japanese_level=default_japanese_level(terms.track, terms.sector, on)
        )
    check_terms(terms, command.preferences, today)
    now = utcnow()
    order = JobOrder(
        id=str(uuid.uuid4()),
        employer_id=principal.organisation_id,
        title=terms.title,
        sector=terms.sector.value,
        prefecture=terms.prefecture,
        headcount=terms.headcount,
        min_japanese_level=terms.min_japanese_level.value,
        required_skills=[],  # mapping.write fills this and every other term
        status=command.status.value,
        version=1,
        created_at=now,
        updated_at=now,
    )
    mapping.write(
        order, terms, command.preferences, warnings_for(terms, command.preferences, today)
    )
    history = history_row(order.id, None, command.status, principal, now, None)
    # Created open is told like a draft being opened; a draft tells nobody yet.
    event = change_event(order, JobOrderStatus.DRAFT, command.status, terms)
    outbox = [] if event is None else [OutboxMessage.from_event(JOB_ORDER_EVENTS, event)]
    with uow:
        # The order, its history and its event in one statement on PostgreSQL (the flush took
        # a round trip for each, and the relay's doorbell another).
        uow.insert_new(order, history, *outbox)
        uow.commit()
    return order


def change_job_order(
    uow: UnitOfWork, principal: Principal, command: ChangeJobOrder, today: date
) -> JobOrder:
    """Apply the owner's changes with the same rules as posting; a published order says so."""
    with uow:
        order = _owned_for_update(uow, principal, command.job_order_id)
        status = mapping.status_of(order)
        check_editable(status)
        terms = replace(mapping.terms_of(order), **command.term_changes)
        preferences = replace(mapping.preferences_of(order), **command.preference_changes)
        check_terms(terms, preferences, today)
        mapping.write(order, terms, preferences, warnings_for(terms, preferences, today))
        order.version += 1
        order.updated_at = utcnow()
        uow.session.add(order)
        emit_change(uow, order, status, status, terms)
        uow.commit()
    return order


def transition_job_order(
    uow: UnitOfWork, principal: Principal, command: TransitionJobOrder
) -> JobOrder:
    """Move the order along its lifecycle, record who did it and why, and tell matching."""
    with uow:
        order = _owned_for_update(uow, principal, command.job_order_id)
        before = mapping.status_of(order)
        check_transition(before, command.to, command.reason)
        now = utcnow()
        order.status = command.to.value
        order.version += 1
        order.updated_at = now
        uow.session.add(order)
        uow.session.add(history_row(order.id, before, command.to, principal, now, command.reason))
        emit_change(uow, order, before, command.to, mapping.terms_of(order))
        uow.commit()
    return order


def _owned_for_update(uow: UnitOfWork, principal: Principal, job_order_id: str) -> JobOrder:
    """The order, locked for this transaction, if the caller may act on it."""
    order = uow.session.get(JobOrder, job_order_id, with_for_update=True)
    if order is None:
        raise JobOrderNotFoundError(job_order_id)
    if not principal.may_access(order.employer_id):
        raise JobOrderNotFoundError(job_order_id)
    return order


def emit_change(
    uow: UnitOfWork,
    order: JobOrder,
    before: JobOrderStatus,
    after: JobOrderStatus,
    terms: JobOrderTerms,
) -> None:
    event = change_event(order, before, after, terms)
    if event is not None:
        uow.emit(JOB_ORDER_EVENTS, event)


def change_event(
    order: JobOrder, before: JobOrderStatus, after: JobOrderStatus, terms: JobOrderTerms
) -> EventEnvelope | None:
    """The event telling matching of the change, if the change is one it hears of."""
    event_type = change_event_type(before, after)
    if event_type is None:
        return None
    data = (
        snapshot_data(
            order.id, order.employer_id, order.version, after, terms, warning_codes(order)
        )
        if carries_snapshot(event_type)
        else status_data(order.id, order.version, after)
    )
    return EventEnvelope.new(type=event_type, source=SOURCE, subject=order.id, data=data)


def warning_codes(order: JobOrder) -> list[str]:
    """The codes of the warnings last computed for the order (stored with its terms)."""
    return [str(w["code"]) for w in order.warnings or []]


def history_row(
    job_order_id: str,
    before: JobOrderStatus | None,
    after: JobOrderStatus,
    principal: Principal,
    at: datetime,
    reason: str | None,
) -> JobOrderTransition:
    return JobOrderTransition(
        job_order_id=job_order_id,
        from_status=before.value if before else None,
        to_status=after.value,
        by_subject=principal.subject,
        by_role=principal.role.value,
        by_organisation_id=principal.organisation_id,
        at=at,
        reason=reason,
    )
