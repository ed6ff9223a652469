"""A synthetic labour market for benchmarks: candidates and job orders with realistic shapes."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

import numpy as np

from kakehashi.matching.domain.model import CandidateProfile, Order, Requirement
from kakehashi.shared.reference import PREFECTURES, JapaneseLevel, Sector, Track

T = TypeVar("T")
SECTORS = [s.value for s in Sector]
LEVELS = list(JapaneseLevel)
# Big sectors first: manufacturing, construction, food, care, agriculture dominate placements.
SECTOR_WEIGHTS = np.array([12, 3, 20, 16, 3, 3, 1, 4, 8, 3, 14, 6, 2, 1, 1, 2, 1, 2, 1], float)
SKILLS_PER_SECTOR = 8
JAPANESE_P = [0.08, 0.42, 0.35, 0.11, 0.03, 0.01]  # none, N5, N4, N3, N2, N1
TODAY = date(2026, 11, 23)


@dataclass
class Market:
    candidate_sector: np.ndarray  # index into SECTORS
    candidates: list[CandidateProfile]
    order_sector: np.ndarray
    orders: list[Order]
    headcount: np.ndarray


def skill_code(sector: int, k: int) -> str:
    return f"{SECTORS[sector]}_skill_{k}"


class Shared:
    """One object per distinct value (a day, a set of tracks or prefectures, a number of years).

    A million profiles holding their own copy of each would take hundreds of megabytes the
    engine never sees: the bench measures the engine's memory, not the market's.
    """

    def __init__(self) -> None:
        self._values: dict[Hashable, Any] = {}

    def __call__(self, key: Hashable, make: Callable[[], T]) -> T:
        found = self._values.get(key)
        if found is None:
            found = self._values[key] = make()
        value: T = found
        return value


def generate(
    candidates: int, orders: int, seed: int = 11, codes: Mapping[str, str] | None = None
) -> Market:
    """The market; `codes` renames skill codes (e.g. to the taxonomy's, so related skills
    meet) as they are made, rather than in a copy of a million profiles."""
    names = codes or {}
    shared = Shared()

    def code(sector: int, k: int) -> str:
        name = skill_code(sector, k)
        return names.get(name, name)

    def day(offset: int) -> date:
        return shared(("day", offset), lambda: TODAY + timedelta(days=offset))

    rng = np.random.default_rng(seed)
    p = SECTOR_WEIGHTS / SECTOR_WEIGHTS.sum()
    c_sector = rng.choice(len(SECTORS), size=candidates, p=p)
    ranks = rng.choice(len(JapaneseLevel), size=candidates, p=JAPANESE_P)
    n_skills = rng.integers(1, 5, size=candidates)
    ages = rng.integers(17 * 365, 35 * 365, size=candidates)
    availability = rng.integers(-60, 300, size=candidates)
    people = []
    for i in range(candidates):
        sector = int(c_sector[i])
        picks = rng.choice(SKILLS_PER_SECTOR, size=int(n_skills[i]), replace=False)
        levels = rng.choice([1, 2, 3, 4, 5], size=len(picks), p=[0.15, 0.35, 0.3, 0.15, 0.05])
        tracks = (Track.TITP, Track.ESD) + ((Track.SSW1,) if ranks[i] >= 2 else ())
        born = None if rng.random() < 0.02 else day(-int(ages[i]))
        eligible = None if rng.random() < 0.05 else shared(tracks, lambda t=tracks: frozenset(t))
        desired = (
            shared("SSW1", lambda: frozenset({Track.SSW1})) if rng.random() < 0.3 else frozenset()
        )
        wishes = (
            tuple(sorted(rng.choice(PREFECTURES[:20], size=2).tolist()))
            if rng.random() < 0.4
            else ()
        )
        years = None if rng.random() < 0.2 else float(rng.integers(0, 8)) / 2
        people.append(
            CandidateProfile(
                id=f"c{i}",
                japanese_rank=int(ranks[i]),
                skills={code(sector, int(k)): int(v) for k, v in zip(picks, levels, strict=True)},
                date_of_birth=born,
                available_from=day(int(availability[i])),
                eligible_tracks=eligible,
                desired_tracks=desired,
                desired_prefectures=shared(("wish", wishes), lambda w=wishes: frozenset(w)),
                experience_years=shared(("years", years), lambda y=years: y),
            )
        )
    o_sector = rng.choice(len(SECTORS), size=orders, p=p)
    job_orders = []
    for sector in o_sector.tolist():
        count = int(rng.integers(1, 4))
        picks = rng.choice(SKILLS_PER_SECTOR, size=count, replace=False)
        requirements = tuple(
            Requirement(
                code(sector, int(k)),
                int(rng.integers(1, 4)),
                bool(i == 0 or rng.random() < 0.3),
            )
            for i, k in enumerate(picks)
        )
        track = Track.SSW1 if rng.random() < 0.5 else Track.TITP
        job_orders.append(
            Order(
                min_japanese_rank=2 if track is Track.SSW1 else int(rng.choice([0, 1, 1, 2])),
                requirements=requirements,
                track=track,
                prefecture=str(rng.choice(PREFECTURES[:20])),
                departure=TODAY + timedelta(days=int(rng.integers(120, 400))),
                experience_years_min=float(rng.choice([0, 0, 1, 2])) or None,
            )
        )
    headcount = rng.integers(1, 6, size=orders)
    return Market(c_sector, people, o_sector, job_orders, headcount)


def job_order_fields(market: Market, j: int) -> dict[str, Any]:
    """The read model's fields of the market's j-th order (`job_order.opened` data, and a
    `JobOrderView` row with `version` and `updated_at` added); the departure day as a date."""
    order = market.orders[j]
    return {
        "job_order_id": f"order-{j}",
        "employer_id": "emp-bench",
        "title": "bench",
        "sector": SECTORS[int(market.order_sector[j])],
        "prefecture": order.prefecture,
        "headcount": int(market.headcount[j]),
        "min_japanese_level": LEVELS[order.min_japanese_rank].value,
        "required_skills": [
            {"code": r.code, "min_level": r.min_level, "must_have": r.must_have}
            for r in order.requirements
        ],
        "status": "open",
        "track": order.track.value if order.track else None,
        "expected_departure_date": order.departure,
        "experience_years_min": order.experience_years_min,
    }
