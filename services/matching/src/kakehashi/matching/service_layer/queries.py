"""Read-side use cases: ranked candidates for a job order, job orders known to matching."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import col, select

from kakehashi.matching.adapters.tables import CandidateView, JobOrderView
from kakehashi.matching.domain.rules import MATCHABLE_CANDIDATE_STATUSES, MATCHABLE_ORDER_STATUSES
from kakehashi.matching.domain.scoring import (
    Order,
    Pool,
    Requirement,
    Weights,
    explain,
    score,
    top_k,
)
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.reference import JapaneseLevel
from kakehashi.shared.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class RankedCandidate:
    rank: int
    candidate: CandidateView
    score: float
    components: dict[str, float]
    explanations: list[str]


@dataclass(frozen=True)
class MatchList:
    job_order: JobOrderView
    evaluated: int
    eligible: int
    matches: list[RankedCandidate]


def _visible(order: JobOrderView | None, principal: Principal) -> bool:
    if order is None:
        return False
    if principal.sees_everything:
        return True
    return principal.role is Role.EMPLOYER and order.employer_id == principal.organisation_id


def _order(view: JobOrderView) -> Order:
    return Order(
        min_japanese_rank=JapaneseLevel(view.min_japanese_level).rank,
        requirements=tuple(
            Requirement(code=r["code"], min_level=r["min_level"], must_have=r["must_have"])
            for r in view.required_skills
        ),
    )


def ranked_candidates(
    uow: UnitOfWork, principal: Principal, job_order_id: str, *, limit: int, weights: Weights
) -> MatchList | None:
    """The best eligible candidates of the order's sector, best first; None if not visible."""
    with uow:
        view = uow.session.get(JobOrderView, job_order_id)
        if view is None or not _visible(view, principal):
            return None
        if view.status not in MATCHABLE_ORDER_STATUSES:
            return MatchList(view, 0, 0, [])
        candidates = list(
            uow.session.exec(
                select(CandidateView)
                .where(
                    CandidateView.sector == view.sector,
                    col(CandidateView.status).in_(MATCHABLE_CANDIDATE_STATUSES),
                )
                .order_by(col(CandidateView.candidate_id))
            ).all()
        )
    order = _order(view)
    pool = Pool.build(
        [c.candidate_id for c in candidates],
        [JapaneseLevel(c.japanese_level).rank for c in candidates],
        [{s["code"]: s["level"] for s in c.skills} for c in candidates],
    )
    scores = score(pool, order, weights)
    best = top_k(scores, limit)
    matches = [
        RankedCandidate(
            rank=position,
            candidate=candidates[i],
            score=round(float(scores.score[i]), 4),
            components={
                "skills": round(float(scores.skills[i]), 4),
                "japanese": round(float(scores.japanese[i]), 4),
            },
            explanations=explain(order, scores.levels[i], int(pool.japanese_rank[i])),
        )
        for position, i in enumerate(best.tolist(), start=1)
    ]
    return MatchList(view, len(candidates), int(scores.eligible.sum()), matches)


def list_job_orders(
    uow: UnitOfWork, principal: Principal, *, limit: int, offset: int
) -> tuple[list[JobOrderView], int]:
    """Open job orders matching knows of that the caller may see."""
    query = select(JobOrderView)
    count = select(func.count()).select_from(JobOrderView)
    if not principal.sees_everything:
        query = query.where(JobOrderView.employer_id == principal.organisation_id)
        count = count.where(JobOrderView.employer_id == principal.organisation_id)
    with uow:
        items = uow.session.exec(
            query.order_by(col(JobOrderView.updated_at).desc(), col(JobOrderView.job_order_id))
            .offset(offset)
            .limit(limit)
        ).all()
        total = uow.session.exec(count).one()
    return list(items), int(total)
