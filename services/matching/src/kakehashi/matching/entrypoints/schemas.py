"""Response bodies of the matching API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, create_model

from kakehashi.matching.domain.components import COMPONENTS
from kakehashi.shared.schemas import Timestamp

if TYPE_CHECKING:
    # A model built at run time is no type to mypy; it checks the fields as a plain model.
    ScoreComponents = BaseModel
else:
    ScoreComponents = create_model(
        "ScoreComponents",
        __doc__="One value per score component, named as in COMPONENTS.",
        **{c.name: (float, ...) for c in COMPONENTS},
    )


class CandidateMatch(BaseModel):
    rank: int
    candidate_id: str
    full_name: str  # the passport's Latin letters
    name_vi: str | None = None  # with diacritics, for Vietnamese readers
    name_katakana: str | None = None  # for Japanese readers
    province: str
    japanese_level: str
    # Where the candidate stands in their pipeline, as candidates' events last said.
    pipeline_status: str
    training_status: str | None
    score: float
    components: ScoreComponents
    explanations: list[str]
    # The ranking model's probability of approval, when the list was ranked by it.
    learned_score: float | None = None
    # Shown by exploration: drawn from lower in the ranking so that decisions are not taken
    # only on the engine's own top (docs/matching.md); its rank is its place in this list.
    exploration: bool = False


class IncompleteMatch(BaseModel):
    """A candidate who meets every known constraint but lacks data for some."""

    candidate_id: str
    full_name: str  # the passport's Latin letters
    name_vi: str | None = None  # with diacritics, for Vietnamese readers
    name_katakana: str | None = None  # for Japanese readers
    missing: list[str]


class MatchListPublic(BaseModel):
    job_order_id: str
    title: str
    sector: str
    status: str
    headcount: int
    min_japanese_level: str
    candidates_evaluated: int
    candidates_eligible: int
    matches: list[CandidateMatch]
    needs_data: list[IncompleteMatch]
    excluded_by: dict[str, int]
    # "learned" only when asked for and a ranking model is fitted; otherwise the weighted score.
    ranking: Literal["weighted", "learned"] = "weighted"


class JobOrderSummary(BaseModel):
    job_order_id: str
    employer_id: str
    title: str
    sector: str
    prefecture: str
    headcount: int
    min_japanese_level: str
    status: str


class PlacementPublic(BaseModel):
    job_order_id: str
    candidate_id: str
    full_name: str  # the passport's Latin letters
    name_vi: str | None = None  # with diacritics, for Vietnamese readers
    name_katakana: str | None = None  # for Japanese readers
    score: float


class AllocationProposalPublic(BaseModel):
    """A suggested placement maximising the total score; program managers decide."""

    sector: str | None
    orders: int
    slots: int
    placed: int
    fill_rate: float
    total_score: float
    greedy_total_score: float
    greedy_fill_rate: float
    gain_over_greedy: float
    placements: list[PlacementPublic]


class OrderMatch(BaseModel):
    rank: int
    job_order_id: str
    title: str
    prefecture: str
    track: str | None
    score: float
    components: ScoreComponents
    explanations: list[str]


class CandidateMatchesPublic(BaseModel):
    """Open orders a candidate qualifies for, best first."""

    candidate_id: str
    full_name: str  # the passport's Latin letters
    name_vi: str | None = None  # with diacritics, for Vietnamese readers
    name_katakana: str | None = None  # for Japanese readers
    sector: str
    status: str
    training_status: str | None
    matches: list[OrderMatch]


class LearnedMetrics(BaseModel):
    """Held-out quality of a ranking model (stratified split, fixed seed)."""

    roc_auc: float
    brier: float
    log_loss: float
    weighted_roc_auc: float | None  # the weighted score on the same held-out pairs
    n_train: int
    n_test: int
    approved: int
    rejected: int
    # The model live when this one was fitted, on the same held-out pairs (None: none was), and
    # whether this fit replaced it (only if its ROC AUC is higher).
    live_roc_auc: float | None = None
    promoted: bool = True
    # Weighted by inverse propensity (docs/matching.md); `gate` names the figure compared with
    # the live model's: ips_ndcg (nDCG@10 per order), ips_roc_auc, or nothing_live.
    ips_roc_auc: float | None = None
    live_ips_roc_auc: float | None = None
    ips_ndcg: float | None = None
    live_ips_ndcg: float | None = None
    weighted_ips_ndcg: float | None = None
    gate: str = "roc_auc"
    ips: bool = False
    max_weight: float | None = None
    explored: int = 0


class RefitAttemptPublic(BaseModel):
    """One attempt to refit the learned ranking: when, why it ran, and what came of it."""

    id: int
    started_at: Timestamp
    finished_at: Timestamp
    trigger: Literal["manual", "schedule"]
    outcome: Literal["promoted", "kept_live", "not_enough_decisions", "failed"]
    reason: str
    new_decisions: int
    fit_id: int | None
    metrics: LearnedMetrics | None


class RankingModelPublic(BaseModel):
    """A fit of the learned ranking: how good it is and what it learned per component."""

    id: int
    fitted_at: Timestamp
    fitted_by: str
    n_pairs: int
    features: list[str]
    metrics: LearnedMetrics
    coefficients: dict[str, float]  # log-odds per +1 of each feature, by name
    intercept: float


class NotEnoughDecisionsPublic(BaseModel):
    status: Literal["not_enough_decisions"] = "not_enough_decisions"
    detail: str
    have: int
    need: int
    approved: int
    rejected: int
    min_minority: int
