"""Reading decided pairs and the decision audit (no change is made here)."""

from __future__ import annotations

from sqlmodel import col, select

from kakehashi.matching.adapters.tables import CandidateView, JobOrderView, MatchDecision, MatchPair
from kakehashi.matching.domain.decisions import EMPLOYER_VISIBLE, PairStatus
from kakehashi.matching.domain.rules import UNPUBLISHED
from kakehashi.shared.auth import Principal
from kakehashi.shared.unit_of_work import UnitOfWork


class PairNotFoundError(LookupError):
    """The order or candidate is unknown, or not the caller's to see (the API answers 404)."""


def match_id_of(job_order_id: str, candidate_id: str) -> str:
    return f"{job_order_id}:{candidate_id}"


def visible_order(uow: UnitOfWork, principal: Principal, job_order_id: str) -> JobOrderView:
    """The order, if the principal may see it; else `PairNotFoundError` (a 404)."""
    order = uow.session.get(JobOrderView, job_order_id)
    if order is None or not principal.may_access(order.employer_id):
        raise PairNotFoundError(f"job order {job_order_id} not found")
    return order


def history(
    uow: UnitOfWork, principal: Principal, job_order_id: str, candidate_id: str | None = None
) -> list[MatchDecision]:
    """The decisions on an order's pairs (or one pair), oldest first."""
    with uow:
        visible_order(uow, principal, job_order_id)
        query = select(MatchDecision).where(MatchDecision.job_order_id == job_order_id)
        if candidate_id is not None:
            query = query.where(MatchDecision.candidate_id == candidate_id)
        return list(uow.session.exec(query.order_by(col(MatchDecision.id))).all())


def pairs_of_order(
    uow: UnitOfWork, principal: Principal, job_order_id: str, statuses: frozenset[str] | None = None
) -> tuple[JobOrderView, list[tuple[MatchPair, CandidateView | None]]]:
    """An order's decided pairs with each candidate's read-model row (None once erased; for an
    employer also None once the candidate withdrew their consent to share the profile)."""
    with uow:
        order = visible_order(uow, principal, job_order_id)
        query = select(MatchPair).where(MatchPair.job_order_id == job_order_id)
        if statuses is not None:
            query = query.where(col(MatchPair.status).in_(statuses))
        pairs = list(uow.session.exec(query.order_by(col(MatchPair.updated_at))).all())
        ids = [p.candidate_id for p in pairs]
        views = {
            v.candidate_id: v
            for v in uow.session.exec(
                select(CandidateView).where(col(CandidateView.candidate_id).in_(ids))
            ).all()
        }
        if not principal.sees_everything:
            views = {i: v for i, v in views.items() if v.status != UNPUBLISHED}
    return order, [(p, views.get(p.candidate_id)) for p in pairs]


def shortlist_of(
    uow: UnitOfWork, principal: Principal, job_order_id: str
) -> tuple[JobOrderView, list[tuple[MatchPair, CandidateView | None]]]:
    """The order's pairs the principal may follow: every one for program managers and admins,
    those proposed to it (and what became of them) for the order's employer."""
    if principal.sees_everything:
        return pairs_of_order(uow, principal, job_order_id)
    order, pairs = pairs_of_order(uow, principal, job_order_id, EMPLOYER_VISIBLE)
    # A rejection is the employer's business only if the candidate was proposed to it first.
    rejected = [p.match_id for p, _ in pairs if p.status == PairStatus.REJECTED]
    shown = _ever_shown_to_employer(uow, rejected) if rejected else set()
    return order, [
        (p, view) for p, view in pairs if p.status != PairStatus.REJECTED or p.match_id in shown
    ]


# The statuses that put a candidate in front of the order's employer.
_SHOWN = frozenset({PairStatus.PROPOSED, PairStatus.INTERVIEWED, PairStatus.SELECTED})


def _ever_shown_to_employer(uow: UnitOfWork, match_ids: list[str]) -> set[str]:
    """Of these pairs, those a decision once proposed (or moved further) to the employer."""
    with uow:
        found = uow.session.exec(
            select(MatchDecision.match_id)
            .where(col(MatchDecision.match_id).in_(match_ids))
            .where(col(MatchDecision.to_status).in_(_SHOWN))
        ).all()
    return set(found)


def selected_count(pairs: list[tuple[MatchPair, CandidateView | None]]) -> int:
    """How many of the pairs are selected (what counts against the headcount)."""
    return sum(p.status == PairStatus.SELECTED and p.refusal_code is None for p, _ in pairs)


def pair(uow: UnitOfWork, job_order_id: str, candidate_id: str) -> MatchPair | None:
    with uow:
        return uow.session.get(MatchPair, match_id_of(job_order_id, candidate_id))


def candidate_history(uow: UnitOfWork, candidate_id: str) -> list[MatchDecision]:
    """Every decision on the candidate, on any order, newest first (for managers only)."""
    with uow:
        return list(
            uow.session.exec(
                select(MatchDecision)
                .where(MatchDecision.candidate_id == candidate_id)
                .order_by(col(MatchDecision.id).desc())
            ).all()
        )


def pairs_of_candidate(uow: UnitOfWork, candidate_id: str) -> list[MatchPair]:
    with uow:
        return list(
            uow.session.exec(
                select(MatchPair)
                .where(MatchPair.candidate_id == candidate_id)
                .order_by(col(MatchPair.updated_at).desc())
            ).all()
        )
