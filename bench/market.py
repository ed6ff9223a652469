"""A synthetic labour market for benchmarks: candidates and job orders with realistic shapes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kakehashi.matching.domain.scoring import Order, Requirement
from kakehashi.shared.reference import Sector

SECTORS = [s.value for s in Sector]
# Big sectors first: manufacturing, construction, food, care, agriculture dominate placements.
SECTOR_WEIGHTS = np.array([12, 3, 20, 16, 3, 3, 1, 4, 8, 3, 14, 6, 2, 1, 1, 2, 1, 2, 1], float)
SKILLS_PER_SECTOR = 8
JAPANESE_P = [0.08, 0.42, 0.35, 0.11, 0.03, 0.01]  # none, N5, N4, N3, N2, N1


@dataclass
class Market:
    candidate_sector: np.ndarray  # index into SECTORS
    japanese_rank: np.ndarray
    skills: list[dict[str, int]]
    order_sector: np.ndarray
    orders: list[Order]
    headcount: np.ndarray


def skill_code(sector: int, k: int) -> str:
    return f"{SECTORS[sector]}_skill_{k}"


def generate(candidates: int, orders: int, seed: int = 11) -> Market:
    rng = np.random.default_rng(seed)
    p = SECTOR_WEIGHTS / SECTOR_WEIGHTS.sum()
    c_sector = rng.choice(len(SECTORS), size=candidates, p=p)
    ranks = rng.choice(6, size=candidates, p=JAPANESE_P).astype(np.int8)
    n_skills = rng.integers(1, 5, size=candidates)
    skills = []
    for sector, count in zip(c_sector.tolist(), n_skills.tolist(), strict=True):
        picks = rng.choice(SKILLS_PER_SECTOR, size=count, replace=False)
        levels = rng.choice([1, 2, 3, 4, 5], size=count, p=[0.15, 0.35, 0.3, 0.15, 0.05])
        skills.append(
            {skill_code(sector, int(k)): int(v) for k, v in zip(picks, levels, strict=True)}
        )
    o_sector = rng.choice(len(SECTORS), size=orders, p=p)
    job_orders = []
    for sector in o_sector.tolist():
        count = int(rng.integers(1, 4))
        picks = rng.choice(SKILLS_PER_SECTOR, size=count, replace=False)
        requirements = tuple(
            Requirement(
                skill_code(sector, int(k)),
                int(rng.integers(1, 4)),
                bool(i == 0 or rng.random() < 0.3),
            )
            for i, k in enumerate(picks)
        )
        job_orders.append(
            Order(min_japanese_rank=int(rng.choice([0, 1, 1, 2, 2, 3])), requirements=requirements)
        )
    headcount = rng.integers(1, 6, size=orders)
    return Market(c_sector, ranks, skills, o_sector, job_orders, headcount)
