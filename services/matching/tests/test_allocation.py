"""Allocation: the min-cost flow against brute force on tiny cases, against the slot matching it
replaced on random graphs (same total, feasible), against greedy, one component at a time."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from kakehashi.matching.domain.allocation import Allocation, allocate_exact, allocate_greedy
from services.matching.tests.allocation_reference import allocate_by_slots, brute_force


def _valid(allocation: Allocation, scores: sparse.csr_matrix, headcount: np.ndarray) -> None:
    """Each candidate once, no order over its headcount, only positive pairs of the graph, and
    the scores reported are the graph's."""
    assert len(set(allocation.candidate_index.tolist())) == len(allocation.candidate_index)
    counts = np.bincount(allocation.order_index, minlength=len(headcount))
    assert np.all(counts <= headcount)
    if len(allocation.order_index) == 0:
        return
    graph = np.asarray(scores[allocation.order_index, allocation.candidate_index]).ravel()
    assert np.all(graph > 0)
    assert np.array_equal(graph, allocation.score)


def _random_graph(
    seed: int, orders: int, candidates: int, density: float, ties: bool
) -> tuple[sparse.csr_matrix, npt.NDArray[np.int64]]:
    """Scores as the top-K graph holds them (float32 in (0, 1]); with `ties`, from a few values."""
    rng = np.random.default_rng(seed)
    mask = rng.random((orders, candidates)) < density
    if ties:
        values = rng.choice(np.array([0.25, 0.5, 0.75, 1.0], np.float32), size=mask.shape)
    else:
        values = rng.random(mask.shape, dtype=np.float32) + np.float32(1e-6)
    dense = np.where(mask, values, 0).astype(np.float64)
    return sparse.csr_matrix(dense), rng.integers(0, 6, size=orders)


def test_exact_beats_greedy_where_greedy_is_short_sighted() -> None:
    # Greedy gives candidate 0 to order 0 (0.9) and leaves order 1 with nobody it can take.
    dense = np.array([[0.9, 0.8], [0.85, 0.0]])
    scores, headcount = sparse.csr_matrix(dense), np.array([1, 1])
    greedy, exact = allocate_greedy(scores, headcount), allocate_exact(scores, headcount)
    assert greedy.total_score == pytest.approx(0.9)
    assert exact.total_score == pytest.approx(0.8 + 0.85)
    assert exact.fill_rate(headcount) == 1.0
    _valid(exact, scores, headcount)


@settings(max_examples=80, deadline=None)
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
    assert exact.total_score == pytest.approx(brute_force(rows, headcount), abs=1e-9)
    assert exact.total_score >= allocate_greedy(scores, headcount).total_score - 1e-9


@pytest.mark.parametrize("ties", [False, True], ids=["distinct-scores", "tied-scores"])
@pytest.mark.parametrize("seed", range(12))
def test_the_flow_reaches_the_slot_matchings_total(seed: int, ties: bool) -> None:
    rng = np.random.default_rng(100 + seed)
    orders, candidates = int(rng.integers(1, 40)), int(rng.integers(1, 150))
    scores, headcount = _random_graph(seed, orders, candidates, float(rng.uniform(0.02, 0.4)), ties)
    flow, slots = allocate_exact(scores, headcount), allocate_by_slots(scores, headcount)
    _valid(flow, scores, headcount)
    assert flow.total_score == pytest.approx(slots.total_score, rel=1e-12, abs=1e-9)
    # Among equal totals both place as many people as they can.
    assert len(flow.score) == len(slots.score)


def test_each_component_is_solved_apart_and_reported() -> None:
    # Two blocks with no candidate in common (orders 0-1 with candidates 0-2, order 2 with 3-4),
    # and order 3 with no eligible candidate at all: two components.
    dense = np.zeros((4, 5))
    dense[:2, :3] = [[0.9, 0.8, 0.1], [0.85, 0.0, 0.7]]
    dense[2, 3:] = [0.4, 0.6]
    scores, headcount = sparse.csr_matrix(dense), np.array([2, 1, 1, 3])
    heard: list[tuple[int, int]] = []
    exact = allocate_exact(
        scores, headcount, progress=lambda done, total: heard.append((done, total))
    )
    assert heard == [(1, 2), (2, 2)]
    _valid(exact, scores, headcount)
    assert exact.total_score == pytest.approx(brute_force(dense, headcount))


def test_large_scores_keep_the_cost_range_and_the_optimum() -> None:
    # Scores are not bounded by 1 here: the integer unit shrinks so costs stay in OR-Tools' range.
    scores, headcount = _random_graph(7, 30, 120, 0.2, ties=False)
    scaled = scores * 1e6
    flow = allocate_exact(scaled, headcount)
    _valid(flow, scaled, headcount)
    assert flow.total_score == pytest.approx(
        allocate_by_slots(scaled, headcount).total_score, rel=1e-12
    )


def test_headcount_beyond_the_eligible_candidates_is_left_unfilled() -> None:
    scores, headcount = sparse.csr_matrix(np.array([[0.5, 0.2, 0.0]])), np.array([5])
    exact = allocate_exact(scores, headcount)
    assert sorted(exact.candidate_index.tolist()) == [0, 1]
    assert exact.fill_rate(headcount) == pytest.approx(2 / 5)


def test_empty_inputs() -> None:
    scores = sparse.csr_matrix((2, 3))
    assert allocate_exact(scores, np.array([1, 2])).total_score == 0
    assert allocate_greedy(scores, np.array([1, 2])).total_score == 0
    nothing_to_fill = sparse.csr_matrix(np.array([[0.5, 0.4]]))
    assert len(allocate_exact(nothing_to_fill, np.array([0])).score) == 0
