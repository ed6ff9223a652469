"""Every order's top K scored in batches on threads is what one evaluation of all orders gives."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import numpy as np
import pytest

from kakehashi.matching.domain.model import CandidateProfile, Order, Pool, Requirement
from kakehashi.matching.domain.scoring import Evaluation, evaluate
from kakehashi.matching.domain.top_k import top_k_per_order
from kakehashi.matching.service_layer import shortlists as module
from kakehashi.matching.service_layer.shortlists import batch_size, shortlists
from kakehashi.shared.reference import Track

TODAY = date(2026, 11, 23)
CODES = ["welding", "hull_welding", "formwork", "scaffolding", "plastering", "a"]


def market(candidates: int, orders: int) -> tuple[Pool, list[Order]]:
    rng = np.random.default_rng(11)
    pool = Pool.build(
        [
            CandidateProfile(
                id=f"c{i:05d}",
                japanese_rank=int(rng.integers(0, 6)),
                skills={str(c): int(rng.integers(1, 6)) for c in rng.choice(CODES, 2, False)},
                date_of_birth=date(1998, 1, 1),
                desired_tracks=frozenset({Track.SSW1}) if i % 3 == 0 else frozenset(),
                experience_years=float(i % 5),
            )
            for i in range(candidates)
        ]
    )
    built = [
        Order(
            int(rng.integers(0, 4)),
            tuple(
                Requirement(str(c), int(rng.integers(1, 4)), bool(rng.random() < 0.3))
                for c in rng.choice(CODES, int(rng.integers(0, 3)), False)
            ),
            track=Track.SSW1 if j % 2 else Track.TITP,
            experience_years_min=float(j % 4) or None,
        )
        for j in range(orders)
    ]
    return pool, built


def test_batches_on_threads_give_every_orders_top_k_in_the_orders_sequence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pool, orders = market(400, 97)
    expected_best, expected_values = top_k_per_order(evaluate(pool, orders, TODAY).score, 10)
    monkeypatch.setattr(module, "BATCH_ENTRIES", 400 * 8)  # batches of 8 orders
    monkeypatch.setattr(module, "THREADS", 3)
    fresh, _ = market(400, 0)  # a pool whose rows are all built by the threads
    threads_seen: set[str] = set()

    def evaluate_and_note(*args: Any, **kwargs: Any) -> Evaluation:
        threads_seen.add(threading.current_thread().name)
        return evaluate(*args, **kwargs)

    monkeypatch.setattr(module, "evaluate", evaluate_and_note)
    batches = list(shortlists(fresh, orders, TODAY, 10))
    assert threads_seen
    assert all(name.startswith("shortlists") for name in threads_seen)
    assert [b.start for b in batches] == list(range(0, 97, 8))
    np.testing.assert_array_equal(np.vstack([b.best for b in batches]), expected_best)
    np.testing.assert_array_equal(np.vstack([b.values for b in batches]), expected_values)
    pairs = [b.pairs() for b in batches]
    order, candidate, score = (np.concatenate([p[part] for p in pairs]) for part in range(3))
    kept = expected_best >= 0  # the pairs: each order's kept candidates, by order then rank
    np.testing.assert_array_equal(order, np.nonzero(kept)[0])
    np.testing.assert_array_equal(candidate, expected_best[kept])
    np.testing.assert_array_equal(score, expected_values[kept])


def test_a_larger_pool_gets_fewer_orders_a_batch_and_never_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(module, "BATCH_ENTRIES", 1_000)
    assert batch_size(market(5, 0)[0]) == module.MAX_BATCH
    assert batch_size(market(300, 0)[0]) == 3
    assert batch_size(market(2_000, 0)[0]) == 1
    assert batch_size(Pool.build([])) == module.MAX_BATCH


def test_threads_asking_for_the_same_new_rows_share_one_copy_of_each() -> None:
    pool, orders = market(300, 40)
    barrier = threading.Barrier(4)
    results: list[np.ndarray] = []

    def score() -> None:
        barrier.wait()
        results.append(evaluate(pool, orders, TODAY).score)

    threads = [threading.Thread(target=score) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    alone, _ = market(300, 0)
    expected = evaluate(alone, orders, TODAY).score
    for scores in results:
        np.testing.assert_array_equal(scores, expected)
    assert len(pool.derived.matrix()) == len(alone.derived.matrix())  # no row kept twice
