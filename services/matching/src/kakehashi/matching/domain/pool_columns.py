"""Pools edited as arrays: a subset, a concatenation, a new order, and plain arrays to keep.

A pool of a million candidates is not rebuilt from a million profiles when a few change: the
candidates that stay are taken (`take`), the changed ones built alone (`Pool.build`) and the two
joined (`concat`) in candidate id order (`reorder`), which gives the same arrays as a build of
them all (up to the numbering of skill columns, which no score reads). `to_arrays` and
`from_arrays` turn a pool into named plain arrays and back, so it can be kept on disk.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
from scipy import sparse

from kakehashi.matching.domain.model import PREFECTURE_INDEX, TRACKS, Pool
from kakehashi.shared.reference import Track

Positions = npt.NDArray[np.intp]
Arrays = dict[str, npt.NDArray[np.generic]]


def take(pool: Pool, positions: Positions) -> Pool:
    """The candidates at `positions` (in that order) as a pool of their own."""
    return Pool(
        ids=[pool.ids[i] for i in positions.tolist()],
        japanese_rank=pool.japanese_rank[positions],
        skills_by_skill=sparse.csr_matrix(pool._by_candidate[positions].T),
        vocabulary=dict(pool.vocabulary),
        adult_from=pool.adult_from[positions],
        available_from=pool.available_from[positions],
        eligible_tracks=pool.eligible_tracks[positions],
        tracks_known=pool.tracks_known[positions],
        track_windows={
            track: (first[positions], last[positions])
            for track, (first, last) in pool.track_windows.items()
        },
        desired_tracks=pool.desired_tracks[positions],
        prefers=sparse.csr_matrix(pool.prefers[:, positions]),
        has_prefecture_wish=pool.has_prefecture_wish[positions],
        experience_years=pool.experience_years[positions],
        _by_candidate=sparse.csr_matrix(pool._by_candidate[positions]),
    )


def reorder(pool: Pool, order: Sequence[int]) -> Pool:
    """The pool with its candidates in `order` (positions in the pool)."""
    return take(pool, np.asarray(order, dtype=np.intp))


def by_id(pool: Pool) -> Pool:
    """The pool in candidate id order (the order a build from sorted rows gives)."""
    ids = pool.ids
    if all(ids[i] < ids[i + 1] for i in range(len(ids) - 1)):
        return pool
    return reorder(pool, sorted(range(len(ids)), key=ids.__getitem__))


def concat(pools: Sequence[Pool]) -> Pool:
    """The candidates of every pool, one pool after the other."""
    if len(pools) == 1:
        return pools[0]
    vocabulary: dict[str, int] = {}
    for pool in pools:
        for code in pool.vocabulary:
            vocabulary.setdefault(code, len(vocabulary))
    width = max(len(vocabulary), 1)
    by_candidate = sparse.vstack(
        [_renumbered(pool, vocabulary, width) for pool in pools], format="csr", dtype=np.float32
    )
    prefers = sparse.hstack([p.prefers for p in pools], format="csr", dtype=np.float32)
    return Pool(
        ids=[i for pool in pools for i in pool.ids],
        japanese_rank=np.concatenate([p.japanese_rank for p in pools]),
        skills_by_skill=sparse.csr_matrix(by_candidate.T),
        vocabulary=vocabulary,
        adult_from=np.concatenate([p.adult_from for p in pools]),
        available_from=np.concatenate([p.available_from for p in pools]),
        eligible_tracks=np.concatenate([p.eligible_tracks for p in pools]),
        tracks_known=np.concatenate([p.tracks_known for p in pools]),
        track_windows={track: _joined_windows(pools, track) for track in TRACKS},
        desired_tracks=np.concatenate([p.desired_tracks for p in pools]),
        prefers=prefers,
        has_prefecture_wish=np.concatenate([p.has_prefecture_wish for p in pools]),
        experience_years=np.concatenate([p.experience_years for p in pools]),
        _by_candidate=by_candidate,
    )


def _renumbered(pool: Pool, vocabulary: Mapping[str, int], width: int) -> sparse.csr_matrix:
    """The pool's candidates x skills levels with the skill columns of `vocabulary`."""
    columns = np.zeros(max(len(pool.vocabulary), 1), dtype=np.int32)
    for code, column in pool.vocabulary.items():
        columns[column] = vocabulary[code]
    matrix = pool._by_candidate
    return sparse.csr_matrix(
        (matrix.data, columns[matrix.indices], matrix.indptr), shape=(len(pool), width)
    )


def _joined_windows(
    pools: Sequence[Pool], track: Track
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """A track's windows of every pool, padded with empty windows to the widest."""
    parts = [p.track_windows[track] for p in pools]
    width = max(first.shape[1] for first, _ in parts)
    return (
        np.concatenate([_padded(first, width, np.inf) for first, _ in parts]),
        np.concatenate([_padded(last, width, -np.inf) for _, last in parts]),
    )


def _padded(days: npt.NDArray[np.float64], width: int, empty: float) -> npt.NDArray[np.float64]:
    if days.shape[1] == width:
        return days
    padded = np.full((days.shape[0], width), empty)
    padded[:, : days.shape[1]] = days
    return padded


def to_arrays(pool: Pool) -> Arrays:
    """The pool as named plain arrays (text as UTF-8 JSON bytes), for `from_arrays`."""
    codes: list[str] = sorted(pool.vocabulary, key=pool.vocabulary.__getitem__)
    arrays: Arrays = {
        "ids": _text(pool.ids),
        "vocabulary": _text(codes),
        "japanese_rank": pool.japanese_rank,
        "levels": pool._by_candidate.data,
        "level_columns": pool._by_candidate.indices,
        "level_rows": pool._by_candidate.indptr,
        "adult_from": pool.adult_from,
        "available_from": pool.available_from,
        "eligible_tracks": pool.eligible_tracks,
        "tracks_known": pool.tracks_known,
        "desired_tracks": pool.desired_tracks,
        "wish_marks": pool.prefers.data,
        "wishes": pool.prefers.indices,
        "wish_rows": pool.prefers.indptr,
        "has_prefecture_wish": pool.has_prefecture_wish,
        "experience_years": pool.experience_years,
    }
    for track, (first, last) in pool.track_windows.items():
        arrays[f"first:{track.value}"], arrays[f"last:{track.value}"] = first, last
    return arrays


def from_arrays(arrays: Mapping[str, npt.NDArray[np.generic]]) -> Pool:
    """The pool `to_arrays` gave (ValueError or KeyError if the arrays do not make one)."""
    ids: list[str] = texts(arrays["ids"])
    n = len(ids)
    codes: list[str] = texts(arrays["vocabulary"])
    by_candidate = sparse.csr_matrix(
        (
            np.asarray(arrays["levels"], dtype=np.float32),
            np.asarray(arrays["level_columns"], dtype=np.int32),
            np.asarray(arrays["level_rows"], dtype=np.int32),
        ),
        shape=(n, max(len(codes), 1)),
    )
    prefers = sparse.csr_matrix(
        (
            np.asarray(arrays["wish_marks"], dtype=np.float32),
            np.asarray(arrays["wishes"], dtype=np.int32),
            np.asarray(arrays["wish_rows"], dtype=np.int32),
        ),
        shape=(len(PREFECTURE_INDEX), n),
    )
    pool = Pool(
        ids=ids,
        japanese_rank=np.asarray(arrays["japanese_rank"], dtype=np.intp),
        skills_by_skill=sparse.csr_matrix(by_candidate.T),
        vocabulary={code: column for column, code in enumerate(codes)},
        adult_from=np.asarray(arrays["adult_from"], dtype=np.float64),
        available_from=np.asarray(arrays["available_from"], dtype=np.float64),
        eligible_tracks=np.asarray(arrays["eligible_tracks"], dtype=np.uint8),
        tracks_known=np.asarray(arrays["tracks_known"], dtype=bool),
        track_windows={
            track: (
                np.asarray(arrays[f"first:{track.value}"], dtype=np.float64),
                np.asarray(arrays[f"last:{track.value}"], dtype=np.float64),
            )
            for track in TRACKS
        },
        desired_tracks=np.asarray(arrays["desired_tracks"], dtype=np.uint8),
        prefers=prefers,
        has_prefecture_wish=np.asarray(arrays["has_prefecture_wish"], dtype=bool),
        experience_years=np.asarray(arrays["experience_years"], dtype=np.float32),
        _by_candidate=by_candidate,
    )
    columns = (
        pool.japanese_rank,
        pool.adult_from,
        pool.available_from,
        pool.experience_years,
        pool.has_prefecture_wish,
    )
    if any(len(c) != n for c in columns) or any(
        first.shape[0] != n or last.shape != first.shape
        for first, last in pool.track_windows.values()
    ):
        raise ValueError("pool arrays of different lengths")
    return pool


def _text(values: Sequence[str | None]) -> npt.NDArray[np.uint8]:
    return np.frombuffer(json.dumps(list(values), ensure_ascii=False).encode(), dtype=np.uint8)


def text_array(values: Sequence[str | None]) -> npt.NDArray[np.uint8]:
    """Strings (or None) as one array of UTF-8 JSON bytes (no pickled objects on disk)."""
    return _text(values)


def texts(array: npt.NDArray[np.generic]) -> list[str]:
    """The strings `text_array` kept (ValueError if they are not a list)."""
    values = json.loads(np.asarray(array, dtype=np.uint8).tobytes().decode())
    if not isinstance(values, list):
        raise ValueError("not a list of strings")
    return values
