"""Unit tests of the vectorised scoring: constraints, components, ranking and explanations."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kakehashi.matching.domain.scoring import (
    Order,
    Pool,
    Requirement,
    Weights,
    explain,
    score,
    score_matrix,
    top_k,
    top_k_per_order,
)

WELDING_3 = Requirement("welding", 3, must_have=True)
SCAFFOLD_2 = Requirement("scaffolding", 2, must_have=False)
ORDER = Order(min_japanese_rank=2, requirements=(WELDING_3, SCAFFOLD_2))  # N4


def _pool(*candidates: tuple[int, dict[str, int]]) -> Pool:
    return Pool.build(
        [f"c{i}" for i in range(len(candidates))],
        [c[0] for c in candidates],
        [c[1] for c in candidates],
    )


def test_skill_coverage_is_level_aware_and_must_haves_weigh_double() -> None:
    pool = _pool(
        (2, {"welding": 3, "scaffolding": 2}),  # covers everything
        (2, {"welding": 3}),  # misses the nice-to-have
        (2, {"welding": 4, "scaffolding": 1}),  # half the nice-to-have level
    )
    result = score(pool, ORDER)
    assert result.skills.tolist() == pytest.approx([1.0, 2 / 3, (2 + 0.5) / 3])
    assert result.eligible.tolist() == [True, True, True]


def test_hard_constraints_exclude_without_scoring_them_away() -> None:
    pool = _pool(
        (1, {"welding": 5, "scaffolding": 5}),  # N5 below N4
        (3, {"welding": 2, "scaffolding": 5}),  # must-have below its level
        (2, {"scaffolding": 2}),  # must-have missing
        (2, {"welding": 3}),
    )
    assert score(pool, ORDER).eligible.tolist() == [False, False, False, True]


def test_japanese_above_the_minimum_scores_higher() -> None:
    pool = _pool(*[(rank, {"welding": 3, "scaffolding": 2}) for rank in (2, 3, 4, 5)])
    japanese = score(pool, ORDER).japanese
    assert np.all(np.diff(japanese) > 0)
    assert japanese[-1] == pytest.approx(1.0)


def test_the_score_is_the_weighted_sum_of_its_components() -> None:
    pool = _pool((3, {"welding": 3}))
    result = score(pool, ORDER, Weights(skills=3, japanese=1))
    assert result.score[0] == pytest.approx(0.75 * result.skills[0] + 0.25 * result.japanese[0])


def test_an_order_without_required_skills_ranks_on_japanese() -> None:
    pool = _pool((0, {}), (5, {}))
    result = score(pool, Order(min_japanese_rank=0, requirements=()))
    assert result.skills.tolist() == [1.0, 1.0]
    assert result.score[1] > result.score[0]


def test_top_k_returns_the_best_eligible_in_order() -> None:
    pool = _pool(
        (2, {"welding": 3}),
        (5, {"welding": 5, "scaffolding": 5}),
        (1, {"welding": 5, "scaffolding": 5}),  # ineligible, however good
        (3, {"welding": 3, "scaffolding": 2}),
    )
    result = score(pool, ORDER)
    assert top_k(result, 2).tolist() == [1, 3]
    assert top_k(result, 10).tolist() == [1, 3, 0]
    assert top_k(result, 0).tolist() == []


def test_explanations_name_what_is_missing_and_the_japanese_gap() -> None:
    pool = _pool((1, {"welding": 2}))
    reasons = explain(ORDER, score(pool, ORDER).levels[0], 1)
    assert "welding level 2 below the 3 required" in reasons
    assert "missing: scaffolding (level 2, nice-to-have)" in reasons
    assert "Japanese N5 below the N4 required" in reasons


def test_invalid_weights_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        score(_pool((2, {})), ORDER, Weights(skills=0, japanese=0))


def test_an_order_without_a_japanese_floor_says_so() -> None:
    order = Order(min_japanese_rank=0, requirements=())
    assert explain(order, np.zeros(0, dtype=np.float32), 1) == ["Japanese N5 (no level required)"]


@settings(max_examples=80, deadline=None)
@given(
    candidates=st.lists(
        st.tuples(
            st.integers(0, 5),
            st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), st.integers(1, 5)),
        ),
        min_size=1,
        max_size=12,
    ),
    orders=st.lists(
        st.tuples(
            st.integers(0, 5),
            st.lists(
                st.tuples(st.sampled_from(["a", "b", "c", "e"]), st.integers(1, 5), st.booleans()),
                max_size=3,
                unique_by=lambda r: r[0],
            ),
        ),
        min_size=1,
        max_size=5,
    ),
)
def test_the_matrix_form_agrees_with_the_per_order_form(candidates, orders) -> None:
    pool = _pool(*candidates)
    built = [Order(rank, tuple(Requirement(*r) for r in reqs)) for rank, reqs in orders]
    matrix = score_matrix(pool, built)
    for column, order in enumerate(built):
        single = score(pool, order)
        expected = np.where(single.eligible, single.score, -np.inf)
        np.testing.assert_allclose(matrix[column], expected, rtol=1e-5)
        best, _values = top_k_per_order(matrix, 3)
        assert [c for c in best[column].tolist() if c >= 0] == top_k(single, 3).tolist()


@settings(max_examples=60, deadline=None)
@given(
    skills=st.dictionaries(st.sampled_from(["welding", "scaffolding", "rebar"]), st.integers(1, 4)),
    rank=st.integers(0, 4),
    new_skill=st.sampled_from(["welding", "scaffolding", "rebar", "painting"]),
)
def test_more_japanese_or_an_added_skill_never_lowers_a_score(skills, rank, new_skill) -> None:
    orders = [ORDER, Order(0, (Requirement("rebar", 2, False),)), Order(1, ())]
    before = score_matrix(_pool((rank, skills)), orders)
    better_japanese = score_matrix(_pool((rank + 1, skills)), orders)
    added = score_matrix(_pool((rank, skills | {new_skill: skills.get(new_skill, 0) + 1})), orders)
    assert np.all(better_japanese >= before)
    assert np.all(added >= before)
