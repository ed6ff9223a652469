"""Deciding on match pairs: program managers' decisions, employers' interview results, undo.

Each decision moves the pair, writes an audit row and emits MATCH_STATUS_CHANGED through the
outbox, all in one transaction. Bulk decisions run in one transaction too: all or nothing.

A pair's first decision also records how the list showed it (`placement.ListPlacements`): by
exploration or not, and with which propensity; learning weights the pair by it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import func
from sqlmodel import col, select

from kakehashi.matching.adapters.mapping import UNDO, order_of, profile_of, step_of
from kakehashi.matching.adapters.tables import CandidateView, JobOrderView, MatchDecision, MatchPair
from kakehashi.matching.domain import decisions as rules
from kakehashi.matching.domain import events
from kakehashi.matching.domain.commands import Decide, RecordInterview, UndoDecision
from kakehashi.matching.domain.components import Weights
from kakehashi.matching.domain.decisions import DecisionError, PairStatus, RejectionReason
from kakehashi.matching.domain.exploration import Placement
from kakehashi.matching.domain.features import pair_features, training_progress
from kakehashi.matching.domain.model import Pool
from kakehashi.matching.domain.rules import MATCHABLE_CANDIDATE_STATUSES, MATCHABLE_ORDER_STATUSES
from kakehashi.matching.domain.scoring import Surplus, evaluate
from kakehashi.matching.service_layer.decided_pairs import (
    PairNotFoundError,
    match_id_of,
    visible_order,
)
from kakehashi.matching.service_layer.metrics import count_decisions
from kakehashi.matching.service_layer.placement import ListPlacements
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.clock import utcnow
from kakehashi.shared.events import MATCH_EVENTS, EventEnvelope
from kakehashi.shared.unit_of_work import UnitOfWork

INTERVIEW = "interview"  # the audit's action of an interview result
WITHDRAW = "withdraw"  # the audit's action of a withdrawal matching makes itself
# Moves that place a candidate on an order: the pair must pass every hard constraint.
PLACING = frozenset({PairStatus.SHORTLISTED, PairStatus.PROPOSED, PairStatus.SELECTED})


# Who the audit names for moves matching makes itself (a candidate withdrawn or erased).
SYSTEM = Principal(subject=events.SOURCE, role=Role.ADMIN, organisation_id="kakehashi")


@dataclass(frozen=True)
class BulkItemError(Exception):
    """Decision number `index` of a bulk request was refused; nothing of the request was saved."""

    index: int
    message: str
    not_found: bool = False


def decide(
    uow: UnitOfWork,
    principal: Principal,
    command: Decide,
    weights: Weights,
    surplus: Surplus = Surplus(),
    placements: ListPlacements | None = None,
) -> MatchPair:
    """A program manager's decision on one pair; with `placements`, a first decision records
    how the list showed the pair."""
    shown = _placement(uow, placements, command)
    with uow:
        pair = _apply(uow, principal, command, weights, utcnow(), surplus, shown)
        uow.commit()
    count_decisions([command.action])
    return pair


def decide_many(
    uow: UnitOfWork,
    principal: Principal,
    commands: Sequence[Decide],
    weights: Weights,
    surplus: Surplus = Surplus(),
    placements: ListPlacements | None = None,
) -> list[MatchPair]:
    """Several decisions in one transaction: if one is refused, none is saved."""
    now = utcnow()
    shown = [_placement(uow, placements, command) for command in commands]
    with uow:
        pairs = []
        for index, command in enumerate(commands):
            try:
                pairs.append(_apply(uow, principal, command, weights, now, surplus, shown[index]))
            except DecisionError as error:
                raise BulkItemError(index, error.message) from error
            except PairNotFoundError as error:
                raise BulkItemError(index, str(error), not_found=True) from error
        uow.commit()
    count_decisions([command.action for command in commands])
    return pairs


def record_interview(uow: UnitOfWork, principal: Principal, command: RecordInterview) -> MatchPair:
    """The employer's interview result for a candidate proposed to its own order."""
    target, reason = rules.interview_step(command.result)
    now = utcnow()
    with uow:
        order = visible_order(uow, principal, command.job_order_id)
        pair = _pair_for_update(uow, command.job_order_id, command.candidate_id)
        current = _status(pair)
        if current is not PairStatus.PROPOSED:
            raise DecisionError(
                f"only a proposed candidate can be interviewed; this one is {_name(current)}"
            )
        pair = _move(
            uow, principal, order, command.candidate_id, pair, INTERVIEW, target, now, reason
        )
        _audit(uow, principal, pair, INTERVIEW, current, reason, command.note, None, now)
        uow.commit()
    count_decisions([INTERVIEW])
    return pair


def undo(
    uow: UnitOfWork, principal: Principal, command: UndoDecision, window: timedelta
) -> MatchPair:
    """Take back the last decision on a pair, if it was taken within `window`."""
    job_order_id, candidate_id = command.job_order_id, command.candidate_id
    now = utcnow()
    with uow:
        order = visible_order(uow, principal, job_order_id)
        pair = _pair_for_update(uow, job_order_id, candidate_id)
        last = uow.session.exec(
            select(MatchDecision)
            .where(MatchDecision.match_id == match_id_of(job_order_id, candidate_id))
            .order_by(col(MatchDecision.version).desc())
            .limit(1)
        ).first()
        target = rules.check_undo(None if last is None else step_of(last), now, window)
        current = _status(pair)
        if target is PairStatus.SELECTED:
            _check_selectable(uow, order, candidate_id)
        pair = _move(uow, principal, order, candidate_id, pair, UNDO, target, now)
        _audit(uow, principal, pair, UNDO, current, None, None, None, now)
        uow.commit()
    count_decisions([UNDO])
    return pair


def withdraw_live_pairs(uow: UnitOfWork, candidate_id: str, reason: str, *, erase: bool) -> None:
    """The candidate left the programme (or was erased): take them off every order they hold.

    Runs inside the consumer's transaction. On erasure the free-text notes go too.
    """
    now = utcnow()
    live = uow.session.exec(
        select(MatchPair).where(
            MatchPair.candidate_id == candidate_id,
            col(MatchPair.status).in_([s.value for s in rules.LIVE]),
        )
    ).all()
    for pair in live:
        before = PairStatus(pair.status)
        order = uow.session.get(JobOrderView, pair.job_order_id)
        if order is None:
            continue
        moved = _move(uow, SYSTEM, order, candidate_id, pair, WITHDRAW, PairStatus.WITHDRAWN, now)
        _audit(uow, SYSTEM, moved, WITHDRAW, before, None, reason, None, now)
    if erase:
        uow.session.flush()
        for decision in uow.session.exec(
            select(MatchDecision).where(MatchDecision.candidate_id == candidate_id)
        ).all():
            decision.note = None
            uow.session.add(decision)


class Refusal(Protocol):
    """A refusal of one decision, as `candidate.match_refused` carries it."""

    match_id: str
    match_version: int
    reason_code: str
    message: str


def mark_refused(uow: UnitOfWork, refusal: Refusal) -> bool:
    """Mark the pair refused if it still stands at the refused decision; a pair decided on since
    is left alone (its own decision is judged on its own). True if the pair was marked."""
    pair = uow.session.get(MatchPair, refusal.match_id, with_for_update=True)
    if pair is None or pair.version != refusal.match_version:
        return False
    pair.refusal_code, pair.refusal_message = refusal.reason_code, refusal.message
    uow.session.add(pair)
    return True


def _placement(
    uow: UnitOfWork, placements: ListPlacements | None, command: Decide
) -> Placement | None:
    """Read before the decision's transaction (the list is computed in its own unit of work)."""
    if placements is None:
        return None
    return placements.of(uow, command.job_order_id, command.candidate_id)


def _apply(
    uow: UnitOfWork,
    principal: Principal,
    command: Decide,
    weights: Weights,
    now: datetime,
    surplus: Surplus = Surplus(),
    shown: Placement | None = None,
) -> MatchPair:
    target = rules.TARGET[command.action]
    rules.check_reason(target, command.reason_code, command.note)
    order = visible_order(uow, principal, command.job_order_id)
    pair = _pair_for_update(uow, command.job_order_id, command.candidate_id)
    current = _status(pair)
    rules.check_step(current, target)
    candidate = uow.session.get(CandidateView, command.candidate_id)
    if candidate is None and pair is None:
        raise PairNotFoundError(f"candidate {command.candidate_id} not found")
    score = None
    if target in PLACING:
        if order.status not in MATCHABLE_ORDER_STATUSES:
            raise DecisionError(f"the order is {order.status}; it takes no more candidates")
        if candidate is None or candidate.status not in MATCHABLE_CANDIDATE_STATUSES:
            status = candidate.status if candidate else "erased"
            raise DecisionError(f"the candidate is {status} and cannot be placed")
    if candidate is not None:
        score = _score(order, candidate, weights, now, surplus)
        if target in PLACING and score is None:
            raise DecisionError("the candidate does not meet this order's hard constraints")
    if target is PairStatus.SELECTED:
        _check_selectable(uow, order, command.candidate_id)
    pair = _move(
        uow,
        principal,
        order,
        command.candidate_id,
        pair,
        command.action,
        target,
        now,
        command.reason_code,
    )
    # Only a first decision is taken off the list; later ones off the pair's own status.
    first = current in (None, PairStatus.UNDECIDED)
    _audit(
        uow,
        principal,
        pair,
        command.action,
        current,
        command.reason_code,
        command.note,
        score,
        now,
        shown if first else None,
    )
    return pair


def _pair_for_update(uow: UnitOfWork, job_order_id: str, candidate_id: str) -> MatchPair | None:
    return uow.session.get(MatchPair, match_id_of(job_order_id, candidate_id), with_for_update=True)


def _status(pair: MatchPair | None) -> PairStatus | None:
    return PairStatus(pair.status) if pair is not None else None


def _name(status: PairStatus | None) -> str:
    return status.value if status else "undecided"


def _score(
    order: JobOrderView,
    candidate: CandidateView,
    weights: Weights,
    now: datetime,
    surplus: Surplus = Surplus(),
) -> tuple[float, dict[str, float]] | None:
    """The pair's score today, and its components with the pair features learning reads
    (`learning.FEATURES`), or None if it fails a hard constraint."""
    pool, orders = Pool.build([profile_of(candidate)]), [order_of(order)]
    evaluation = evaluate(pool, orders, now.date(), weights, surplus)
    if not evaluation.eligible[0, 0]:
        return None
    progress = training_progress([candidate.training_status])
    features = pair_features(pool, orders, now.date(), progress)
    recorded = evaluation.components(0, 0)
    recorded |= {name: round(float(values[0, 0]), 4) for name, values in features.items()}
    return round(float(evaluation.score[0, 0]), 4), recorded


def _check_selectable(uow: UnitOfWork, order: JobOrderView, candidate_id: str) -> None:
    """Headcount not yet reached, and the candidate not selected for another order."""
    selected = uow.session.exec(
        select(func.count())
        .select_from(MatchPair)
        .where(
            MatchPair.job_order_id == order.job_order_id,
            MatchPair.status == PairStatus.SELECTED.value,
            col(MatchPair.refusal_code).is_(None),  # a refused selection holds no place
        )
    ).one()
    rules.check_headcount(PairStatus.SELECTED, int(selected), order.headcount)
    elsewhere = uow.session.exec(
        select(MatchPair.job_order_id).where(
            MatchPair.candidate_id == candidate_id,
            MatchPair.status == PairStatus.SELECTED.value,
            MatchPair.job_order_id != order.job_order_id,
            col(MatchPair.refusal_code).is_(None),
        )
    ).first()
    if elsewhere is not None:
        raise DecisionError(f"the candidate is already selected for order {elsewhere}")


def _move(
    uow: UnitOfWork,
    principal: Principal,
    order: JobOrderView,
    candidate_id: str,
    pair: MatchPair | None,
    action: str,
    target: PairStatus,
    now: datetime,
    reason: RejectionReason | None = None,
) -> MatchPair:
    previous = pair.status if pair is not None else None
    if pair is None:
        pair = MatchPair(
            match_id=match_id_of(order.job_order_id, candidate_id),
            job_order_id=order.job_order_id,
            candidate_id=candidate_id,
            status=target.value,
            version=0,
            updated_at=now,
        )
    pair.status, pair.version, pair.updated_at = target.value, pair.version + 1, now
    pair.refusal_code = pair.refusal_message = None  # a refusal was of the previous decision
    uow.session.add(pair)
    uow.session.flush()
    uow.emit(
        MATCH_EVENTS,
        EventEnvelope.new(
            type=events.MATCH_STATUS_CHANGED,
            source=events.SOURCE,
            subject=pair.match_id,
            data=events.match_status_changed(
                match_id=pair.match_id,
                job_order_id=pair.job_order_id,
                candidate_id=pair.candidate_id,
                status=pair.status,
                previous_status=previous,
                action=str(action),
                decided_by_role=principal.role.value,
                version=pair.version,
                reason_code=reason.value if reason else None,
                decided_by_organisation_id=principal.organisation_id,
            ),
        ),
    )
    return pair


def _audit(
    uow: UnitOfWork,
    principal: Principal,
    pair: MatchPair,
    action: str,
    before: PairStatus | None,
    reason: RejectionReason | None,
    note: str | None,
    score: tuple[float, dict[str, float]] | None,
    now: datetime,
    shown: Placement | None = None,
) -> None:
    uow.session.add(
        MatchDecision(
            match_id=pair.match_id,
            job_order_id=pair.job_order_id,
            candidate_id=pair.candidate_id,
            action=str(action),
            from_status=before.value if before else None,
            to_status=pair.status,
            reason_code=reason.value if reason else None,
            note=note,
            score=score[0] if score else None,
            components=score[1] if score else None,
            decided_by=principal.subject,
            decided_by_role=principal.role.value,
            decided_by_organisation_id=principal.organisation_id,
            decided_at=now,
            version=pair.version,
            exploration=None if shown is None else shown.exploration,
            propensity=None if shown is None else shown.propensity,
        )
    )
