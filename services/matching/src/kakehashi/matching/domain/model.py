"""What matching works on: job orders with their requirements, and pools of candidates as arrays.

A pool holds one sector's candidates (blocking by sector): skill levels as a sparse matrix and
every other attribute as a NumPy array, with NaN (or a "known" flag) where the data is missing.
A pool never changes once built, so vectors derived from it are computed once and kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property

import numpy as np
import numpy.typing as npt
from scipy import sparse

from kakehashi.shared.reference import PREFECTURES, Track
from kakehashi.shared.skills import taxonomy

TRACKS = list(Track)
PREFECTURE_INDEX = {name: i for i, name in enumerate(PREFECTURES)}

Vector = npt.NDArray[np.float32]
Matrix = npt.NDArray[np.float32]
# A window of days a candidate is eligible for a track in: first and last ordinal day, inclusive
# (-inf / +inf where open-ended).
Window = tuple[float, float]
ALWAYS: tuple[Window, ...] = ((-np.inf, np.inf),)


def track_bit(track: Track) -> int:
    return 1 << TRACKS.index(track)


@cache
def related_codes(code: str) -> tuple[str, ...]:
    """The skills of the same family as `code` in the shared taxonomy (none outside it): each is
    partial evidence for `code`, never a substitute for a must-have."""
    known = taxonomy()
    return tuple(other for other in known.skills if known.related(code, other))


@dataclass(frozen=True)
class Requirement:
    code: str
    min_level: int
    must_have: bool


@dataclass(frozen=True)
class Order:
    """A job order as matching sees it; None means the order does not ask for it."""

    min_japanese_rank: int
    requirements: tuple[Requirement, ...]
    track: Track | None = None
    prefecture: str | None = None
    departure: date | None = None
    experience_years_min: float | None = None


@dataclass(frozen=True)
class CandidateProfile:
    """One candidate as matching sees them; None means the data is missing."""

    id: str
    japanese_rank: int
    skills: dict[str, int]
    date_of_birth: date | None = None
    available_from: date | None = None
    eligible_tracks: frozenset[Track] | None = None
    # Per track, the days the candidate is eligible on (the candidates service's rules judged
    # day by day); None from producers that send only `eligible_tracks` (eligible every day).
    eligible_windows: Mapping[Track, tuple[Window, ...]] | None = None
    desired_tracks: frozenset[Track] = frozenset()
    desired_prefectures: frozenset[str] = frozenset()
    experience_years: float | None = None


@dataclass
class Pool:
    """Candidates of one sector as arrays, in a fixed order (index = position in `ids`)."""

    ids: list[str]
    japanese_rank: npt.NDArray[np.intp]
    skills_by_skill: sparse.csr_matrix  # skills x candidates, levels 1-5
    vocabulary: dict[str, int]
    adult_from: npt.NDArray[np.float64]  # ordinal day of the 18th birthday; NaN if unknown
    available_from: npt.NDArray[np.float64]  # ordinal day; NaN if unknown
    eligible_tracks: npt.NDArray[np.uint8]  # bit per track
    tracks_known: npt.NDArray[np.bool_]
    # Per track: first and last ordinal day of each eligibility window (candidates x windows,
    # padded with empty windows), so a track is checked on any day at once.
    track_windows: dict[Track, tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]
    desired_tracks: npt.NDArray[np.uint8]  # 0: no preference
    prefers: sparse.csr_matrix  # prefectures x candidates, 1 where desired
    has_prefecture_wish: npt.NDArray[np.bool_]
    experience_years: npt.NDArray[np.float32]  # NaN if unknown
    _by_candidate: sparse.csr_matrix = field(repr=False)
    derived: DerivedRows = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Japanese and track rows, one per prefecture and up to ten per skill, within reason.
        expected = min(64 + len(PREFECTURE_INDEX) + 10 * len(self.vocabulary), 256)
        self.derived = DerivedRows(len(self.ids), expected)

    @cached_property
    def tie_order(self) -> npt.NDArray[np.intp]:
        """Each candidate's place among equal scores (docs/matching.md): the one available
        earlier first (unknown availability last), then the better Japanese, then the id."""
        unknown = np.isnan(self.available_from)
        available = np.where(unknown, np.inf, self.available_from)
        order = np.lexsort((np.arange(len(self.ids)), -self.japanese_rank, available))
        places = np.empty(len(self.ids), dtype=np.intp)
        places[order] = np.arange(len(self.ids))
        return places

    @cached_property
    def window_edges(self) -> dict[Track, tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]:
        """Per track, the distinct first and last days of the candidates' windows, sorted.

        Whether a candidate is eligible on a day changes only where the day crosses one of
        them, so the days between the same edges share one eligibility row (`blocking.row_key`)
        instead of a row per departure day.
        """
        return {
            track: (np.unique(first), np.unique(last))
            for track, (first, last) in self.track_windows.items()
        }

    def __len__(self) -> int:
        return len(self.ids)

    def skills_of(self, index: int) -> dict[str, int]:
        """One candidate's skills and levels, read once for all the requirements of an order
        (a look-up in the CSR arrays per skill cost a few NumPy calls, and a list's reasons ask
        for hundreds)."""
        matrix = self._by_candidate
        start, end = matrix.indptr[index], matrix.indptr[index + 1]
        codes = self._codes
        return {
            codes[column]: int(level)
            for column, level in zip(
                matrix.indices[start:end].tolist(), matrix.data[start:end].tolist(), strict=True
            )
        }

    @cached_property
    def _codes(self) -> list[str]:
        """The skill codes by column of `_by_candidate` (the inverse of `vocabulary`)."""
        codes = [""] * len(self.vocabulary)
        for code, column in self.vocabulary.items():
            codes[column] = code
        return codes

    def levels(self, code: str) -> Vector:
        """Every candidate's level in one skill (0 if none), as a dense row."""
        dense = np.zeros(len(self), dtype=np.float32)
        holders, levels = self.holders(code)
        dense[holders] = levels
        return dense

    def holders(self, code: str) -> tuple[npt.NDArray[np.int32], Vector]:
        """The candidates who have a skill, and their levels in it."""
        row = self.vocabulary.get(code)
        if row is None:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        return _entries(self.skills_by_skill, row)

    def wants(self, index: int, prefecture: str) -> bool:
        """Whether one candidate named this prefecture among the places they want to work.
        Read from the CSR arrays, as `level` is: slicing the matrix's column cost more than
        the rest of a reason list."""
        row = PREFECTURE_INDEX.get(prefecture)
        if row is None:
            return False
        start, end = self.prefers.indptr[row], self.prefers.indptr[row + 1]
        found = np.flatnonzero(self.prefers.indices[start:end] == index)
        return bool(len(found)) and bool(self.prefers.data[start + found[0]])

    def wishers(self, prefecture: str) -> npt.NDArray[np.int32]:
        """The candidates who named this prefecture among the places they want to work."""
        return _entries(self.prefers, PREFECTURE_INDEX[prefecture])[0]

    @classmethod
    def build(cls, candidates: Sequence[CandidateProfile]) -> Pool:
        vocabulary: dict[str, int] = {}
        rows, cols, levels = [], [], []
        wish_rows, wish_cols = [], []
        for row, candidate in enumerate(candidates):
            for code, level in candidate.skills.items():
                rows.append(row)
                cols.append(vocabulary.setdefault(code, len(vocabulary)))
                levels.append(level)
            for prefecture in candidate.desired_prefectures:
                if prefecture in PREFECTURE_INDEX:
                    wish_rows.append(row)
                    wish_cols.append(PREFECTURE_INDEX[prefecture])
        n = len(candidates)
        adult_from = np.asarray([_adult_from(c.date_of_birth) for c in candidates], dtype=float)
        available_from = np.asarray(
            [
                np.nan if c.available_from is None else c.available_from.toordinal()
                for c in candidates
            ],
            dtype=float,
        )
        by_candidate = sparse.csr_matrix(
            (np.asarray(levels, dtype=np.float32), (rows, cols)), shape=(n, max(len(vocabulary), 1))
        )
        prefers = sparse.csr_matrix(
            (np.ones(len(wish_rows), dtype=np.float32), (wish_cols, wish_rows)),
            shape=(len(PREFECTURE_INDEX), n),
        )
        return cls(
            ids=[c.id for c in candidates],
            japanese_rank=np.asarray([c.japanese_rank for c in candidates], dtype=np.intp),
            skills_by_skill=sparse.csr_matrix(by_candidate.T),
            vocabulary=vocabulary,
            adult_from=adult_from,
            available_from=available_from,
            eligible_tracks=np.asarray(
                [_bits(c.eligible_tracks or ()) for c in candidates], np.uint8
            ),
            tracks_known=np.asarray(
                [c.eligible_tracks is not None for c in candidates], dtype=bool
            ),
            track_windows={track: _windows(candidates, track) for track in TRACKS},
            desired_tracks=np.asarray([_bits(c.desired_tracks) for c in candidates], np.uint8),
            prefers=prefers,
            has_prefecture_wish=np.asarray(prefers.sum(axis=0)).ravel() > 0,
            experience_years=np.asarray(
                [np.nan if c.experience_years is None else c.experience_years for c in candidates],
                dtype=np.float32,
            ),
            _by_candidate=by_candidate,
        )


class DerivedRows:
    """Per-candidate rows derived from a pool (a skill's coverage, a Japanese floor's fit, ...),
    each computed once and kept side by side, so a batch multiplies them without a copy.

    Rows are only appended, so an index once given stays valid; appends take a lock, as pools
    are shared by the API's threads. The keys are order attributes (skill and level, floor,
    track, prefecture, experience minimum), so the rows are bounded by those a pool meets.
    """

    def __init__(self, width: int, expected: int) -> None:
        self._lock = threading.Lock()
        self._index: dict[Hashable, int] = {}
        # Room for the rows a pool is expected to meet: memory is only used once written.
        self._matrix = np.empty((expected, width), dtype=np.float32)
        self._count = 0

    def index(self, key: Hashable, fill: Callable[[Vector], object]) -> int:
        """The row of `key`, written in place by `fill` the first time."""
        found = self._index.get(key)
        if found is not None:
            return found
        # Filled outside the lock: threads scoring batches of one pool build their rows side by
        # side. Two that need the same new row both fill it; the first to append keeps it.
        row = np.empty(self._matrix.shape[1], dtype=np.float32)
        fill(row)
        with self._lock:
            found = self._index.get(key)
            if found is None:
                if self._count == len(self._matrix):
                    grown = np.empty((2 * self._count + 1, self._matrix.shape[1]), np.float32)
                    grown[: self._count] = self._matrix
                    self._matrix = grown
                self._matrix[self._count] = row
                found = self._index[key] = self._count  # published once written
                self._count += 1
        return found

    def matrix(self) -> Matrix:
        """Every row so far (rows x candidates); later appends do not change it."""
        with self._lock:
            return self._matrix[: self._count]


def windows_of(candidate: CandidateProfile, track: Track) -> tuple[Window, ...]:
    """The days a candidate is eligible for a track on; none where eligibility is unknown."""
    if candidate.eligible_windows is not None:
        return candidate.eligible_windows.get(track, ())
    if candidate.eligible_tracks is not None and track in candidate.eligible_tracks:
        return ALWAYS
    return ()


def _windows(
    candidates: Sequence[CandidateProfile], track: Track
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    per_candidate = [windows_of(c, track) for c in candidates]
    width = max((len(w) for w in per_candidate), default=0) or 1
    first = np.full((len(candidates), width), np.inf)  # an empty window: first after last
    last = np.full((len(candidates), width), -np.inf)
    for row, windows in enumerate(per_candidate):
        for column, (start, end) in enumerate(windows):
            first[row, column], last[row, column] = start, end
    return first, last


def _bits(tracks: frozenset[Track] | Sequence[Track]) -> int:
    bits = 0
    for track in tracks:
        bits |= track_bit(track)
    return bits


def _entries(matrix: sparse.csr_matrix, row: int) -> tuple[npt.NDArray[np.int32], Vector]:
    """One row of a CSR matrix, read straight from its arrays (slicing the matrix costs more)."""
    start, end = matrix.indptr[row : row + 2]
    return matrix.indices[start:end], matrix.data[start:end]


def _adult_from(born: date | None) -> float:
    if born is None:
        return float("nan")
    try:
        return float(born.replace(year=born.year + 18).toordinal())
    except ValueError:  # born on 29 February: adult on 1 March
        return float(date(born.year + 18, 3, 1).toordinal())
