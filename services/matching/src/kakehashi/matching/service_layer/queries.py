"""Read-side use cases: ranked candidates for a job order, job orders known to matching."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from sqlalchemy import func
from sqlmodel import col, select

from kakehashi.matching.adapters.mapping import order_of, profile_of
from kakehashi.matching.adapters.tables import CandidateView, JobOrderView
from kakehashi.matching.domain.components import COMPONENT_NAMES, Weights
from kakehashi.matching.domain.constraints import BY_FLAG
from kakehashi.matching.domain.explain import explain
from kakehashi.matching.domain.exploration import REVIEW_WINDOW, explore
from kakehashi.matching.domain.features import pair_features, training_progress
from kakehashi.matching.domain.model import Pool
from kakehashi.matching.domain.reasons import Reason
from kakehashi.matching.domain.rules import MATCHABLE_CANDIDATE_STATUSES, MATCHABLE_ORDER_STATUSES
from kakehashi.matching.domain.scoring import Surplus, evaluate
from kakehashi.matching.domain.text import fold
from kakehashi.matching.domain.top_k import top_k_per_order
from kakehashi.matching.service_layer.candidate_index import CandidateIndex, SectorPool
from kakehashi.matching.service_layer.metrics import MATCH_LIST_DURATION
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.clock import today
from kakehashi.shared.unit_of_work import UnitOfWork

# Scores eligible pairs from their components and features (arrays by name, `learning.FEATURES`)
# to rank them instead of the weighted score: the learned ranking.
Rescore = Callable[[Mapping[str, npt.NDArray[np.float32]]], npt.NDArray[np.float64]]


@dataclass(frozen=True)
class MatchFilters:
    """Narrowing of a match list a reviewer asks for; None means no filter."""

    min_score: float | None = None
    province: str | None = None
    min_japanese_rank: int | None = None
    training_centre_id: str | None = None

    @property
    def active(self) -> bool:
        return any(v is not None for v in vars(self).values())


def _keep(filters: MatchFilters, sector: SectorPool) -> npt.NDArray[np.bool_]:
    """Which of the pool's candidates pass the filters (a boolean mask in pool order)."""
    keep = np.ones(len(sector.pool), dtype=bool)
    if filters.province is not None:
        wanted = fold(filters.province)  # "Thai Binh" finds Thái Bình
        keep &= sector.labels["province"].where(lambda p: fold(p or "") == wanted)
    if filters.training_centre_id is not None:
        centre = filters.training_centre_id
        keep &= sector.labels["training_centre_id"].where(lambda c: c == centre)
    if filters.min_japanese_rank is not None:
        keep &= sector.pool.japanese_rank >= filters.min_japanese_rank
    return keep


@dataclass(frozen=True)
class RankedCandidate:
    rank: int
    candidate: CandidateView
    score: float
    components: dict[str, float]
    explanations: list[Reason]
    learned_score: float | None = None  # set when a rescore function ranked the list
    # Shown in the review window by exploration, from lower in the ranking (docs/matching.md).
    exploration: bool = False


@dataclass(frozen=True)
class IncompleteCandidate:
    candidate: CandidateView
    missing: list[str]


@dataclass(frozen=True)
class MatchList:
    job_order: JobOrderView
    evaluated: int
    eligible: int
    matches: list[RankedCandidate]
    needs_data: list[IncompleteCandidate]
    excluded: dict[str, int]  # how many candidates fail each constraint
    # Eligible candidates per score tenth (0-0.1, ..., 0.9-1.0), filters applied.
    score_histogram: list[int] = field(default_factory=list)
    shown: int = 0  # eligible candidates that also pass the reviewer's filters
    not_ranked: int = 0  # candidates of the sector that fail a constraint or lack its data
    needs_data_count: int = 0  # of them, those who fail none but lack some data
    # Of them, those who fail more than one constraint (counted once under each in `excluded`).
    several_reasons: int = 0


def _visible(order: JobOrderView, principal: Principal) -> bool:
    if principal.sees_everything:
        return True
    return principal.role is Role.EMPLOYER and order.employer_id == principal.organisation_id


@MATCH_LIST_DURATION.time()
def ranked_candidates(
    uow: UnitOfWork,
    index: CandidateIndex,
    principal: Principal,
    job_order_id: str,
    *,
    limit: int,
    weights: Weights,
    surplus: Surplus = Surplus(),
    filters: MatchFilters = MatchFilters(),
    rescore: Rescore | None = None,
    offset: int = 0,
    explore_every: int = 0,
) -> MatchList | None:
    """The best eligible candidates of the order's sector, best first, from the `offset`-th
    (a page of the list: only its rows are explained); None if not visible.

    With `rescore`, the same candidates (constraints and filters unchanged) are ordered by it.
    With `explore_every` = n, every n-th place of the review window shows, marked, an eligible
    candidate drawn from lower in the ranking (`exploration.explore`).
    """
    with index.scoring_turn():  # one list scored at a time in this process
        with uow:
            view = uow.session.get(JobOrderView, job_order_id)
            if view is None or not _visible(view, principal):
                return None
            if view.status not in MATCHABLE_ORDER_STATUSES:
                return MatchList(view, 0, 0, [], [], {})
        sector = index.sector(uow, view.sector)
        pool = sector.pool
        order = order_of(view)
        evaluation = evaluate(pool, [order], today(), weights, surplus)
        shown = evaluation.score.copy()
        shown[0, ~_keep(filters, sector)] = -np.inf
        if filters.min_score is not None:
            shown[shown < filters.min_score] = -np.inf
        learned = None
        if rescore is not None:
            ranked = np.flatnonzero(np.isfinite(shown[0]))
            learned = np.full(shown.shape, -np.inf)
            features = pair_features(
                pool, [order], today(), sector.labels["training_status"].spread(training_progress)
            )
            inputs = {n: evaluation.component(n)[0, ranked] for n in COMPONENT_NAMES}
            inputs |= {n: values[0, ranked] for n, values in features.items()}
            learned[0, ranked] = rescore(inputs)
        scores = shown if learned is None else learned
        window = REVIEW_WINDOW if explore_every else 0
        best, _ = top_k_per_order(scores, max(offset + limit, window), pool.tie_order)
        ranked_ids = [i for i in best[0].tolist() if i >= 0]
        explored: set[int] = set()
        if explore_every:
            rng = np.random.default_rng(zlib.crc32(f"{job_order_id}:{today()}".encode()))
            ranked_ids, explored = explore(
                ranked_ids, np.flatnonzero(np.isfinite(scores[0])), explore_every, window, rng
            )
        page = ranked_ids[offset : offset + limit]
        incomplete = np.flatnonzero(evaluation.needs_data[0])[:limit].tolist()
        # Only the rows shown are read from the database, in one query.
        candidates = sector.rows.fetch([*page, *incomplete])
        # Not erased since the pool was synced: (rank, position in the pool) of each row shown.
        rows = [(rank, i) for rank, i in enumerate(page, start=offset + 1) if i in candidates]
        at = [i for _, i in rows]
        scores = evaluation.score[0, at].tolist()
        learned_scores = [None] * len(at) if learned is None else learned[0, at].tolist()
        matches = [
            RankedCandidate(
                rank=rank,
                candidate=candidates[i],
                score=round(score, 4),
                components=components,
                explanations=explain(pool, i, order, evaluation),
                learned_score=None if learned_score is None else round(learned_score, 4),
                exploration=i in explored,
            )
            for (rank, i), score, components, learned_score in zip(
                rows, scores, evaluation.components_along(0, at), learned_scores, strict=True
            )
        ]
        needs_data = [
            IncompleteCandidate(
                candidates[i],
                [c.name for c in BY_FLAG if c.flag & int(evaluation.missing[0, i])],
            )
            for i in incomplete
            if i in candidates
        ]
        excluded = {c.name: int(np.count_nonzero(evaluation.failed[0] & c.flag)) for c in BY_FLAG}
        eligible = int(np.count_nonzero(evaluation.eligible[0]))
        shown_scores = shown[0][np.isfinite(shown[0])]
        histogram = np.histogram(shown_scores, bins=10, range=(0.0, 1.0))[0].tolist()
        return MatchList(
            view,
            len(pool),
            eligible,
            matches,
            needs_data,
            excluded,
            histogram,
            shown=int(shown_scores.size),
            not_ranked=len(pool) - eligible,
            needs_data_count=int(np.count_nonzero(evaluation.needs_data[0])),
            several_reasons=_failing_several(evaluation.failed[0]),
        )


def _failing_several(failed: npt.NDArray[np.uint8]) -> int:
    """How many candidates fail two or more constraints: clearing each one's lowest bit set
    (`bits & (bits - 1)`) leaves a bit only where two or more were."""
    return int(np.count_nonzero(failed & (failed - np.uint8(1))))


def list_job_orders(
    uow: UnitOfWork, principal: Principal, *, limit: int, offset: int
) -> tuple[list[JobOrderView], int]:
    """Job orders matching knows of that the caller may see."""
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


def order_titles(uow: UnitOfWork, job_order_ids: Iterable[str]) -> dict[str, str]:
    """The titles of the given orders that matching knows, by id (pages name orders by title)."""
    wanted = set(job_order_ids)
    if not wanted:
        return {}
    with uow:
        rows = uow.session.exec(
            select(JobOrderView.job_order_id, JobOrderView.title).where(
                col(JobOrderView.job_order_id).in_(wanted)
            )
        ).all()
    return dict(rows)


@dataclass(frozen=True)
class RankedOrder:
    rank: int
    order: JobOrderView
    score: float
    components: dict[str, float]
    explanations: list[Reason]


def ranked_orders(
    uow: UnitOfWork,
    principal: Principal,
    candidate_id: str,
    *,
    limit: int,
    weights: Weights,
    surplus: Surplus = Surplus(),
) -> tuple[CandidateView, list[RankedOrder]] | None:
    """The open orders of the candidate's sector they qualify for, best first; None if unseen."""
    with uow:
        candidate = uow.session.get(CandidateView, candidate_id)
        if candidate is None or not (
            principal.sees_everything
            or (
                principal.role is Role.TRAINING_CENTRE
                and candidate.training_centre_id == principal.organisation_id
            )
        ):
            return None
        orders = list(
            uow.session.exec(
                select(JobOrderView)
                .where(
                    JobOrderView.sector == candidate.sector,
                    col(JobOrderView.status).in_(MATCHABLE_ORDER_STATUSES),
                )
                .order_by(col(JobOrderView.job_order_id))
            ).all()
        )
    if not orders or candidate.status not in MATCHABLE_CANDIDATE_STATUSES:
        return candidate, []
    specs = [order_of(o) for o in orders]
    pool = Pool.build([profile_of(candidate)])
    evaluation = evaluate(pool, specs, today(), weights, surplus)
    # One candidate against many orders: rank the single column.
    best, values = top_k_per_order(evaluation.score.T, limit)
    return candidate, [
        RankedOrder(
            rank=position,
            order=orders[o],
            score=round(float(values[0, position - 1]), 4),
            components=evaluation.components(o, 0),
            explanations=explain(pool, 0, specs[o], evaluation, row=o),
        )
        for position, o in enumerate(best[0].tolist(), start=1)
        if o >= 0
    ]
