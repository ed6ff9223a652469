"""Reference tables with effective dates: Japanese floors per track, minimum wages per prefecture.

The figures live in CSV files next to this module (data, not code branches), so an administrator
can correct or extend them without touching a rule. They are read once, on first use.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from kakehashi.shared.reference import JapaneseLevel, Sector, Track

DATA = Path(__file__).parent / "data"
ANY_SECTOR = "*"


@dataclass(frozen=True)
class JapaneseFloor:
    """The lowest Japanese level an order of `track` (and `sector`, or any) may ask for."""

    track: Track
    sector: str  # a Sector code or ANY_SECTOR
    min_level: JapaneseLevel
    effective_from: date
    effective_to: date | None  # exclusive; None while in force
    basis: str

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)


@dataclass(frozen=True)
class MinimumWage:
    prefecture: str
    hourly_yen: int
    effective_from: date
    fiscal_year: int


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


@cache
def japanese_floors() -> tuple[JapaneseFloor, ...]:
    return tuple(
        JapaneseFloor(
            track=Track(row["track"]),
            sector=row["sector"] if row["sector"] == ANY_SECTOR else Sector(row["sector"]).value,
            min_level=JapaneseLevel(row["min_level"]),
            effective_from=date.fromisoformat(row["effective_from"]),
            effective_to=date.fromisoformat(row["effective_to"]) if row["effective_to"] else None,
            basis=row["basis"],
        )
        for row in _rows("japanese_floors.csv")
    )


@cache
def minimum_wages() -> tuple[MinimumWage, ...]:
    return tuple(
        MinimumWage(
            prefecture=row["prefecture"],
            hourly_yen=int(row["hourly_yen"]),
            effective_from=date.fromisoformat(row["effective_from"]),
            fiscal_year=int(row["fiscal_year"]),
        )
        for row in _rows("minimum_wages.csv")
    )


def japanese_floor(track: Track, sector: Sector, on: date) -> JapaneseFloor | None:
    """The floor in force on `on`; a row for the sector wins over the track's catch-all row."""
    candidates = [f for f in japanese_floors() if f.track is track and f.in_force(on)]
    specific = [f for f in candidates if f.sector == sector.value]
    general = [f for f in candidates if f.sector == ANY_SECTOR]
    chosen = specific or general
    return max(chosen, key=lambda f: f.effective_from) if chosen else None


def minimum_wage(prefecture: str, on: date) -> MinimumWage | None:
    """The prefecture's hourly minimum wage in force on `on` (None before the earliest row)."""
    in_force = [w for w in minimum_wages() if w.prefecture == prefecture and w.effective_from <= on]
    return max(in_force, key=lambda w: w.effective_from) if in_force else None
