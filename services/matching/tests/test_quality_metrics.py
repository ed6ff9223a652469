"""Unit tests of the ranking-quality metrics the matching-quality benchmark reports."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kakehashi.matching.domain.quality import (
    dcg_at_k,
    ndcg_at_k,
    precision_at_k,
    ranked_relevance,
)
from kakehashi.matching.domain.top_k import top_k_per_order

RELEVANCE = np.array([[0, 3, 1, 2, 0, 3]], dtype=float)  # one order, six candidates


def test_a_perfect_ranking_has_ndcg_one() -> None:
    ranking = np.argsort(-RELEVANCE, axis=1, kind="stable")
    ranked = ranked_relevance(RELEVANCE, ranking)
    assert ranked.tolist() == [[3, 3, 2, 1, 0, 0]]
    assert ndcg_at_k(ranked, RELEVANCE, 3) == pytest.approx([1.0])
    assert ndcg_at_k(ranked, RELEVANCE, 6) == pytest.approx([1.0])


def test_a_reversed_ranking_scores_below_one_and_below_a_better_one() -> None:
    reversed_ = ranked_relevance(RELEVANCE, [[0, 4, 2, 3, 1, 5]])  # 0, 0, 1, 2, 3, 3
    swapped = ranked_relevance(RELEVANCE, [[1, 3, 5, 2, 0, 4]])  # 3, 2, 3, 1, 0, 0
    worst, nearly = ndcg_at_k(reversed_, RELEVANCE, 6)[0], ndcg_at_k(swapped, RELEVANCE, 6)[0]
    assert 0 < worst < nearly < 1


def test_dcg_uses_exponential_gain_and_a_log_discount() -> None:
    # (2^3 - 1) / log2(2) + (2^1 - 1) / log2(3)
    assert dcg_at_k([[3, 1, 2]], 2) == pytest.approx([7 + 1 / np.log2(3)])


def test_padded_slots_count_as_irrelevant() -> None:
    relevance = np.array([[2.0, 0.0, 1.0], [0.0, 3.0, 0.0]])
    ranked = ranked_relevance(relevance, [[0, -1, -1], [1, 0, -1]])
    assert ranked.tolist() == [[2, 0, 0], [3, 0, 0]]
    ndcg = ndcg_at_k(ranked, relevance, 3)
    assert ndcg[0] < 1  # candidate 2 (relevance 1) was left out
    assert ndcg[1] == pytest.approx(1.0)
    assert precision_at_k(ranked, 3, threshold=2).tolist() == pytest.approx([1 / 3, 1 / 3])


def test_an_order_without_any_relevant_candidate_has_no_ndcg() -> None:
    relevance = np.zeros((1, 4))
    assert np.isnan(ndcg_at_k(ranked_relevance(relevance, [[0, 1]]), relevance, 2)[0])


def test_precision_at_k_is_the_share_of_hits_among_the_first_k() -> None:
    ranked = np.array([[3, 2, 1, 0, 2], [0, 0, 0, 0, 0]], dtype=float)
    assert precision_at_k(ranked, 5, threshold=2).tolist() == pytest.approx([0.6, 0.0])
    assert precision_at_k(ranked, 2, threshold=2).tolist() == pytest.approx([1.0, 0.0])
    assert precision_at_k(ranked, 3, threshold=1).tolist() == pytest.approx([1.0, 0.0])
    with pytest.raises(ValueError, match="positive"):
        precision_at_k(ranked, 0, threshold=1)


@given(
    st.lists(st.integers(0, 3), min_size=1, max_size=30),
    st.integers(1, 12),
    st.integers(0, 2**32 - 1),
)
def test_ndcg_lies_in_zero_one_and_ranking_by_the_truth_reaches_one(
    grades: list[int], k: int, seed: int
) -> None:
    relevance = np.array([grades], dtype=float)
    best, _ = top_k_per_order(relevance, k)
    ideal = ndcg_at_k(ranked_relevance(relevance, best), relevance, k)[0]
    shuffled = np.random.default_rng(seed).permutation(len(grades))[None, :]
    value = ndcg_at_k(ranked_relevance(relevance, shuffled), relevance, k)[0]
    if not relevance.any():
        assert np.isnan(ideal)
        assert np.isnan(value)
        return
    assert ideal == pytest.approx(1.0)
    assert 0 <= value <= 1 + 1e-12
