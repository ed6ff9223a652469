"""Unit tests of learning from decisions: labels, the feature guard, and a model that learns."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pytest

from kakehashi.matching.domain import learning
from kakehashi.matching.domain.features import EXTRA_FEATURES, pair_features
from kakehashi.matching.domain.learning import (
    FEATURES,
    PROTECTED,
    DecisionRow,
    LabelledPair,
    LearningSettings,
    NotEnoughDecisions,
    RankingModel,
    feature_matrix,
    fit,
    labelled_pairs,
)
from kakehashi.matching.domain.model import CandidateProfile, Order, Pool, Requirement

COMPONENTS = {"skills": 0.9, "japanese": 0.5, "experience": 0.4, "preferences": 0.7}
NAMES = ("skills", "japanese", "experience", "preferences")


def row(match_id: str, version: int, action: str, to_status: str, **extra: Any) -> DecisionRow:
    values: dict[str, Any] = {"reason_code": None, "score": 0.6, "components": COMPONENTS}
    return DecisionRow(match_id, version, action, to_status, **(values | extra))


def labels(rows: list[DecisionRow]) -> dict[str, bool]:
    return {p.match_id: p.approved for p in labelled_pairs(rows) if p.label != 1}


def grades(rows: list[DecisionRow]) -> dict[str, int]:
    return {p.match_id: p.label for p in labelled_pairs(rows)}


def test_approvals_and_rejections_label_pairs_and_the_latest_judgement_wins() -> None:
    rows = [
        row("a", 1, "shortlist", "shortlisted"),
        row("a", 2, "propose", "proposed"),
        row("b", 1, "reject", "rejected", reason_code="skills"),
        row("c", 1, "propose", "proposed"),
        row("c", 2, "interview", "rejected", reason_code="interview_failed"),
        row("d", 2, "select", "selected"),  # out of order on purpose: versions decide
        row("d", 1, "propose", "proposed"),
        row("e", 1, "shortlist", "shortlisted"),  # no judgement yet
    ]
    assert labels(rows) == {"a": True, "b": False, "c": False, "d": True}


def test_labels_are_graded_selected_interviewed_proposed_shortlisted_rejected() -> None:
    rows = [
        row("s", 1, "select", "selected"),
        row("i", 1, "interview", "interviewed"),
        row("p", 1, "propose", "proposed"),
        row("l", 1, "shortlist", "shortlisted"),
        row("r", 1, "reject", "rejected", reason_code="skills"),
        row("w", 1, "shortlist", "shortlisted"),
        row("w", 2, "withdraw", "withdrawn"),  # a withdrawal says nothing: shortlisted stands
    ]
    assert grades(rows) == {"s": 4, "i": 3, "p": 2, "l": 1, "r": 0, "w": 1}
    approved = {p.match_id for p in labelled_pairs(rows) if p.approved}
    assert approved == {"s", "i", "p"}


def test_undone_steps_and_withdrawals_label_nothing() -> None:
    rows = [
        # rejected, then the rejection undone: the approval before it stands
        row("a", 1, "propose", "proposed"),
        row("a", 2, "reject", "rejected", reason_code="skills"),
        row("a", 3, "undo", "proposed"),
        # the only judgement undone: no label
        row("b", 1, "reject", "rejected", reason_code="japanese_level"),
        row("b", 2, "undo", "withdrawn"),
        # withdrawn after an approval: the withdrawal says nothing, the approval stands
        row("c", 1, "propose", "proposed"),
        row("c", 2, "withdraw", "withdrawn"),
        # shortlisted, then withdrawn: the shortlisting (grade 1) stands
        row("d", 1, "shortlist", "shortlisted"),
        row("d", 2, "withdraw", "withdrawn"),
        # undo, then a new judgement: the new one counts
        row("e", 1, "propose", "proposed"),
        row("e", 2, "undo", "withdrawn"),
        row("e", 3, "reject", "rejected", reason_code="skills"),
    ]
    assert labels(rows) == {"a": True, "c": True, "e": False}


def test_rejections_that_do_not_judge_the_pair_and_unscored_rows_label_nothing() -> None:
    rows = [
        row("a", 1, "reject", "rejected", reason_code="headcount_filled"),
        row("b", 1, "reject", "rejected", reason_code="candidate_declined"),
        row("c", 1, "propose", "proposed"),
        row("c", 2, "reject", "rejected", reason_code="headcount_filled"),
        row("d", 1, "reject", "rejected", reason_code="skills", score=None, components=None),
    ]
    assert labels(rows) == {"c": True}


def test_only_the_components_and_pair_features_can_enter_the_model() -> None:
    assert FEATURES == NAMES + EXTRA_FEATURES
    assert not set(FEATURES) & PROTECTED
    assert {"sex", "age", "date_of_birth", "marital_status", "province"} <= PROTECTED
    # No feature is a protected attribute under another spelling either.
    assert not [f for f in FEATURES for p in PROTECTED if p in f or f in p]
    # A record carrying anything else still gives the same columns.
    record = COMPONENTS | dict.fromkeys(EXTRA_FEATURES, 0.5)
    leaky = record | {"sex": 1.0, "age": 31.0, "marital_status": 1.0, "province": 7.0}
    assert feature_matrix([leaky]).tolist() == feature_matrix([record]).tolist()
    assert feature_matrix([leaky]).shape == (1, len(FEATURES))
    model = fit(synthetic_pairs(120, seed=3))
    assert isinstance(model, RankingModel)
    assert all(len(fold.coef) == len(FEATURES) for fold in model.folds)
    assert set(model.coefficients) == set(FEATURES)


def test_too_few_decisions_keep_the_weighted_score_and_say_how_many_are_missing() -> None:
    few = synthetic_pairs(30, seed=1)
    outcome = fit(few, LearningSettings(min_pairs=50))
    assert isinstance(outcome, NotEnoughDecisions)
    assert outcome.have == 30
    assert outcome.need == 50
    assert outcome.message.startswith("not enough decisions: have 30 labelled pairs")
    lopsided = [LabelledPair(p.match_id, p.components, p.score, True) for p in few * 3]
    lopsided[:5] = [LabelledPair(p.match_id, p.components, p.score, False) for p in few[:5]]
    outcome = fit(lopsided, LearningSettings(min_pairs=50, min_minority=10))
    assert isinstance(outcome, NotEnoughDecisions)
    assert (outcome.approved, outcome.rejected) == (85, 5)
    assert "at least 10 of each" in outcome.message


def synthetic_pairs(n: int, seed: int) -> list[LabelledPair]:
    """Program managers who approve when the Japanese component is high (10% noise)."""
    rng = np.random.default_rng(seed)
    values = rng.uniform(0, 1, size=(n, len(FEATURES)))
    approve = (values[:, 1] > 0.6) ^ (rng.uniform(size=n) < 0.1)
    pairs = []
    for i in range(n):
        components = {name: float(values[i, j]) for j, name in enumerate(FEATURES)}
        score = 0.5 * values[i, 0] + 0.2 * values[i, 1] + 0.15 * values[i, 2] + 0.15 * values[i, 3]
        pairs.append(LabelledPair(f"pair-{i}", components, float(score), bool(approve[i])))
    return pairs


def test_a_model_fitted_on_a_known_rule_learns_it_and_ranks_by_it() -> None:
    model = fit(synthetic_pairs(300, seed=7))
    assert isinstance(model, RankingModel)
    metrics = model.metrics
    assert metrics.roc_auc > 0.8
    assert metrics.brier < 0.15
    assert metrics.log_loss < 0.5
    assert metrics.weighted_roc_auc is not None
    assert metrics.roc_auc > metrics.weighted_roc_auc + 0.2  # the weights miss the rule
    assert (metrics.n_train, metrics.n_test) == (225, 75)
    assert metrics.promoted  # nothing was live
    assert metrics.live_roc_auc is None
    # What it learned, readable per component: Japanese dominates, the others barely count.
    coefficients = model.coefficients
    assert coefficients["japanese"] > 3
    assert all(
        abs(coefficients[n]) < coefficients["japanese"] / 3 for n in FEATURES if n != "japanese"
    )
    # Ranking fresh pairs: high Japanese first, whatever the weighted score says.
    fresh = {
        "skills": np.array([1.0, 0.2, 0.9, 0.3]),
        "japanese": np.array([0.1, 0.95, 0.3, 0.8]),
        "experience": np.array([1.0, 0.2, 0.9, 0.5]),
        "preferences": np.array([1.0, 0.3, 0.9, 0.5]),
    }
    fresh |= {n: np.full(4, 1.5) for n in EXTRA_FEATURES}
    probability = model.probability(fresh)
    assert np.argsort(-probability).tolist() == [1, 3, 2, 0]
    assert probability[1] > 0.7 > 0.3 > probability[0]
    assert model.probability({n: np.array([]) for n in FEATURES}).shape == (0,)


def test_fitting_is_reproducible() -> None:
    pairs = synthetic_pairs(200, seed=11)
    first, second = fit(pairs), fit(pairs)
    assert isinstance(first, RankingModel)
    assert isinstance(second, RankingModel)
    assert first.metrics == second.metrics
    assert first.coefficients == second.coefficients


@pytest.mark.parametrize("protected", sorted(PROTECTED))
def test_no_protected_name_is_a_feature(protected: str) -> None:
    assert protected not in FEATURES


def test_old_decisions_without_the_new_features_get_them_imputed_with_the_mean() -> None:
    old = dict(COMPONENTS)
    new = [COMPONENTS | dict.fromkeys(EXTRA_FEATURES, v) for v in (1.0, 3.0)]
    x = feature_matrix([old, *new])
    assert x[0, len(NAMES) :].tolist() == [2.0] * len(EXTRA_FEATURES)
    assert feature_matrix([old, old])[:, len(NAMES) :].tolist() == [[0.0] * 6] * 2


def test_a_graded_selection_pulls_harder_than_a_proposal() -> None:
    """Grades beyond approved/rejected: selected pairs high in one feature rank above proposed
    pairs that are high in another, which a yes/no label cannot tell apart."""
    rng = np.random.default_rng(2)
    pairs = []
    for i in range(400):
        values = rng.uniform(0, 1, len(FEATURES))
        grade = 4 if values[0] > 0.7 else 2 if values[1] > 0.5 else 0
        record = dict(zip(FEATURES, values.tolist(), strict=True))
        pairs.append(LabelledPair(f"p{i}", record, 0.5, grade >= 2, grade))
    model = fit(pairs)
    assert isinstance(model, RankingModel)
    assert model.coefficients["skills"] > model.coefficients["japanese"] > 0


def test_a_refit_replaces_the_live_model_only_when_it_beats_it() -> None:
    pairs = synthetic_pairs(300, seed=7)
    good = fit(pairs)
    assert isinstance(good, RankingModel)
    # A live model that already knows the rule: a refit on noisier labels does not replace it.
    noisy = [LabelledPair(p.match_id, p.components, p.score, not p.approved) if i % 3 == 0
             else p for i, p in enumerate(pairs)]  # fmt: skip
    refit = fit(noisy, live=good)
    assert isinstance(refit, RankingModel)
    assert refit.metrics.live_roc_auc is not None
    assert refit.metrics.live_roc_auc > refit.metrics.roc_auc
    assert not refit.metrics.promoted
    # A live model that knows nothing useful is replaced.
    blind = RankingModel(good.folds, dict.fromkeys(FEATURES, 0.0), 0.0, good.metrics, 1)
    blind = RankingModel(
        tuple(type(f)(tuple(0.0 for _ in f.coef), 0.0, f.a, f.b) for f in good.folds),
        blind.coefficients, 0.0, good.metrics, 1,
    )  # fmt: skip
    replacing = fit(pairs, live=blind)
    assert isinstance(replacing, RankingModel)
    assert replacing.metrics.promoted


def test_pair_features_read_the_strength_the_components_hide() -> None:
    born = date(1999, 1, 1)
    pool = Pool.build(
        [
            CandidateProfile("a", 3, {"welding": 5, "formwork": 2}, born, date(2027, 1, 1),
                             experience_years=4.0),
            CandidateProfile("b", 1, {"welding": 3}, born, None),
        ]
    )  # fmt: skip
    order = Order(
        2,
        (Requirement("welding", 3, True), Requirement("scaffolding", 2, False)),
        departure=date(2027, 4, 1),
    )
    features = pair_features(pool, [order], date(2026, 11, 30), np.array([1.0, 0.0], np.float32))
    assert set(features) == set(EXTRA_FEATURES)
    assert features["skill_surplus"][0].tolist() == [1.0, 0.0]  # (2 + 0) / 2 requirements
    assert features["japanese_surplus"][0].tolist() == [1.0, -1.0]
    assert features["experience_years"][0].tolist() == [4.0, 0.0]
    assert features["availability_slack"][0].tolist() == pytest.approx([90 / 30.4, 0.0])
    assert features["related_credit"][0].tolist() == [1.0, 0.0]  # formwork for scaffolding
    assert features["training_progress"][0].tolist() == [1.0, 0.0]


def test_the_stored_numbers_give_the_same_probabilities_as_scikit_learn() -> None:
    pairs = synthetic_pairs(150, seed=5)
    x = feature_matrix(p.components for p in pairs)
    y = np.array([p.approved for p in pairs])
    estimator = learning._estimator().fit(x, y)
    model = RankingModel(learning.folds_of(estimator), {}, 0.0, None, len(pairs))  # type: ignore[arg-type]
    columns = {name: x[:, i] for i, name in enumerate(FEATURES)}
    assert np.allclose(model.probability(columns), estimator.predict_proba(x)[:, 1], atol=1e-12)
