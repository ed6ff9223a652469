"""The matching API's in-memory view of matchable candidates, one scoring pool per sector.

Rebuilding a pool from the database on every request costs seconds at 100k candidates. The index
keeps candidates in memory and, before answering, pulls only the rows and erasures the consumer
changed since the last look, by the read model's change sequence (which commits in order, so
`> last seen` misses nothing). A sector's pool is rebuilt only when one of its candidates changed.
The API warms every sector's pool at start-up, so the first request after a restart is no slower.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from sqlmodel import col, select

from kakehashi.matching.adapters.mapping import profile_of
from kakehashi.matching.adapters.tables import CandidateView, ErasedCandidate
from kakehashi.matching.domain.model import Pool
from kakehashi.matching.domain.rules import MATCHABLE_CANDIDATE_STATUSES
from kakehashi.matching.service_layer.metrics import INDEX_BUILD_DURATION, INDEX_CANDIDATES
from kakehashi.shared.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class SectorPool:
    """A sector's pool and, at the same positions, the rows to show for each candidate."""

    pool: Pool
    rows: list[CandidateView]


class CandidateIndex:
    """Matchable candidates by sector, kept in step with the read model incrementally."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[str, CandidateView] = {}  # candidate id -> row, matchable ones only
        self._members: dict[str, set[str]] = {}  # sector -> candidate ids
        self._pools: dict[str, SectorPool] = {}
        self._seen = 0  # the highest change sequence number applied

    def warm(self, uow: UnitOfWork) -> None:
        """Pull every matchable candidate and build each sector's pool now (at start-up), so the
        first match list does not pay for it."""
        with self._lock:
            self._sync(uow)
            for sector in list(self._members):
                self._pool(sector)

    def sector(self, uow: UnitOfWork, sector: str) -> SectorPool:
        """The pool of `sector` as of now (after pulling what changed since the last call)."""
        with self._lock:
            self._sync(uow)
            return self._pool(sector)

    def built_sectors(self) -> set[str]:
        """The sectors whose pool is built and current."""
        with self._lock:
            return set(self._pools)

    def _pool(self, sector: str) -> SectorPool:
        cached = self._pools.get(sector)
        if cached is None:
            started = time.perf_counter()
            rows = sorted(
                (self._rows[i] for i in self._members.get(sector, ())),
                key=lambda r: r.candidate_id,
            )
            cached = SectorPool(Pool.build([profile_of(r) for r in rows]), rows)
            self._pools[sector] = cached
            INDEX_BUILD_DURATION.observe(time.perf_counter() - started)
        return cached

    def _sync(self, uow: UnitOfWork) -> None:
        with uow:
            rows = uow.session.exec(
                select(CandidateView).where(col(CandidateView.change_seq) > self._seen)
            ).all()
            gone = uow.session.exec(
                select(ErasedCandidate).where(col(ErasedCandidate.change_seq) > self._seen)
            ).all()
        for row in rows:
            matchable = row.status in MATCHABLE_CANDIDATE_STATUSES
            self._replace(row.candidate_id, row if matchable else None)
            self._seen = max(self._seen, row.change_seq)
        for tombstone in gone:
            self._replace(tombstone.candidate_id, None)
            self._seen = max(self._seen, tombstone.change_seq)
        INDEX_CANDIDATES.set(len(self._rows))

    def _replace(self, candidate_id: str, row: CandidateView | None) -> None:
        old = self._rows.pop(candidate_id, None)
        if old is not None:
            self._members[old.sector].discard(candidate_id)
            self._pools.pop(old.sector, None)
        if row is not None:
            self._rows[candidate_id] = row
            self._members.setdefault(row.sector, set()).add(candidate_id)
            self._pools.pop(row.sector, None)
