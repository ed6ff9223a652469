"""The matching API's in-memory view of matchable candidates, one scoring pool per sector.

Rebuilding a pool from the database on every request costs seconds at 100k candidates. The index
keeps candidates in memory and, before answering, pulls only the rows and erasures the consumer
changed since the last look, by the read model's change sequence (which commits in order, so
`> last seen` misses nothing). Only a changed sector's pool is edited, as arrays: the candidates
that stay are kept, the changed ones built alone and joined to them (`domain/pool_columns.py`).

What is kept per candidate is only arrays: the pool's, and the few text columns a list filters on
as codes into their distinct values (`Labels`). A row of the read model (names, ...) is read from
the database when a list shows it (`CandidateRows`), never kept: at a million candidates the rows
alone would take gigabytes.

A restart does not rebuild the pools from every row: the index is kept on disk (`snapshot`),
marked with the change sequence it had seen, and on start-up it is read back and caught up with
the changes made since. A snapshot that does not fit the read model (ahead of its sequence, or a
different number of candidates once caught up), or cannot be read, is dropped and the index is
built from the rows, so a stale index is never served.
"""

from __future__ import annotations

import bisect
import copy
import functools
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Protocol, overload

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import col, select

from kakehashi.matching.adapters import index_snapshot
from kakehashi.matching.adapters.mapping import CANDIDATE_FIELDS, CandidateFields, profile_of
from kakehashi.matching.adapters.tables import CandidateView, ChangeSequence, ErasedCandidate
from kakehashi.matching.domain.model import Pool
from kakehashi.matching.domain.pool_columns import concat, from_arrays, take, to_arrays
from kakehashi.matching.domain.rules import MATCHABLE_CANDIDATE_STATUSES
from kakehashi.matching.service_layer.metrics import INDEX_BUILD_DURATION, INDEX_CANDIDATES
from kakehashi.shared.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

# The text columns of a candidate a match list filters or features on, kept as codes.
LABELLED = ("province", "training_centre_id", "training_status")
# Rows read per step of a full build: the memory of a step's rows, not of all rows.
BUILD_BATCH = 20_000
# The columns a full build reads: what scoring reads, the labels, and the sector.
BUILD_COLUMNS = (*CANDIDATE_FIELDS, *LABELLED, "sector")


class IndexedFields(CandidateFields, Protocol):
    """What the index keeps of a candidate: scoring's fields and the labelled columns."""

    @property
    def province(self) -> str: ...
    @property
    def training_centre_id(self) -> str: ...
    @property
    def training_status(self) -> str | None: ...


Mask = npt.NDArray[np.bool_]
RECENT_ROWS = 4096  # rows a sector keeps of those its lists showed lately


@dataclass(frozen=True)
class Labels:
    """A text column of a pool's candidates as codes into its distinct values (few: provinces,
    training centres, training stages), so a filter tests each value once, not each candidate."""

    values: tuple[str | None, ...]
    codes: npt.NDArray[np.int32]

    @classmethod
    def of(cls, texts: Iterable[str | None]) -> Labels:
        found: dict[str | None, int] = {}
        codes = [found.setdefault(text, len(found)) for text in texts]
        return cls(tuple(found), np.asarray(codes, dtype=np.int32))

    def where(self, test: Callable[[str | None], bool]) -> Mask:
        """Per candidate, whether its value passes `test`."""
        passes = np.fromiter((test(v) for v in self.values), dtype=bool, count=len(self.values))
        return np.asarray(passes[self.codes], dtype=bool)

    def spread(
        self, per_value: Callable[[Sequence[str | None]], npt.NDArray[np.float32]]
    ) -> npt.NDArray[np.float32]:
        """`per_value` computed on the distinct values, given to every candidate."""
        return np.asarray(per_value(self.values)[self.codes], dtype=np.float32)

    def take(self, positions: npt.NDArray[np.intp]) -> Labels:
        return Labels(self.values, self.codes[positions])

    @staticmethod
    def concat(parts: Sequence[Labels]) -> Labels:
        values: dict[str | None, int] = {}
        codes = []
        for part in parts:
            renumber = np.asarray(
                [values.setdefault(v, len(values)) for v in part.values] or [0], dtype=np.int32
            )
            codes.append(renumber[part.codes])
        return Labels(tuple(values), np.concatenate(codes).astype(np.int32))


@dataclass(frozen=True)
class SectorCandidates:
    """A sector's matchable candidates, in candidate id order: the pool and the labels."""

    pool: Pool
    labels: Mapping[str, Labels]

    @classmethod
    def build(cls, rows: Sequence[IndexedFields]) -> SectorCandidates:
        return cls(
            Pool.build([profile_of(r) for r in rows]),
            {name: Labels.of(getattr(r, name) for r in rows) for name in LABELLED},
        )

    def __len__(self) -> int:
        return len(self.pool)

    def position(self, candidate_id: str) -> int | None:
        """Where the candidate stands in the pool, or None."""
        ids = self.pool.ids
        at = bisect.bisect_left(ids, candidate_id)
        return at if at < len(ids) and ids[at] == candidate_id else None

    def take(self, positions: npt.NDArray[np.intp]) -> SectorCandidates:
        return SectorCandidates(
            take(self.pool, positions),
            {name: labels.take(positions) for name, labels in self.labels.items()},
        )

    @staticmethod
    def joined(parts: Sequence[SectorCandidates]) -> SectorCandidates:
        """The parts' candidates together, in candidate id order (none: an empty sector)."""
        if not parts:
            return SectorCandidates.build([])
        if len(parts) == 1:
            joined = parts[0]
        else:
            joined = SectorCandidates(
                concat([p.pool for p in parts]),
                {name: Labels.concat([p.labels[name] for p in parts]) for name in LABELLED},
            )
        ids = joined.pool.ids
        if all(ids[i] < ids[i + 1] for i in range(len(ids) - 1)):
            return joined
        return joined.take(np.asarray(sorted(range(len(ids)), key=ids.__getitem__), np.intp))

    def edited(self, removed: Sequence[int], added: Sequence[CandidateView]) -> SectorCandidates:
        """Without the candidates at `removed`, with the rows `added`."""
        kept = np.setdiff1d(np.arange(len(self)), np.asarray(removed, dtype=np.intp))
        parts = [self.take(kept)] if len(kept) else []
        if added:
            parts.append(SectorCandidates.build(sorted(added, key=lambda r: r.candidate_id)))
        return SectorCandidates.joined(parts)

    def arrays(self) -> index_snapshot.Arrays:
        arrays = to_arrays(self.pool)
        for name, labels in self.labels.items():
            arrays[f"label:{name}"] = index_snapshot.text_array(labels.values)
            arrays[f"codes:{name}"] = labels.codes
        return arrays

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, npt.NDArray[np.generic]]) -> SectorCandidates:
        pool = from_arrays(arrays)
        labels = {}
        for name in LABELLED:
            values = tuple(index_snapshot.texts(arrays[f"label:{name}"]))
            codes = np.asarray(arrays[f"codes:{name}"], dtype=np.int32)
            if len(codes) != len(pool) or (len(codes) and int(codes.max()) >= len(values)):
                raise ValueError(f"labels of {name} do not fit the pool")
            labels[name] = Labels(values, codes)
        return cls(pool, labels)


class CandidateRows(Sequence[CandidateView]):
    """The read-model rows of a pool's candidates, by position, read from the database when
    asked for (a page of a list), not kept in memory.

    Each read opens its own unit of work, a copy of `uow` (same database), so the rows may be
    shared by requests on several threads."""

    def __init__(self, ids: Sequence[str], uow: UnitOfWork) -> None:
        self._ids, self._template = ids, uow
        # The rows read lately. A changed candidate re-stamps their row, which replaces the
        # sector's pool and with it these rows, so what is kept here is never older than it.
        self._recent: OrderedDict[int, CandidateView] = OrderedDict()
        self._recent_lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, position: int) -> CandidateView: ...
    @overload
    def __getitem__(self, position: slice) -> Sequence[CandidateView]: ...
    def __getitem__(self, position: int | slice) -> CandidateView | Sequence[CandidateView]:
        if isinstance(position, slice):
            wanted = list(range(len(self)))[position]
            found = self.fetch(wanted)
            return [found[i] for i in wanted if i in found]
        row = self.fetch([position]).get(position)
        if row is None:
            raise LookupError(f"candidate {self._ids[position]} left the read model meanwhile")
        return row

    def __iter__(self) -> Iterator[CandidateView]:
        return iter(self[:])

    def fetch(self, positions: Iterable[int]) -> dict[int, CandidateView]:
        """The rows at these positions, in one query for those not read lately; a candidate
        erased since the pool was synced is left out."""
        found: dict[int, CandidateView] = {}
        missing: dict[str, int] = {}
        with self._recent_lock:
            for p in positions:
                row = self._recent.get(p)
                if row is None:
                    missing[self._ids[p]] = p
                else:
                    found[p] = row
                    self._recent.move_to_end(p)
        if missing:
            with copy.copy(self._template) as uow:
                rows = uow.session.exec(
                    select(CandidateView).where(col(CandidateView.candidate_id).in_(missing))
                ).all()
            with self._recent_lock:
                for row in rows:
                    p = missing[row.candidate_id]
                    found[p] = self._recent[p] = row
                while len(self._recent) > RECENT_ROWS:
                    self._recent.popitem(last=False)
        return found


@dataclass(frozen=True)
class SectorPool:
    """A sector's pool and, at the same positions, the candidates' labels and rows."""

    pool: Pool
    labels: Mapping[str, Labels]
    rows: CandidateRows


class CandidateIndex:
    """Matchable candidates by sector, kept in step with the read model incrementally, and on
    disk at `snapshot` (if given) so a restart reads it back instead of rebuilding."""

    def __init__(self, snapshot: Path | None = None, source: str = "") -> None:
        self._lock = threading.Lock()
        self._scoring = threading.Lock()
        self._snapshot, self._source = snapshot, source  # source: the read model's database
        self._sectors: dict[str, SectorCandidates] = {}
        self._views: dict[str, SectorPool] = {}  # what `sector` gave, until the sector changes
        self._seen = 0  # the highest change sequence number applied
        self._saved = -1  # the change sequence of the snapshot on disk
        self._ready = False

    def warm(self, uow: UnitOfWork) -> None:
        """Read the snapshot back (or build from the rows) and catch up, now (at start-up), so
        the first match list does not pay for it; then keep the result on disk."""
        with self._lock:
            self._ensure(uow)
            self._sync(uow)
        self.save()

    def sector(self, uow: UnitOfWork, sector: str) -> SectorPool:
        """The pool of `sector` as of now (after pulling what changed since the last call)."""
        with self._lock:
            self._ensure(uow)
            self._sync(uow)
            view = self._views.get(sector)
            if view is None:
                found = self._sectors.get(sector) or SectorCandidates.build([])
                view = SectorPool(found.pool, found.labels, CandidateRows(found.pool.ids, uow))
                self._views[sector] = view
            return view

    @contextmanager
    def scoring_turn(self) -> Iterator[None]:
        """Held while a list is scored from the index: one list at a time per process.

        A process runs Python on one core, whatever its threads, so lists scored side by side
        are not done sooner; they cost more. Each NumPy call hands the interpreter lock to
        another list's thread, and their pools' arrays evict each other from the cache: under 16
        concurrent lists, a list took about a third more of the API's CPU than one at a time
        (docs/matching.md). The threads waiting here hold no lock and use no CPU."""
        with self._scoring:
            yield

    def built_sectors(self) -> set[str]:
        """The sectors whose pool is built and current."""
        with self._lock:
            return set(self._sectors) if self._ready else set()

    def save(self) -> None:
        """Write the index to its snapshot file unless it holds what is there already."""
        with self._lock:
            if self._snapshot is None or not self._ready or self._saved == self._seen:
                return
            sectors, seen = dict(self._sectors), self._seen
        started = time.perf_counter()
        try:
            index_snapshot.write(
                self._snapshot,
                self._source,
                seen,
                {name: s.arrays() for name, s in sectors.items()},
            )
        except OSError as error:  # a read-only or full disk: the next start rebuilds, no worse
            log.warning("candidate index snapshot not written: %s", error)
            return
        self._saved = seen
        log.info(
            "candidate index snapshot written",
            extra={"change_seq": seen, "seconds": round(time.perf_counter() - started, 2)},
        )

    def _ensure(self, uow: UnitOfWork) -> None:
        if self._ready:
            return
        started = time.perf_counter()
        source = "snapshot" if self._restore(uow) else "rows"
        if source == "rows":
            self._build(uow)
        self._ready = True
        held = sum(map(len, self._sectors.values()))
        INDEX_CANDIDATES.set(held)
        seconds = time.perf_counter() - started
        INDEX_BUILD_DURATION.observe(seconds)
        log.info(
            "candidate index ready",
            extra={"source": source, "candidates": held, "seconds": round(seconds, 2)},
        )

    def _restore(self, uow: UnitOfWork) -> bool:
        """The snapshot read back and caught up, if it fits the read model."""
        if self._snapshot is None:
            return False
        try:
            found = index_snapshot.read(self._snapshot, self._source)
        except index_snapshot.SnapshotError as error:
            log.warning("candidate index snapshot ignored, rebuilding: %s", error)
            return False
        if found is None:
            return False
        seen, sectors = found
        with uow:
            counter = _counter(uow)
        if seen > counter:
            log.warning(
                "candidate index snapshot ignored, rebuilding: it has seen change %d, the read"
                " model only %d",
                seen,
                counter,
            )
            return False
        try:
            self._sectors = {
                name: SectorCandidates.from_arrays(arrays) for name, arrays in sectors.items()
            }
        except (KeyError, ValueError) as error:
            log.warning("candidate index snapshot ignored, rebuilding: %s", error)
            self._sectors = {}
            return False
        self._seen = self._saved = seen
        self._sync(uow)  # the changes made since it was written
        caught_up = self._seen - seen
        with uow:
            expected = _matchable_count(uow)
        held = sum(map(len, self._sectors.values()))
        if held != expected:
            log.warning(
                "candidate index snapshot ignored, rebuilding: %d candidates once caught up,"
                " the read model has %d",
                held,
                expected,
            )
            self._sectors, self._views, self._seen, self._saved = {}, {}, 0, -1
            return False
        log.info(
            "candidate index read from its snapshot",
            extra={"change_seq": seen, "changes_since": caught_up},
        )
        return True

    def _build(self, uow: UnitOfWork) -> None:
        """Every matchable candidate from the rows, read in steps (in candidate id order)."""
        parts: dict[str, list[SectorCandidates]] = {}
        with uow:
            # The counter first: every change up to it is in what is read next, and any change
            # after it is pulled again by the next sync (replacing a candidate is idempotent).
            self._seen = _counter(uow)
            table = CandidateView.__table__  # type: ignore[attr-defined]
            query = (
                sa.select(*(_as_read(table.c[name]) for name in BUILD_COLUMNS))
                .where(table.c.status.in_(MATCHABLE_CANDIDATE_STATUSES))
                .order_by(table.c.candidate_id)
                .execution_options(yield_per=BUILD_BATCH)
            )
            # Rows of just these columns, not ORM objects: a third of the time at a million.
            for batch in uow.session.connection().execute(query).partitions(BUILD_BATCH):
                by_sector: dict[str, list[Any]] = {}
                for row in batch:
                    by_sector.setdefault(row.sector, []).append(_decoded(row))
                for sector, rows in by_sector.items():
                    parts.setdefault(sector, []).append(SectorCandidates.build(rows))
        _json.cache_clear()
        self._sectors = {sector: SectorCandidates.joined(p) for sector, p in parts.items()}

    def _sync(self, uow: UnitOfWork) -> None:
        with uow:
            # The counter first, as `_build` does: a list asks on every call, and most often
            # nothing changed, which this one look-up tells (the two reads below cost ~5 times
            # more). Every change up to it is committed, so it is seen once what follows is.
            counter = _counter(uow)
            if counter <= self._seen:
                return
            rows = uow.session.exec(
                select(CandidateView).where(col(CandidateView.change_seq) > self._seen)
            ).all()
            gone = uow.session.exec(
                select(ErasedCandidate).where(col(ErasedCandidate.change_seq) > self._seen)
            ).all()
        if not rows and not gone:
            self._seen = counter
            return
        erased = {t.candidate_id for t in gone}
        changed = {r.candidate_id for r in rows} | erased
        removed: dict[str, list[int]] = {}
        for name, candidates in self._sectors.items():
            at = [p for p in map(candidates.position, changed) if p is not None]
            if at:
                removed[name] = at
        added: dict[str, list[CandidateView]] = {}
        for row in rows:
            if row.status in MATCHABLE_CANDIDATE_STATUSES and row.candidate_id not in erased:
                added.setdefault(row.sector, []).append(row)
        for name in removed.keys() | added.keys():
            started = time.perf_counter()
            current = self._sectors.get(name) or SectorCandidates.build([])
            edited = current.edited(removed.get(name, []), added.get(name, []))
            self._views.pop(name, None)
            if len(edited):
                self._sectors[name] = edited
            else:
                self._sectors.pop(name, None)
            INDEX_BUILD_DURATION.observe(time.perf_counter() - started)
        self._seen = max(
            [self._seen, counter, *(r.change_seq for r in rows), *(t.change_seq for t in gone)]
        )
        INDEX_CANDIDATES.set(sum(map(len, self._sectors.values())))


# JSON columns are read as their text and decoded here, each distinct text once per build:
# most candidates share their tracks, places and windows (often "[]" or "null").
_JSON_COLUMNS = frozenset(
    name
    for name in BUILD_COLUMNS
    if isinstance(CandidateView.__table__.c[name].type, sa.JSON)  # type: ignore[attr-defined]
)


def _as_read(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    if column.key in _JSON_COLUMNS:
        return sa.type_coerce(column, sa.Text).label(column.key)
    return column


@functools.lru_cache(maxsize=1 << 16)
def _json(text: str) -> Any:
    return json.loads(text)  # shared by the rows with this text: read, never changed


def _decoded(row: sa.Row[Any]) -> SimpleNamespace:
    """A row of BUILD_COLUMNS with its JSON decoded (a driver may have decoded it already)."""
    fields = row._asdict()
    for name in _JSON_COLUMNS:
        value = fields[name]
        if isinstance(value, str):
            fields[name] = _json(value)
    return SimpleNamespace(**fields)


# The value alone, not the row as an object: every match list reads it (`_sync`).
_COUNTER = sa.select(col(ChangeSequence.value)).where(col(ChangeSequence.name) == "candidates")


def _counter(uow: UnitOfWork) -> int:
    value = uow.session.execute(_COUNTER).scalar_one_or_none()
    return 0 if value is None else int(value)


def _matchable_count(uow: UnitOfWork) -> int:
    return int(
        uow.session.exec(
            select(func.count())
            .select_from(CandidateView)
            .where(col(CandidateView.status).in_(MATCHABLE_CANDIDATE_STATUSES))
        ).one()
    )
