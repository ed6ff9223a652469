"""A pool edited as arrays (kept, added, joined, kept on disk) scores exactly as a fresh build."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from kakehashi.matching.domain.blocking import blocked_row
from kakehashi.matching.domain.constraints import Constraint, constraint_of
from kakehashi.matching.domain.model import CandidateProfile, Order, Pool, Requirement
from kakehashi.matching.domain.pool_columns import by_id, concat, from_arrays, take, to_arrays
from kakehashi.matching.domain.scoring import evaluate
from kakehashi.matching.domain.top_k import top_k_per_order
from kakehashi.shared.reference import PREFECTURES, Track

TODAY = date(2026, 11, 23)
SKILLS = ["welding", "machining", "metal_press", "floor_cleaning", "window_cleaning"]
TRACKS = list(Track)


def market(n: int, seed: int) -> list[CandidateProfile]:
    """Candidates with every kind of data, some of it missing, some windows of eligibility."""
    rng = np.random.default_rng(seed)
    people = []
    for i in range(n):
        skills = rng.choice(SKILLS, size=int(rng.integers(0, 4)), replace=False)
        windows = None
        if rng.random() < 0.3:
            start = TODAY + timedelta(days=int(rng.integers(-100, 200)))
            windows = {
                Track.SSW1: ((float(start.toordinal()), float(start.toordinal() + 365)),),
                Track.TITP: ((-np.inf, np.inf),),
            }
        people.append(
            CandidateProfile(
                id=f"c{rng.integers(0, 10**9):09d}-{i}",
                japanese_rank=int(rng.integers(0, 6)),
                skills={str(code): int(rng.integers(1, 6)) for code in skills},
                date_of_birth=None
                if rng.random() < 0.1
                else TODAY - timedelta(days=int(rng.integers(16 * 365, 40 * 365))),
                available_from=None
                if rng.random() < 0.1
                else TODAY + timedelta(days=int(rng.integers(-50, 300))),
                eligible_tracks=None
                if rng.random() < 0.1
                else frozenset(TRACKS[: int(rng.integers(1, 4))]),
                eligible_windows=windows,
                desired_tracks=frozenset({Track.SSW1}) if rng.random() < 0.3 else frozenset(),
                desired_prefectures=frozenset(rng.choice(PREFECTURES[:8], size=2).tolist())
                if rng.random() < 0.4
                else frozenset(),
                experience_years=None if rng.random() < 0.2 else float(rng.integers(0, 10)) / 2,
            )
        )
    return people


ORDERS = [
    Order(2, (Requirement("welding", 3, True), Requirement("machining", 2, False)), Track.SSW1,
          "Hokkaido", TODAY + timedelta(days=150), 1.0),
    Order(0, (Requirement("metal_press", 1, False),), Track.TITP, "Aomori", None, None),
    Order(1, (), None, "Iwate", TODAY + timedelta(days=300), 2.0),
    Order(3, (Requirement("floor_cleaning", 4, True),), Track.SSW1, "Atlantis",
          TODAY + timedelta(days=20), None),
]  # fmt: skip


def scores_of(pool: Pool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    evaluation = evaluate(pool, ORDERS, TODAY)
    best, _ = top_k_per_order(evaluation.score, 40, pool.tie_order)
    skills = evaluation.component("skills")
    return evaluation.score, best, skills, evaluation.failed | (evaluation.missing << 4)


def assert_same(edited: Pool, fresh: Pool) -> None:
    assert edited.ids == fresh.ids
    for got, expected in zip(scores_of(edited), scores_of(fresh), strict=True):
        np.testing.assert_array_equal(got, expected)  # exactly: no rounding allowed


def test_kept_and_added_candidates_joined_score_exactly_as_a_fresh_build() -> None:
    people = sorted(market(600, seed=3), key=lambda c: c.id)
    fresh = Pool.build(people)
    # The consumer changed every third candidate: they leave, and come back as a new build.
    changed = people[::3]
    kept = take(fresh, np.asarray([i for i in range(len(people)) if i % 3], dtype=np.intp))
    edited = by_id(concat([kept, Pool.build(changed)]))
    assert edited.ids != kept.ids + [c.id for c in changed]  # it really had to be reordered
    assert_same(edited, fresh)


def test_pools_built_in_steps_and_joined_score_as_one_build() -> None:
    people = sorted(market(500, seed=5), key=lambda c: c.id)
    steps = [Pool.build(people[start : start + 120]) for start in range(0, 500, 120)]
    assert_same(concat(steps), Pool.build(people))


def test_a_pool_kept_as_plain_arrays_reads_back_the_same() -> None:
    people = sorted(market(300, seed=7), key=lambda c: c.id)
    fresh = Pool.build(people)
    arrays = to_arrays(fresh)
    assert all(a.dtype != object for a in arrays.values())  # nothing pickled
    assert_same(from_arrays(arrays), fresh)


def test_arrays_that_do_not_make_a_pool_are_refused() -> None:
    arrays = to_arrays(Pool.build(market(50, seed=9)))
    arrays["adult_from"] = arrays["adult_from"][:-1]
    with pytest.raises(ValueError, match="different lengths"):
        from_arrays(arrays)
    del arrays["levels"]
    with pytest.raises(KeyError):
        from_arrays(arrays)


def test_departure_days_between_the_same_window_edges_share_one_eligibility_row() -> None:
    people = market(400, seed=11)
    pool = Pool.build(people)
    days = [TODAY + timedelta(days=d) for d in range(0, 400, 3)]
    orders = [Order(0, (), Track.SSW1, "Hokkaido", day, None) for day in days]
    scores = evaluate(pool, orders, TODAY).score
    track_rows = [
        k
        for k in pool.derived._index
        if isinstance(k, tuple) and k[:2] == (blocked_row, Constraint.TRACK)
    ]
    # Shared (fewer rows than days), yet not one row for all: the windows' edges split them.
    assert 1 < len(track_rows) < len(days) * 2 // 3
    for position, day in enumerate(days):
        # Each order is blocked exactly where its own day's eligibility fails or is unknown,
        # and scores as it would alone on a pool that never saw another day.
        fails, lacks = constraint_of(Constraint.TRACK).outcome(pool, (Track.SSW1, day.toordinal()))
        assert np.isneginf(scores[position][fails | lacks]).all()
        alone = evaluate(Pool.build(people), [orders[position]], TODAY).score[0]
        np.testing.assert_array_equal(scores[position], alone)
