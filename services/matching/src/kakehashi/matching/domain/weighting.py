"""Inverse propensity weighting: undoing the engine's own selection of what gets decided.

Program managers decide only on what a list shows them, and a list shows mostly the engine's own
top (`exploration.py`). A pair shown with probability p stands for 1/p pairs like it that the
policy could have shown, so weighting each decided pair by 1/p makes the decided pairs a sample
of every eligible pair instead of the engine's favourites: what the fit learns, and what the
refit gate measures, is then about the whole list, not only its top.

Two guards keep the weights usable. They are **clipped** at `max_weight`: a pair explored from
2,000 candidates below the window has p = 5/2000 and would weigh 400 — one noisy label would
outweigh the whole top of the list; clipping trades that variance for a bounded bias (a clipped
pair still counts `max_weight` times a top pair). They are **self-normalised** (divided by their
mean), so the total weight equals the number of pairs: the regression's regularisation and the
size of the data it sees stay what they were unweighted.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
DEFAULT_MAX_WEIGHT = 10.0


def raw_weights(
    propensities: Sequence[float | None], max_weight: float = DEFAULT_MAX_WEIGHT
) -> FloatArray:
    """1/p per pair, clipped to [1, max_weight]; a pair without a known propensity (decided
    before propensities were recorded, or reached outside the review window) weighs 1, like a
    pair of the engine's own top."""
    if max_weight < 1:
        raise ValueError("max_weight must be at least 1")
    p = np.array([np.nan if v is None else v for v in propensities], dtype=np.float64)
    # A propensity of 0 (never shown, yet decided) is 1/0: as heavy as any weight may be.
    with np.errstate(over="ignore"):  # a tiny propensity overflows to inf: clipped below
        inverse = np.divide(1.0, p, out=np.full_like(p, np.inf), where=p > 0)
    inverse[np.isnan(p)] = 1.0
    return np.clip(inverse, 1.0, max_weight)


def ips_weights(
    propensities: Sequence[float | None], max_weight: float = DEFAULT_MAX_WEIGHT
) -> FloatArray:
    """The clipped inverse propensities (`raw_weights`), self-normalised to a mean of 1."""
    weights = raw_weights(propensities, max_weight)
    if not len(weights):
        return weights
    normalised: FloatArray = weights / weights.mean()
    return normalised


def ips_ndcg(
    groups: Sequence[str | None],
    grades: npt.ArrayLike,
    scores: npt.ArrayLike,
    weights: npt.ArrayLike,
    k: int = 10,
) -> float | None:
    """IPS-weighted nDCG@k: per order (group), the decided pairs ranked by `scores`, each pair's
    gain (2^grade - 1) multiplied by its weight, over the best DCG@k of those weighted gains;
    the mean over orders with at least two pairs and some gain. The ratio to the ideal of the
    same weighted gains is itself self-normalising (a common factor in the weights cancels).
    None when no order qualifies (pairs without an order cannot be grouped)."""
    g = np.asarray(grades, dtype=np.float64)
    s = np.asarray(scores, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    gains = (np.exp2(g) - 1.0) * w
    by_group: dict[str, list[int]] = {}
    for i, group in enumerate(groups):
        if group is not None:
            by_group.setdefault(group, []).append(i)
    values = []
    for members in by_group.values():
        if len(members) < 2:
            continue
        index = np.array(members)
        value = _ndcg(gains[index], s[index], k)
        if value is not None:
            values.append(value)
    return float(np.mean(values)) if values else None


def _ndcg(gains: FloatArray, scores: FloatArray, k: int) -> float | None:
    discounts = 1.0 / np.log2(np.arange(2, min(k, len(gains)) + 2, dtype=np.float64))
    # Stable sort on the negated scores: ties keep the pairs' order, the same for every model.
    ranked = gains[np.argsort(-scores, kind="stable")][: len(discounts)]
    ideal = np.sort(gains)[::-1][: len(discounts)] @ discounts
    if ideal <= 0:
        return None
    return float(ranked @ discounts / ideal)
