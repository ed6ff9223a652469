"""Hard constraints applied to a pool, in matrix operations: the rows that block a pair in the
score, the pass that blocks by date, and the bits a pair fails or lacks the data for. Every
constraint comes from the registry in `constraints.py`.

A blocking row is 0 where a candidate meets the constraint for one key and -inf where they fail it
or their data is missing, so summed into the score it blocks without a mask.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt

from kakehashi.matching.domain.constraints import (
    DATED_CONSTRAINTS,
    HARD_CONSTRAINTS,
    Constraint,
    constraint_of,
)
from kakehashi.matching.domain.model import Order, Pool, Vector

Matrix = npt.NDArray[np.float32]
Bits = npt.NDArray[np.uint8]


def blocked_row(pool: Pool, row: Vector, flag: Constraint, key: Any) -> None:
    """0 where the candidate meets a constraint for this key; -inf where they fail it or their
    data is missing."""
    fails, lacks = constraint_of(flag).outcome(pool, key)
    row.fill(0.0)
    row[fails | lacks] = -np.inf


def row_key(pool: Pool, flag: Constraint, key: Any) -> tuple[Any, ...]:
    """What a constraint's blocking row depends on, to share it between keys.

    A track key's day is replaced by where it falls among the pool's window edges: every day
    between the same edges gives the same row, so orders leaving on hundreds of different days
    share a few rows instead of keeping one each (a float32 per candidate per row).
    """
    if flag == Constraint.TRACK:
        track, day = key
        starts, ends = pool.window_edges[track]
        span = (int(np.searchsorted(starts, day, "right")), int(np.searchsorted(ends, day, "left")))
        return (flag, track, span)
    return (flag, key)


_ROWS_PER_BLOCK = 16


class DatedBlocks:
    """-inf where a dated constraint fails or lacks its day (the candidate not adult, or not
    available, by the order's day), in one pass over the score per day an order sets.

    An order's constraints that share a day are checked at once against the later of their
    per-candidate days (kept by the pool per set of constraints): one subtraction per pair.
    Any columns of the score can be blocked (`apply`), so the product blocks each tile of
    candidates while it is still in cache.
    """

    def __init__(self, pool: Pool, orders: Sequence[Order], today: date) -> None:
        by_day = [_dated_keys(order, today) for order in orders]
        # Per day an order sets (its first, its second, ...): each order's day, and its row.
        self._steps: list[tuple[npt.NDArray[np.float32], npt.NDArray[np.intp]]] = []
        for step in range(max((len(days) for days in by_day), default=0)):
            reference = np.zeros(len(orders), dtype=np.float32)
            ready_rows = np.empty(len(orders), dtype=np.intp)
            for position, days in enumerate(by_day):
                day, flags = days[step] if step < len(days) else (0, ())
                reference[position] = day + 0.5  # half a day off any candidate's day: never equal
                ready_rows[position] = _ready_row(pool, flags)
            self._steps.append((reference, ready_rows))
        self._pool = pool

    def apply(self, score: Matrix, columns: slice) -> None:
        """Block `score`, the batch's scores of the candidates in `columns`."""
        ready = self._pool.derived.matrix()  # after every row of the steps was added
        gap = np.empty((min(_ROWS_PER_BLOCK, len(score)), score.shape[1]), dtype=np.float32)
        for reference, ready_rows in self._steps:
            for start in range(0, len(score), _ROWS_PER_BLOCK):  # blocks of rows stay in cache
                rows = slice(start, start + _ROWS_PER_BLOCK)
                block, wanted = gap[: len(reference[rows])], ready_rows[rows]
                if (wanted == wanted[0]).all():
                    day_rows = ready[wanted[0], columns]
                else:
                    day_rows = ready[wanted, columns]
                np.subtract(reference[rows, None], day_rows, out=block)
                block *= np.float32(
                    np.inf
                )  # in time: +inf, leaves the score; late or unknown: -inf
                np.minimum(score[rows], block, out=score[rows])


def _dated_keys(order: Order, today: date) -> list[tuple[int, tuple[Constraint, ...]]]:
    """The days an order sets, each with the dated constraints checked on it."""
    flags: dict[int, list[Constraint]] = {}
    for constraint in DATED_CONSTRAINTS:
        for day in constraint.keys(order, today):
            flags.setdefault(day, []).append(constraint.flag)
    return [(day, tuple(found)) for day, found in sorted(flags.items())]


def _ready_row(pool: Pool, flags: tuple[Constraint, ...]) -> int:
    """The pool's row of the day from which a candidate meets every constraint of `flags`
    (float32, +inf where a day is unknown; -inf for no constraint, which nothing blocks)."""
    return pool.derived.index(("ready", flags), partial(_fill_ready, pool, flags))


def _fill_ready(pool: Pool, flags: tuple[Constraint, ...], row: Vector) -> None:
    row.fill(-np.inf)
    for flag in flags:
        day = constraint_of(flag).day
        assert day is not None
        np.fmax(row, np.where(np.isnan(days := day(pool)), np.inf, days), out=row)


def constraint_bits(pool: Pool, orders: Sequence[Order], today: date) -> tuple[Bits, Bits]:
    """Per pair, the Constraint bits it fails and those it lacks the data to check."""
    shape = (len(orders), len(pool))
    failed, missing = np.zeros(shape, dtype=np.uint8), np.zeros(shape, dtype=np.uint8)
    for constraint in HARD_CONSTRAINTS:
        for key, rows in _rows_by([constraint.keys(o, today) for o in orders]).items():
            fails, lacks = constraint.outcome(pool, key)
            failed[rows] |= _flag(fails, constraint.flag)
            missing[rows] |= _flag(lacks, constraint.flag)
    return failed, missing


def _flag(condition: npt.NDArray[np.bool_], flag: Constraint) -> Bits:
    return condition.astype(np.uint8) * np.uint8(flag)


def _rows_by(keys: Sequence[Sequence[Any]]) -> dict[Any, npt.NDArray[np.intp]]:
    """The positions of the orders holding each key (an order holds a list of them)."""
    groups: dict[Any, list[int]] = {}
    for position, held in enumerate(keys):
        for key in held:
            groups.setdefault(key, []).append(position)
    return {key: np.asarray(rows, dtype=np.intp) for key, rows in groups.items()}
