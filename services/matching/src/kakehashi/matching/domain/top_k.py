"""The k best candidates of each order from a matrix of scores, without sorting whole rows."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def top_k_per_order(
    scores: npt.NDArray[np.floating],
    k: int,
    tie_break: npt.NDArray[np.integer] | None = None,
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.floating]]:
    """Per row (order), the columns (candidates) of its k best finite scores, best first.

    -1 pads a row with fewer than k eligible candidates. Equal scores are ordered by
    `tie_break` (a rank per column, lower first: the pool's `tie_order`), then by column, so
    the result does not depend on how the partition fell.
    """
    m, n = scores.shape
    k = min(k, n)
    best = np.full((m, k), -1, dtype=np.intp)
    values = np.full((m, k), -np.inf, dtype=scores.dtype)
    if k == 0 or m == 0:
        return best, values
    # A row's k best are all at least its floor, so only those few entries get sorted.
    flat = np.flatnonzero(scores >= _floor_of_k_best(scores, k)[:, None])  # by row, then column
    owner, column = np.divmod(flat, n)
    value = np.ravel(scores)[flat]
    finite = np.isfinite(value)
    owner, column, value = owner[finite], column[finite], value[finite]
    ties = column if tie_break is None else tie_break[column]
    ranked = np.lexsort((column, ties, -value, owner))  # last key first
    owner, column, value = owner[ranked], column[ranked], value[ranked]
    place = _rank_in_row(owner)
    kept = place < k
    best[owner[kept], place[kept]] = column[kept]
    values[owner[kept], place[kept]] = value[kept]
    return best, values


_BLOCK_SIZE = 32


def _floor_of_k_best(scores: npt.NDArray[np.floating], k: int) -> npt.NDArray[np.floating]:
    """Per row, a value its k best finite scores are all at least (and -inf is not).

    The k-th largest maximum of the row's blocks of columns: k blocks hold an entry that high,
    so the k-th best score is no lower. It costs one pass and a partition of a 32nd of the row.
    """
    m, n = scores.shape
    lowest = np.finfo(scores.dtype).min
    # Blocks of columns a width apart: the maximum over them is then a fast reduction. A view
    # with strides, not a reshape of the leading columns (that copied the whole matrix).
    width = n // _BLOCK_SIZE
    row, column = scores.strides
    blocks = np.lib.stride_tricks.as_strided(
        scores,
        shape=(m, _BLOCK_SIZE, width),
        strides=(row, width * column, column),
        writeable=False,
    )
    maxima = blocks.max(axis=1)
    if width * _BLOCK_SIZE < n:
        maxima = np.hstack([maxima, scores[:, width * _BLOCK_SIZE :].max(axis=1, keepdims=True)])
    if maxima.shape[1] <= k or np.isnan(maxima).any() or np.isposinf(maxima).any():
        return np.full(m, lowest, dtype=scores.dtype)  # every finite score
    floor = np.partition(maxima, maxima.shape[1] - k, axis=1)[:, maxima.shape[1] - k]
    return np.maximum(floor, lowest)


def _rank_in_row(owner: npt.NDArray[np.intp]) -> npt.NDArray[np.intp]:
    """For entries sorted by row, each one's position among its row's entries."""
    return np.arange(owner.size) - np.searchsorted(owner, owner)
