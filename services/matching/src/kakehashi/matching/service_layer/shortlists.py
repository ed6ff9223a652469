"""Every order's top K of one pool, a batch of orders at a time, on every core.

The work of a batch is numpy's and scipy's: the sparse product of `scoring.evaluate` and the
comparisons, partition and sort of `top_k_per_order`. Those release the interpreter lock, so
batches scored in threads run on as many cores as there are threads. A pool's derived rows are
appended under its lock, so batches of one pool may run together, and a batch's scores do not
depend on which other orders share its batch or run beside it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from kakehashi.matching.domain.components import Weights
from kakehashi.matching.domain.model import Order, Pool
from kakehashi.matching.domain.scoring import Surplus, evaluate
from kakehashi.matching.domain.top_k import top_k_per_order

# Scores in one batch's matrix (orders x candidates): 16 MB of float32 per thread.
BATCH_ENTRIES = 4_000_000
MAX_BATCH = 128  # orders
THREADS = min(os.cpu_count() or 1, 4)


@dataclass(frozen=True)
class Shortlists:
    """One batch's result: the top K of orders[start], orders[start + 1], ... of the batch."""

    start: int
    best: npt.NDArray[np.intp]  # pool positions, best first; -1 pads a short list
    values: npt.NDArray[np.float32]

    def pairs(self) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.float32]]:
        """The batch's kept pairs as (order position in `orders`, pool position, score)."""
        found = self.best >= 0
        orders = self.start + np.arange(len(self.best))
        return (
            np.broadcast_to(orders[:, None], self.best.shape)[found],
            self.best[found],
            self.values[found],
        )


def batch_size(pool: Pool) -> int:
    """Orders per batch: up to MAX_BATCH, fewer for a large pool so the matrix stays small."""
    return max(1, min(MAX_BATCH, BATCH_ENTRIES // max(len(pool), 1)))


def shortlists(
    pool: Pool,
    orders: Sequence[Order],
    day: date,
    k: int,
    weights: Weights = Weights(),
    surplus: Surplus = Surplus(),
) -> Iterator[Shortlists]:
    """Each batch's top K, in the orders' sequence; batches are scored in THREADS threads."""
    size = batch_size(pool)
    starts = range(0, len(orders), size)

    def score(start: int) -> Shortlists:
        matrix = evaluate(pool, orders[start : start + size], day, weights, surplus).score
        best, values = top_k_per_order(matrix, k)
        return Shortlists(start, best, values)

    if len(starts) <= 1 or THREADS == 1:
        yield from map(score, starts)
        return
    with ThreadPoolExecutor(THREADS, thread_name_prefix="shortlists") as threads:
        yield from threads.map(score, starts)
