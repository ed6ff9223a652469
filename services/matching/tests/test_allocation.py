"""Allocation: the exact solver against brute force on small cases, and against greedy."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from kakehashi.matching.domain.allocation import Allocation, allocate_exact, allocate_greedy


def brute_force(dense: np.ndarray, headcount: np.ndarray) -> float:
    """Best total over every way of giving each slot a distinct candidate or nobody."""
    slots = [o for o, h in enumerate(headcount) for _ in range(h)]
    best = 0.0
    choices = [*range(dense.shape[1]), None]
    for picks in itertools.product(choices, repeat=len(slots)):
        used = [p for p in picks if p is not None]
        if len(used) != len(set(used)):
            continue
        if any(p is not None and dense[s, p] <= 0 for s, p in zip(slots, picks, strict=True)):
            continue
        total = sum(dense[s, p] for s, p in zip(slots, picks, strict=True) if p is not None)
        best = max(best, total)
    return best


def _valid(allocation: Allocation, scores: sparse.csr_matrix, headcount: np.ndarray) -> None:
    assert len(set(allocation.candidate_index.tolist())) == len(allocation.candidate_index)
    counts = np.bincount(allocation.order_index, minlength=len(headcount))
    assert np.all(counts <= headcount)
    if len(allocation.order_index) == 0:
        return
    assert np.all(
        np.asarray(scores[allocation.order_index, allocation.candidate_index]).ravel() > 0
    )


def test_exact_beats_greedy_where_greedy_is_short_sighted() -> None:
    # Greedy gives candidate 0 to order 0 (0.9) and leaves order 1 with nobody it can take.
    dense = np.array([[0.9, 0.8], [0.85, 0.0]])
    scores, headcount = sparse.csr_matrix(dense), np.array([1, 1])
    greedy, exact = allocate_greedy(scores, headcount), allocate_exact(scores, headcount)
    assert greedy.total_score == pytest.approx(0.9)
    assert exact.total_score == pytest.approx(0.8 + 0.85)
    assert exact.fill_rate(headcount) == 1.0
    _valid(exact, scores, headcount)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 3).flatmap(
        lambda orders: st.tuples(
            st.lists(st.integers(0, 2), min_size=orders, max_size=orders),
            st.lists(
                st.lists(
                    st.sampled_from([0.0, 0.1, 0.35, 0.5, 0.72, 0.9, 1.0]), min_size=4, max_size=4
                ),
                min_size=orders,
                max_size=orders,
            ),
        )
    )
)
def test_exact_allocation_matches_brute_force(case: tuple[list[int], list[list[float]]]) -> None:
    headcount, rows = np.array(case[0]), np.array(case[1])
    scores = sparse.csr_matrix(rows)
    exact = allocate_exact(scores, headcount)
    _valid(exact, scores, headcount)
    assert exact.total_score == pytest.approx(brute_force(rows, headcount), abs=1e-6)
    assert exact.total_score >= allocate_greedy(scores, headcount).total_score - 1e-9


def test_empty_inputs() -> None:
    scores = sparse.csr_matrix((2, 3))
    assert allocate_exact(scores, np.array([1, 2])).total_score == 0
    assert allocate_greedy(scores, np.array([1, 2])).total_score == 0
