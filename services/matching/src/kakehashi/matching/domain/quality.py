"""Ranking quality against graded ground truth: nDCG@k and precision@k, one value per order.

Rows are orders, columns candidates. A ranking is what `top_k_per_order` returns: candidate
columns best first, padded with -1 where an order has fewer than k candidates; a padded slot
counts as irrelevant. Gains are exponential (2^rel - 1), the usual choice for graded relevance.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]


def ranked_relevance(relevance: npt.ArrayLike, ranking: npt.ArrayLike) -> Floats:
    """The relevance of each ranked slot (orders x k); 0 where the ranking is padded with -1."""
    grades = np.atleast_2d(np.asarray(relevance, dtype=np.float64))
    slots = np.atleast_2d(np.asarray(ranking, dtype=np.intp))
    if slots.shape[0] != grades.shape[0]:
        raise ValueError("relevance and ranking must have one row per order each")
    picked = np.take_along_axis(grades, np.maximum(slots, 0), axis=1)
    return np.where(slots >= 0, picked, 0.0)


def dcg_at_k(ranked: npt.ArrayLike, k: int) -> Floats:
    """Discounted cumulative gain of the first k slots of each row: sum (2^rel - 1) / log2(i + 1)."""
    grades = np.atleast_2d(np.asarray(ranked, dtype=np.float64))[:, :k]
    discounts = 1.0 / np.log2(np.arange(2, grades.shape[1] + 2, dtype=np.float64))
    result: Floats = (np.exp2(grades) - 1.0) @ discounts
    return result


def ndcg_at_k(ranked: npt.ArrayLike, relevance: npt.ArrayLike, k: int) -> Floats:
    """DCG@k of each ranked row over the best DCG@k any ranking of that row's `relevance` reaches.

    `ranked` holds the relevance of the slots in rank order (see `ranked_relevance`); `relevance`
    every candidate's relevance for the order. NaN for an order with no relevant candidate.
    """
    grades = np.atleast_2d(np.asarray(relevance, dtype=np.float64))
    if k <= 0:
        raise ValueError("k must be positive")
    top = min(k, grades.shape[1])
    best = -np.partition(-grades, top - 1, axis=1)[:, :top] if top else grades[:, :0]
    ideal = dcg_at_k(-np.sort(-best, axis=1), k)
    actual = dcg_at_k(ranked, k)
    with np.errstate(invalid="ignore", divide="ignore"):
        result: Floats = np.where(ideal > 0, actual / ideal, np.nan)
    return result


def precision_at_k(ranked: npt.ArrayLike, k: int, threshold: float) -> Floats:
    """Share of the first k slots whose relevance is at least `threshold`; missing slots count
    as misses, so an order with fewer than k results cannot reach 1."""
    if k <= 0:
        raise ValueError("k must be positive")
    grades = np.atleast_2d(np.asarray(ranked, dtype=np.float64))[:, :k]
    hits: Floats = (grades >= threshold).sum(axis=1) / float(k)
    return hits
