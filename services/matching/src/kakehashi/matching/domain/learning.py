"""Learning a ranking from program managers' decisions, on the score components and the pair
features the components hide (`features.py`).

A pair's label is a grade, from its latest step that was not undone: selected 4 > interviewed 3 >
proposed 2 > shortlisted 1 > rejected 0 (by a program manager, or failed at interview); a pair is
"approved" from proposed up. The model is pointwise and ordinal: one logistic regression, shared
by the four thresholds "grade >= t", fitted on every pair once per threshold (so a selection
pulls harder than a proposal), then calibrated. Its inputs are exactly `FEATURES`; nothing about
the person (sex, age, marital status, province of birth) can enter it, and a test holds
`FEATURES` apart from `PROTECTED`. It is fitted only once enough pairs of both kinds are labelled;
until then the weighted score ranks. A refit replaces the live model only when it ranks the same
held-out pairs better (`Metrics.promoted`).

Each pair is weighted by one over the probability that the list showed it (`weighting.py`): the
engine's own top weighs 1, a pair shown by exploration up to `max_weight`. The fit and the gate
(IPS-weighted nDCG@10 per order on the held-out pairs) use the same weights, so neither is
fooled by the engine choosing what gets decided.
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
from kakehashi.matching.domain.features import EXTRA_FEATURES
from kakehashi.matching.domain.weighting import DEFAULT_MAX_WEIGHT, ips_ndcg, ips_weights

if TYPE_CHECKING:
    from sklearn.calibration import CalibratedClassifierCV  # type: ignore[import-untyped]

# The only inputs a learned ranking may use, in column order: the score's components, then the
# pair features they hide.
FEATURES: tuple[str, ...] = COMPONENT_NAMES + EXTRA_FEATURES
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
GRADES = {
    PairStatus.REJECTED: 0,
    PairStatus.SHORTLISTED: 1,
    PairStatus.PROPOSED: 2,
    PairStatus.INTERVIEWED: 3,
    PairStatus.SELECTED: 4,
}
APPROVED_GRADE = GRADES[PairStatus.PROPOSED]
APPROVED = frozenset(status for status, grade in GRADES.items() if grade >= APPROVED_GRADE)
# Rejections that say nothing about the pair's fit: they label nothing.
NOT_A_JUDGEMENT = frozenset({RejectionReason.CANDIDATE_DECLINED, RejectionReason.HEADCOUNT_FILLED})
UNDO = "undo"
CALIBRATION_FOLDS = 3
GATE_K = 10  # the gate's nDCG@k: the first console page a program manager reads

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class LearningSettings:
    """When a model may be fitted, and how it is checked."""

    min_pairs: int = 50
    min_minority: int = 10  # labelled pairs of the rarer class
    test_size: float = 0.25
    random_state: int = 0
    # Inverse propensity weighting of the fit and the gate (`weighting.py`), clipped at this.
    ips: bool = True
    max_weight: float = DEFAULT_MAX_WEIGHT


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
    job_order_id: str | None = None
    # How the list showed the pair when this step was taken (`exploration.Placement`); None
    # for steps not taken off a list (undo, interview) and decisions recorded before.
    exploration: bool | None = None
    propensity: float | None = None


@dataclass(frozen=True)
class LabelledPair:
    match_id: str
    components: Mapping[str, float]  # components and features when the judgement was taken
    score: float | None  # the weighted score then (the baseline the model is compared with)
    approved: bool
    grade: int | None = None  # GRADES; None: APPROVED_GRADE if approved, else 0
    order: str | None = None  # the job order: the gate's nDCG ranks each order's pairs
    # The probability the list showed the pair when it was first decided (None: unknown).
    propensity: float | None = None
    exploration: bool = False

    @property
    def label(self) -> int:
        if self.grade is not None:
            return self.grade
        return APPROVED_GRADE if self.approved else 0


def grade_of(row: DecisionRow) -> int | None:
    """A step's grade (GRADES), or None for a step that does not judge the pair's fit
    (withdrawn, or rejected for a reason unrelated to it)."""
    status = PairStatus(row.to_status)
    if status is PairStatus.REJECTED:
        reason = RejectionReason(row.reason_code) if row.reason_code else None
        return None if reason in NOT_A_JUDGEMENT else 0
    return GRADES.get(status)


def label_of(row: DecisionRow) -> bool | None:
    """True for an approval, False for a rejection that judges the pair, None otherwise
    (shortlisted: graded 1, but neither)."""
    grade = grade_of(row)
    if grade is None or 0 < grade < APPROVED_GRADE:
        return None
    return grade >= APPROVED_GRADE


def labelled_pairs(rows: Iterable[DecisionRow]) -> list[LabelledPair]:
    """Each pair's latest judgement that was not undone, with the components it was taken on.

    An undo cancels the step before it (an undo is never undone itself); withdrawals and pairs
    whose components were not recorded label nothing. The pair's propensity is that of its
    first kept step: the one taken off the list, when the list decided what was seen (later
    steps are taken off the shortlist).
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
            grade = grade_of(row)
            if grade is not None:
                if row.components is not None:
                    approved = grade >= APPROVED_GRADE
                    first = kept[0]
                    pair = LabelledPair(
                        match_id,
                        row.components,
                        row.score,
                        approved,
                        grade,
                        order=row.job_order_id,
                        propensity=first.propensity,
                        exploration=bool(first.exploration),
                    )
                    labelled.append(pair)
                break
    return labelled


def feature_matrix(
    components: Iterable[Mapping[str, float]], names: tuple[str, ...] = FEATURES
) -> FloatArray:
    """Pairs x `names`; any other key of a record is ignored. Decisions recorded before a feature
    existed lack it: it is imputed with its mean over the records that have it (0 if none), so
    old decisions still teach what their components show without biasing the new features."""
    records = list(components)
    x = np.array(
        [[float(c.get(name, np.nan)) for name in names] for c in records], dtype=np.float64
    ).reshape(len(records), len(names))
    missing = np.isnan(x)
    if missing.any():
        known = np.where(missing, 0.0, x).sum(axis=0)
        counts = (~missing).sum(axis=0)
        means = np.divide(known, counts, out=np.zeros(len(names)), where=counts > 0)
        x = np.where(missing, means, x)
    return x


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
    # The live model (the one ranking when this one was fitted) on the same held-out pairs, and
    # whether this fit replaced it: only when its ROC AUC beats the live one's.
    live_roc_auc: float | None = None
    promoted: bool = True
    # Inverse-propensity-weighted figures on the same held-out pairs (weights of `weighting.py`;
    # all 1 for a fit without IPW): the gate compares `ips_ndcg` with `live_ips_ndcg` (nDCG@10
    # per order), or the weighted ROC AUCs when no held-out order has two pairs.
    ips_roc_auc: float | None = None
    live_ips_roc_auc: float | None = None
    ips_ndcg: float | None = None
    live_ips_ndcg: float | None = None
    weighted_ips_ndcg: float | None = None  # the weighted score's
    gate: str = "roc_auc"  # which figure decided `promoted`
    ips: bool = False  # whether this fit was weighted
    max_weight: float | None = None
    explored: int = 0  # labelled pairs that exploration had shown


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

    @property
    def features(self) -> tuple[str, ...]:
        """The inputs this fit learned from, in column order (a fit recorded before a feature
        existed ranks without it)."""
        return tuple(self.coefficients) or FEATURES

    def probability(self, components: Mapping[str, npt.ArrayLike]) -> FloatArray:
        """Probability of approval for many pairs, from arrays of their features: the mean of
        the folds' calibrated probabilities, as scikit-learn's `predict_proba` computes it."""
        names = self.features
        columns = [np.asarray(components[name], dtype=np.float64).ravel() for name in names]
        if not columns[0].size:
            return np.zeros(0, dtype=np.float64)
        x = np.column_stack(columns)
        total = np.zeros(len(x), dtype=np.float64)
        for fold in self.folds:
            decision = x @ np.asarray(fold.coef) + fold.intercept
            total += 1.0 / (1.0 + np.exp(fold.a * decision + fold.b))
        return total / len(self.folds)


def folds_of(estimator: CalibratedClassifierCV) -> tuple[CalibratedFold, ...]:
    """The numbers of a fitted binary, sigmoid-calibrated logistic regression; fitted on the
    ordinal expansion (`_ordinal`), those of its "grade >= proposed" threshold: P(approved)."""
    return tuple(
        CalibratedFold(
            coef=tuple(float(v) for v in c.estimator.coef_[0][: len(FEATURES)]),
            intercept=_approved_intercept(c.estimator.coef_[0], c.estimator.intercept_[0]),
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


def _approved_intercept(coef: FloatArray, intercept: float) -> float:
    """The intercept of the threshold "grade >= proposed": the regression's own, plus that
    threshold's column when the regression was fitted on the ordinal expansion."""
    extra = coef[len(FEATURES) :]
    column = APPROVED_GRADE - FIRST_THRESHOLD - 1  # the first threshold has no column
    return float(intercept + (extra[column] if len(extra) else 0.0))


def _coefficients(estimator: CalibratedClassifierCV) -> tuple[dict[str, float], float]:
    """The base regressions' coefficients, averaged over the calibration folds."""
    fitted = [c.estimator for c in estimator.calibrated_classifiers_]
    coef = np.mean([f.coef_[0][: len(FEATURES)] for f in fitted], axis=0)
    intercept = float(np.mean([_approved_intercept(f.coef_[0], f.intercept_[0]) for f in fitted]))
    return {name: round(float(v), 4) for name, v in zip(FEATURES, coef, strict=True)}, round(
        intercept, 4
    )


FIRST_THRESHOLD = 1
THRESHOLDS = tuple(range(FIRST_THRESHOLD, max(GRADES.values()) + 1))


def _at(x: FloatArray, threshold: int) -> FloatArray:
    """The pairs' features with the indicator columns of one threshold (none for the first)."""
    indicators = np.zeros((len(x), len(THRESHOLDS) - 1))
    if threshold > FIRST_THRESHOLD:
        indicators[:, threshold - FIRST_THRESHOLD - 1] = 1.0
    return np.hstack([x, indicators])


def _ordinal(
    x: FloatArray, grades: npt.NDArray[np.int64], weights: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Each pair once per threshold t of the grades (1 to 4), labelled grade >= t, with an
    indicator of t and the pair's weight: a cumulative-logit (proportional odds) model of the
    graded labels, whose shared coefficients rank and whose threshold intercepts place
    "grade >= t"; one logistic regression fits it."""
    rows = np.vstack([_at(x, t) for t in THRESHOLDS])
    labels = np.concatenate([(grades >= t).astype(np.int64) for t in THRESHOLDS])
    repeated = np.tile(weights, len(THRESHOLDS))
    # Shuffled (with a fixed seed, so a fit is reproducible): the calibration folds split rows
    # in order, and each fold must see every threshold.
    order = np.random.default_rng(0).permutation(len(rows))
    return rows[order], labels[order], repeated[order]


def _fitted(
    x: FloatArray, grades: npt.NDArray[np.int64], weights: FloatArray
) -> CalibratedClassifierCV:
    rows, labels, sample_weight = _ordinal(x, grades, weights)
    return _estimator().fit(rows, labels, sample_weight=sample_weight)


def pair_weights(pairs: list[LabelledPair], settings: LearningSettings) -> FloatArray:
    """Each pair's weight in the fit and the gate: clipped, self-normalised inverse propensity
    (`weighting.ips_weights`), or 1 for every pair when the settings turn IPW off."""
    if not settings.ips:
        return np.ones(len(pairs), dtype=np.float64)
    return ips_weights([p.propensity for p in pairs], settings.max_weight)


@dataclass(frozen=True)
class _Gate:
    """The held-out comparison of a fit with the live model, weighted by propensity."""

    ips_roc_auc: float
    live_ips_roc_auc: float | None
    ips_ndcg: float | None
    live_ips_ndcg: float | None
    weighted_ips_ndcg: float | None

    @property
    def figure(self) -> str:
        """The figure compared: "ips_ndcg", else "ips_roc_auc"; "nothing_live" without one."""
        if self.live_ips_roc_auc is None and self.live_ips_ndcg is None:
            return "nothing_live"
        both_ndcg = self.ips_ndcg is not None and self.live_ips_ndcg is not None
        return "ips_ndcg" if both_ndcg else "ips_roc_auc"

    @property
    def promoted(self) -> bool:
        """Nothing live, or strictly better on the gate's figure (a tie keeps the live one)."""
        pairs = {
            "nothing_live": (1.0, 0.0),
            "ips_ndcg": (self.ips_ndcg, self.live_ips_ndcg),
            "ips_roc_auc": (self.ips_roc_auc, self.live_ips_roc_auc),
        }
        new, live = pairs[self.figure]
        return new is not None and live is not None and new > live


def fit(
    pairs: list[LabelledPair],
    settings: LearningSettings = LearningSettings(),
    live: RankingModel | None = None,
) -> RankingModel | NotEnoughDecisions:
    """Fit when enough pairs of both kinds are labelled; metrics come from a held-out split,
    on which `live` (the model ranking now) is measured too: the fit is `promoted` only if it
    ranks approvals above the rest better than the live model does.

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
    grades = np.array([p.label for p in pairs], dtype=np.int64)
    baseline = np.array([np.nan if p.score is None else p.score for p in pairs])
    weights = pair_weights(pairs, settings)
    index = np.arange(len(pairs))
    x_train, x_test, g_train, g_test, y_train, y_test, _, base_test, i_train, i_test = (
        train_test_split(
            x,
            grades,
            y,
            baseline,
            index,
            test_size=settings.test_size,
            stratify=y,
            random_state=settings.random_state,
        )
    )
    held_out = _fitted(x_train, g_train, weights[i_train])
    predicted = held_out.predict_proba(_at(x_test, APPROVED_GRADE))[:, 1]
    w_test = weights[i_test]
    groups = [pairs[i].order for i in i_test.tolist()]
    live_auc = live_ips_auc = live_ndcg = None
    if live is not None:
        columns = {name: x_test[:, i] for i, name in enumerate(FEATURES)}
        if set(live.features) <= set(columns):
            live_predicted = live.probability(columns)
            live_auc = round(float(roc_auc_score(y_test, live_predicted)), 4)
            live_ips_auc = _rounded(roc_auc_score(y_test, live_predicted, sample_weight=w_test))
            live_ndcg = _rounded(ips_ndcg(groups, g_test, live_predicted, w_test, GATE_K))
    known = ~np.isnan(base_test)
    weighted_auc = weighted_ndcg = None
    if known.all():
        weighted_auc = round(float(roc_auc_score(y_test, base_test)), 4)
        weighted_ndcg = _rounded(ips_ndcg(groups, g_test, base_test, w_test, GATE_K))
    roc_auc = round(float(roc_auc_score(y_test, predicted)), 4)
    gate = _Gate(
        ips_roc_auc=round(float(roc_auc_score(y_test, predicted, sample_weight=w_test)), 4),
        live_ips_roc_auc=live_ips_auc,
        ips_ndcg=_rounded(ips_ndcg(groups, g_test, predicted, w_test, GATE_K)),
        live_ips_ndcg=live_ndcg,
        weighted_ips_ndcg=weighted_ndcg,
    )
    metrics = Metrics(
        roc_auc=roc_auc,
        brier=round(float(brier_score_loss(y_test, predicted)), 4),
        log_loss=round(float(log_loss(y_test, predicted, labels=[0, 1])), 4),
        weighted_roc_auc=weighted_auc,
        n_train=len(y_train),
        n_test=len(y_test),
        approved=approved,
        rejected=rejected,
        live_roc_auc=live_auc,
        promoted=gate.promoted,
        ips_roc_auc=gate.ips_roc_auc,
        live_ips_roc_auc=gate.live_ips_roc_auc,
        ips_ndcg=gate.ips_ndcg,
        live_ips_ndcg=gate.live_ips_ndcg,
        weighted_ips_ndcg=gate.weighted_ips_ndcg,
        gate=gate.figure,
        ips=settings.ips,
        max_weight=settings.max_weight if settings.ips else None,
        explored=sum(p.exploration for p in pairs),
    )
    served = _fitted(x, grades, weights)
    coefficients, intercept = _coefficients(served)
    return RankingModel(folds_of(served), coefficients, intercept, metrics, len(pairs))


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)
