"""Learning a ranking from program managers' decisions, on the four score components only.

A pair's label is its latest judgement that was not undone: approved (proposed, passed at
interview or selected) or rejected (by a program manager, or failed at interview). The model is a
calibrated logistic regression on exactly `FEATURES`; nothing about the person (sex, age, marital
status, province of birth) can enter it, because the only inputs are the components the score is
built from. It is fitted only once enough pairs of both kinds are labelled; until then the
weighted score ranks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from kakehashi.matching.domain.components import COMPONENT_NAMES
from kakehashi.matching.domain.decisions import PairStatus, RejectionReason

if TYPE_CHECKING:
    from sklearn.calibration import CalibratedClassifierCV  # type: ignore[import-untyped]

# The only inputs a learned ranking may use, in column order: the score's components.
FEATURES: tuple[str, ...] = COMPONENT_NAMES
# Attributes that must never be learned from (a test holds FEATURES apart from them).
PROTECTED = frozenset(
    {
        "sex",
        "gender",
        "age",
        "date_of_birth",
        "marital_status",
        "province",
        "province_code",
        "province_of_birth",
    }
)
APPROVED = frozenset({PairStatus.PROPOSED, PairStatus.INTERVIEWED, PairStatus.SELECTED})
# Rejections that say nothing about the pair's fit: they label nothing.
NOT_A_JUDGEMENT = frozenset({RejectionReason.CANDIDATE_DECLINED, RejectionReason.HEADCOUNT_FILLED})
UNDO = "undo"
CALIBRATION_FOLDS = 3

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class LearningSettings:
    """When a model may be fitted, and how it is checked."""

    min_pairs: int = 50
    min_minority: int = 10  # labelled pairs of the rarer class
    test_size: float = 0.25
    random_state: int = 0


@dataclass(frozen=True)
class DecisionRow:
    """One recorded decision, as far as labelling needs it."""

    match_id: str
    version: int
    action: str
    to_status: str
    reason_code: str | None
    score: float | None
    components: Mapping[str, float] | None


@dataclass(frozen=True)
class LabelledPair:
    match_id: str
    components: Mapping[str, float]  # as they were when the judgement was taken
    score: float | None  # the weighted score then (the baseline the model is compared with)
    approved: bool


def label_of(row: DecisionRow) -> bool | None:
    """True for an approval, False for a rejection that judges the pair, None otherwise."""
    status = PairStatus(row.to_status)
    if status in APPROVED:
        return True
    if status is PairStatus.REJECTED:
        reason = RejectionReason(row.reason_code) if row.reason_code else None
        return None if reason in NOT_A_JUDGEMENT else False
    return None  # shortlisted or withdrawn: no judgement of the pair's fit


def labelled_pairs(rows: Iterable[DecisionRow]) -> list[LabelledPair]:
    """Each pair's latest judgement that was not undone, with the components it was taken on.

    An undo cancels the step before it (an undo is never undone itself); withdrawals,
    shortlisting and pairs whose components were not recorded label nothing.
    """
    steps: dict[str, list[DecisionRow]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r.match_id, r.version)):
        kept = steps[row.match_id]
        if row.action == UNDO:
            if kept:
                kept.pop()
        else:
            kept.append(row)
    labelled = []
    for match_id, kept in steps.items():
        for row in reversed(kept):
            label = label_of(row)
            if label is not None:
                if row.components is not None:
                    labelled.append(LabelledPair(match_id, row.components, row.score, label))
                break
    return labelled


def feature_matrix(components: Iterable[Mapping[str, float]]) -> FloatArray:
    """Pairs x FEATURES; any other key of a component record is ignored."""
    return np.array([[float(c[name]) for name in FEATURES] for c in components], dtype=np.float64)


@dataclass(frozen=True)
class NotEnoughDecisions:
    have: int
    need: int
    approved: int
    rejected: int
    min_minority: int

    @property
    def message(self) -> str:
        return (
            f"not enough decisions: have {self.have} labelled pairs ({self.approved} approved, "
            f"{self.rejected} rejected), need {self.need} with at least {self.min_minority} "
            "of each; ranking stays on the weighted score"
        )


@dataclass(frozen=True)
class Metrics:
    """Held-out quality, on a stratified split the model did not see."""

    roc_auc: float
    brier: float
    log_loss: float
    weighted_roc_auc: float | None  # the weighted score's AUC on the same held-out pairs
    n_train: int
    n_test: int
    approved: int
    rejected: int


@dataclass(frozen=True)
class CalibratedFold:
    """One calibration fold: a logistic regression and the sigmoid that calibrates it."""

    coef: tuple[float, ...]  # per FEATURES
    intercept: float
    a: float  # P(approved) = 1 / (1 + exp(a * decision + b))
    b: float


@dataclass(frozen=True)
class RankingModel:
    """A fitted model: its probability of approval, and what it learned per component.

    Plain numbers, so a fit is stored with its record and any API process can rank with it.
    """

    folds: tuple[CalibratedFold, ...]
    coefficients: dict[str, float]  # log-odds per +1 of a component (all lie in [0, 1])
    intercept: float
    metrics: Metrics
    n_pairs: int

    def probability(self, components: Mapping[str, npt.ArrayLike]) -> FloatArray:
        """Probability of approval for many pairs, from arrays of their components: the mean of
        the folds' calibrated probabilities, as scikit-learn's `predict_proba` computes it."""
        columns = [np.asarray(components[name], dtype=np.float64).ravel() for name in FEATURES]
        if not columns[0].size:
            return np.zeros(0, dtype=np.float64)
        x = np.column_stack(columns)
        total = np.zeros(len(x), dtype=np.float64)
        for fold in self.folds:
            decision = x @ np.asarray(fold.coef) + fold.intercept
            total += 1.0 / (1.0 + np.exp(fold.a * decision + fold.b))
        return total / len(self.folds)


def folds_of(estimator: CalibratedClassifierCV) -> tuple[CalibratedFold, ...]:
    """The numbers of a fitted binary, sigmoid-calibrated logistic regression."""
    return tuple(
        CalibratedFold(
            coef=tuple(float(v) for v in c.estimator.coef_[0]),
            intercept=float(c.estimator.intercept_[0]),
            a=float(c.calibrators[0].a_),
            b=float(c.calibrators[0].b_),
        )
        for c in estimator.calibrated_classifiers_
    )


def _estimator() -> CalibratedClassifierCV:
    # scikit-learn is imported here, not at the top: ranking with a recorded fit and the
    # consumer's processes never need it, only fitting does.
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    base = LogisticRegression(C=1.0, max_iter=1000)
    return CalibratedClassifierCV(base, method="sigmoid", cv=CALIBRATION_FOLDS)


def _coefficients(estimator: CalibratedClassifierCV) -> tuple[dict[str, float], float]:
    """The base regressions' coefficients, averaged over the calibration folds."""
    fitted = [c.estimator for c in estimator.calibrated_classifiers_]
    coef = np.mean([f.coef_[0] for f in fitted], axis=0)
    intercept = float(np.mean([f.intercept_[0] for f in fitted]))
    return {name: round(float(v), 4) for name, v in zip(FEATURES, coef, strict=True)}, round(
        intercept, 4
    )


def fit(
    pairs: list[LabelledPair], settings: LearningSettings = LearningSettings()
) -> RankingModel | NotEnoughDecisions:
    """Fit when enough pairs of both kinds are labelled; metrics come from a held-out split.

    The model served is then refitted on every labelled pair, so the metrics are those of the
    same recipe on a quarter less data (slightly pessimistic).
    """
    from sklearn.metrics import (  # type: ignore[import-untyped]
        brier_score_loss,
        log_loss,
        roc_auc_score,
    )
    from sklearn.model_selection import train_test_split  # type: ignore[import-untyped]

    approved = sum(p.approved for p in pairs)
    rejected = len(pairs) - approved
    if len(pairs) < settings.min_pairs or min(approved, rejected) < settings.min_minority:
        return NotEnoughDecisions(
            len(pairs), settings.min_pairs, approved, rejected, settings.min_minority
        )
    x = feature_matrix(p.components for p in pairs)
    y = np.array([p.approved for p in pairs], dtype=np.int64)
    baseline = np.array([np.nan if p.score is None else p.score for p in pairs])
    x_train, x_test, y_train, y_test, _, base_test = train_test_split(
        x,
        y,
        baseline,
        test_size=settings.test_size,
        stratify=y,
        random_state=settings.random_state,
    )
    held_out = _estimator().fit(x_train, y_train)
    predicted = held_out.predict_proba(x_test)[:, 1]
    known = ~np.isnan(base_test)
    weighted_auc = None
    if known.all():
        weighted_auc = round(float(roc_auc_score(y_test, base_test)), 4)
    metrics = Metrics(
        roc_auc=round(float(roc_auc_score(y_test, predicted)), 4),
        brier=round(float(brier_score_loss(y_test, predicted)), 4),
        log_loss=round(float(log_loss(y_test, predicted, labels=[0, 1])), 4),
        weighted_roc_auc=weighted_auc,
        n_train=len(y_train),
        n_test=len(y_test),
        approved=approved,
        rejected=rejected,
    )
    served = _estimator().fit(x, y)
    coefficients, intercept = _coefficients(served)
    return RankingModel(folds_of(served), coefficients, intercept, metrics, len(pairs))
