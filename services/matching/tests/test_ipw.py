"""Inverse propensity weighting: the propensity exploration implies, what a decision records,
the weights the fit gives, and a logging policy whose bias the weighted fit undoes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import kendalltau

from conftest import auth
from kakehashi.matching.bootstrap import SPEC
from kakehashi.matching.domain.exploration import (
    REVIEW_WINDOW,
    explore,
    placement,
    propensity_below,
    slots_of,
)
from kakehashi.matching.domain.learning import (
    FEATURES,
    DecisionRow,
    LabelledPair,
    LearningSettings,
    RankingModel,
    fit,
    labelled_pairs,
    pair_weights,
)
from kakehashi.matching.domain.weighting import ips_ndcg, ips_weights, raw_weights
from kakehashi.matching.service_layer import learning as learning_service
from kakehashi.shared.runtime import Runtime
from services.matching.tests.market_events import applier, candidate_event, order_event

MANAGER = auth("program_manager", "pm-office")
propensities = st.lists(
    st.one_of(st.none(), st.floats(min_value=0.0, max_value=1.0, allow_nan=False)), max_size=60
)


@settings(max_examples=200, deadline=None)
@given(p=propensities, clip=st.floats(min_value=1.0, max_value=100.0))
def test_weights_are_finite_clipped_and_self_normalised(p: list[float | None], clip: float) -> None:
    raw = raw_weights(p, clip)
    assert np.isfinite(raw).all()
    assert ((raw >= 1.0) & (raw <= clip)).all()  # a propensity of 0 (never shown) clips too
    unknown = [i for i, v in enumerate(p) if v is None or v == 0.0]
    assert all(raw[i] == (1.0 if p[i] is None else clip) for i in unknown)
    weights = ips_weights(p, clip)
    assert np.isfinite(weights).all()
    if p:
        assert weights.sum() == pytest.approx(len(p))


@settings(max_examples=200, deadline=None)
@given(
    below=st.integers(1, 5000),
    every=st.integers(1, 25),
    clip=st.floats(min_value=1.0, max_value=50.0),
    top=st.integers(1, 50),
)
def test_an_exploration_shown_pair_gets_its_weight(
    below: int, every: int, clip: float, top: int
) -> None:
    """Against the engine's own top (weight 1), an explored pair weighs 1/propensity, clipped."""
    propensity = propensity_below(every, REVIEW_WINDOW, below)
    weights = ips_weights([1.0] * top + [propensity], clip)
    expected = min(1.0 / propensity, clip) if propensity > 0 else clip
    assert weights[-1] / weights[0] == pytest.approx(expected)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 90),
    every=st.integers(1, 12),
    window=st.integers(1, 60),
    seed=st.integers(0, 2**32 - 1),
)
def test_placement_agrees_with_the_list_it_describes(
    n: int, every: int, window: int, seed: int
) -> None:
    ranked, eligible = list(range(n)), np.arange(n)
    merged, explored = explore(ranked, eligible, every, window, np.random.default_rng(seed))
    kept = window - len(slots_of(every, window))
    for candidate in range(n):
        shown = placement(ranked, eligible, every, window, np.random.default_rng(seed), candidate)
        assert shown.place == merged.index(candidate) + 1
        assert shown.exploration == (candidate in explored)
        if candidate in explored:
            below = n - min(kept, n)
            assert shown.propensity == pytest.approx(
                min(len(slots_of(every, window)), below) / below
            )
        elif shown.place is not None and shown.place <= window:
            assert shown.propensity == 1.0
        else:
            assert shown.propensity is None


def test_the_propensity_is_how_often_the_draw_shows_a_candidate_from_below() -> None:
    """Measured over many days' draws: a candidate below the window's own places is shown with
    the probability `propensity_below` states (5 slots, 75 below: 1/15)."""
    n, every, days = 120, 10, 6000
    ranked, eligible = list(range(n)), np.arange(n)
    rng = np.random.default_rng(0)
    shown = np.zeros(n)
    for _ in range(days):
        _, explored = explore(ranked, eligible, every, REVIEW_WINDOW, rng)
        shown[list(explored)] += 1
    frequency = shown[45:] / days
    expected = propensity_below(every, REVIEW_WINDOW, n - 45)
    assert expected == pytest.approx(5 / 75)
    assert abs(frequency.mean() - expected) < 0.003
    assert np.abs(frequency - expected).max() < 0.02  # every candidate below, not on average
    assert (shown[:45] == 0).all()


def test_a_pair_keeps_the_propensity_of_its_first_decision() -> None:
    components = dict.fromkeys(FEATURES, 0.5)
    rows = [
        DecisionRow("o:a", 1, "shortlist", "shortlisted", None, 0.5, components, "o", True, 0.1),
        DecisionRow("o:a", 2, "propose", "proposed", None, 0.5, components, "o"),
        DecisionRow("o:b", 1, "propose", "proposed", None, 0.5, components, "o", False, 1.0),
        DecisionRow("o:c", 1, "reject", "rejected", "skills", 0.5, components),  # recorded before
    ]
    pairs = {p.match_id: p for p in labelled_pairs(rows)}
    assert (pairs["o:a"].label, pairs["o:a"].propensity, pairs["o:a"].exploration) == (2, 0.1, True)
    assert (pairs["o:b"].propensity, pairs["o:b"].exploration, pairs["o:b"].order) == (
        1.0,
        False,
        "o",
    )
    assert (pairs["o:c"].propensity, pairs["o:c"].order) == (None, None)


def test_ips_ndcg_counts_a_rare_pair_as_many() -> None:
    """One order: the top pair (propensity 1) and an explored pair (propensity 0.1) are both
    approved; a ranking that puts the explored one first wins only once it is weighted."""
    groups, grades = ["o", "o", "o"], np.array([2, 2, 0])
    explored_first = np.array([0.5, 0.9, 0.1])
    top_first = np.array([0.9, 0.5, 0.1])
    flat = np.ones(3)
    assert ips_ndcg(groups, grades, explored_first, flat) == ips_ndcg(
        groups, grades, top_first, flat
    )
    weights = ips_weights([1.0, 0.1, 1.0])
    ndcg_explored = ips_ndcg(groups, grades, explored_first, weights)
    ndcg_top = ips_ndcg(groups, grades, top_first, weights)
    assert ndcg_explored is not None
    assert ndcg_top is not None
    assert ndcg_explored == pytest.approx(1.0)
    assert ndcg_top < 0.8
    assert ips_ndcg([None, None], grades[:2], top_first[:2], flat[:2]) is None  # no order


# A logging policy whose bias is known. The truth is symmetric in two features (approval's log-odds
# 10 x1 x2 - 4), so a correct fit weighs them equally. The engine ranks by x1 + 3 x2: its review
# window holds pairs with x2 near 1, where the truth's slope along x1 (10 x2 ~ 10) is about twice
# its slope along x2 (10 x1 ~ 5), so a fit on what the engine shows is pulled towards x1; only
# the explored pairs, one in ten, come from the rest. Weighting them by 1/propensity makes the
# sample look like every eligible pair again.
ORDERS, POOL, EVERY = 40, 400, 10


def _truth(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    logit: np.ndarray = 10 * x1 * x2 - 4
    return logit


def _logged_decisions(seed: int) -> list[LabelledPair]:
    """Program managers decide each order's review window as the engine + exploration show it."""
    rng = np.random.default_rng(seed)
    below = POOL - (REVIEW_WINDOW - len(slots_of(EVERY, REVIEW_WINDOW)))
    explored_propensity = propensity_below(EVERY, REVIEW_WINDOW, below)  # 5 / 355
    pairs = []
    for o in range(ORDERS):
        x1, x2 = rng.uniform(size=POOL), rng.uniform(size=POOL)
        ranked = np.argsort(-(x1 + 3 * x2)).tolist()
        merged, explored = explore(ranked, np.arange(POOL), EVERY, REVIEW_WINDOW, rng)
        approve = rng.uniform(size=POOL) < 1 / (1 + np.exp(-_truth(x1, x2)))
        for candidate in merged[:REVIEW_WINDOW]:
            pairs.append(
                LabelledPair(
                    f"{o}:{candidate}",
                    {"skills": float(x1[candidate]), "japanese": float(x2[candidate])},
                    None,
                    bool(approve[candidate]),
                    2 if approve[candidate] else 0,
                    order=str(o),
                    propensity=explored_propensity if candidate in explored else 1.0,
                    exploration=candidate in explored,
                )
            )
    return pairs


def _population_quality(model: RankingModel) -> tuple[float, float]:
    """Kendall's tau between the model's order and the true order over fresh eligible pairs
    (the whole list, not the engine's top), and the ratio of its two coefficients (truth: 1)."""
    rng = np.random.default_rng(99)
    x1, x2 = rng.uniform(size=20_000), rng.uniform(size=20_000)
    columns = {name: np.zeros(20_000) for name in FEATURES} | {"skills": x1, "japanese": x2}
    tau = float(kendalltau(model.probability(columns), _truth(x1, x2)).statistic)
    return tau, model.coefficients["skills"] / model.coefficients["japanese"]


@pytest.mark.parametrize("seed", [0, 1])
def test_the_weighted_fit_recovers_the_true_order_the_engine_biases(seed: int) -> None:
    pairs = _logged_decisions(seed)
    assert sum(p.exploration for p in pairs) == ORDERS * 5  # one in ten of each window
    plain = fit(pairs, LearningSettings(ips=False))
    weighted = fit(pairs, LearningSettings(ips=True, max_weight=10.0))
    assert isinstance(plain, RankingModel)
    assert isinstance(weighted, RankingModel)
    plain_tau, plain_ratio = _population_quality(plain)
    weighted_tau, weighted_ratio = _population_quality(weighted)
    # The unweighted fit is biased the way the argument above says: x1 well over x2 ...
    assert plain_ratio > 1.2
    # ... the weighted one much less so, and it orders the whole list better.
    assert abs(weighted_ratio - 1) < (plain_ratio - 1) / 2
    assert weighted_tau > plain_tau + 0.01
    assert (weighted.metrics.ips, plain.metrics.ips) == (True, False)
    assert weighted.metrics.explored == ORDERS * 5
    # IPW turned off weighs every pair 1: its weighted figures are the plain ones.
    assert plain.metrics.ips_roc_auc == plain.metrics.roc_auc


@pytest.mark.integration
def test_a_decision_records_how_the_list_showed_the_pair(service_client: Any) -> None:
    """60 candidates, ranked by welding level: the review window's 45 own places weigh 1, its
    5 explorers were drawn from the 15 below (propensity 5/15), and a pair reached past the
    window has no known propensity. Only a pair's first decision records it."""
    client: TestClient = service_client(SPEC)  # exploration every 10th place, the default
    consumer = applier(client)
    required = [{"code": "welding", "min_level": 1, "must_have": True}]
    consumer.apply(order_event("order-1", required_skills=required))
    for i in range(60):
        consumer.apply(
            candidate_event(f"c{i:02}", skills=[{"code": "welding", "level": 5 - i // 12}])
        )
    url = "/job-orders/order-1/matches"
    matches = client.get(url, params={"limit": 60}, headers=MANAGER).json()["matches"]
    explorer = next(m["candidate_id"] for m in matches if m["exploration"])
    top = matches[0]["candidate_id"]
    past = matches[55]["candidate_id"]
    decisions = "/job-orders/order-1/candidates/{}/decisions"
    for candidate, action in ((explorer, "shortlist"), (top, "shortlist"), (top, "propose")):
        response = client.post(
            decisions.format(candidate), json={"action": action}, headers=MANAGER
        )
        assert response.status_code == 200, response.text
    bulk = {"decisions": [{"job_order_id": "order-1", "candidate_id": past, "action": "propose"}]}
    assert client.post("/decisions/bulk", json=bulk, headers=MANAGER).status_code == 200
    history = client.get("/job-orders/order-1/decisions", headers=MANAGER).json()
    recorded = [
        (d["candidate_id"], d["action"], d["exploration"], d["propensity"]) for d in history
    ]
    assert recorded == [
        (explorer, "shortlist", True, pytest.approx(5 / 15)),
        (top, "shortlist", False, 1.0),
        (top, "propose", None, None),  # taken off the shortlist, not the list
        (past, "propose", False, None),  # shown past the window: no known probability
    ]
    # What the fit reads back: the explorer weighs 1/propensity = 3 times a top pair.
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    with runtime.uow() as uow:
        pairs = labelled_pairs(learning_service.decision_rows(uow))
    by_candidate = {p.match_id.split(":")[1]: p for p in pairs}
    assert by_candidate[explorer].exploration
    assert not by_candidate[top].exploration
    weights = dict(zip(by_candidate, pair_weights(pairs, LearningSettings()), strict=True))
    assert weights[explorer] / weights[top] == pytest.approx(3.0)
    assert weights[past] == weights[top]
