"""Exploration: a few lower-ranked eligible candidates shown in a list's review window, marked.

Decisions are only ever taken on what a program manager is shown, and without exploration that
is the engine's own top of the list: a learned ranking would only learn to tell good from
excellent among those the engine already likes, never whether it undervalues someone. So every
n-th place of the review window (the first REVIEW_WINDOW places) shows an eligible candidate
drawn at random from below the places the window gives the ranking, marked "exploration" in the
API and the console. The draw is seeded by the order and the day, so a list reads the same all
day and across its pages.

`placement` says how the list showed a pair: among the ranking's own places of the window
(propensity 1), by exploration (propensity explorers / candidates below: each of the candidates
below is equally likely to be one of those drawn), or neither (below the window: reached by
paging or filtering, with no known probability). A decision records it, and the fit weights a
pair by one over its propensity (`weighting.ips_weights`; derivation in docs/matching.md).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

REVIEW_WINDOW = 50  # the places a program manager reviews: two console pages


def seed_of(job_order_id: str, day: date) -> int:
    """The draw's seed: the order and the day, so a list reads the same all day (the match list
    and the placement recorded with a decision draw the same explorers)."""
    return zlib.crc32(f"{job_order_id}:{day}".encode())


def slots_of(every: int, window: int) -> list[int]:
    """The places (1-based) of the window that exploration takes: every `every`-th."""
    return list(range(every, window + 1, every)) if every >= 1 else []


def propensity_below(every: int, window: int, below: int) -> float:
    """The probability that one given candidate of the `below` ones (eligible, under the
    ranking's own places of the window) is shown in the window: the draw takes
    min(slots, below) of them uniformly without replacement, so each is drawn with probability
    min(slots, below) / below; 0 when there is no slot or nobody below."""
    if below <= 0:
        return 0.0
    return min(len(slots_of(every, window)), below) / below


@dataclass(frozen=True)
class Placement:
    """How a list showed one pair, for a decision to record.

    `propensity` is the probability, under the list's policy (ranking + exploration), that the
    pair is shown in the review window: 1 for the ranking's own places, `propensity_below` for
    an explorer, None for a pair the window did not show (no known probability).
    """

    exploration: bool
    propensity: float | None
    place: int | None  # 1-based place in the list, None if not in the ranked part fetched

    @property
    def in_window(self) -> bool:
        return self.propensity is not None


def explore(
    ranked: Sequence[int],
    eligible: npt.NDArray[np.intp],
    every: int,
    window: int,
    rng: np.random.Generator,
) -> tuple[list[int], set[int]]:
    """The list with every `every`-th place of the first `window` taken by a candidate drawn
    from the eligible ones the ranking places below the window's own; and those drawn.

    `ranked` is the ranking's order (at least `window` long where there are that many); the
    candidates the explorers displace move down, so nobody drops out of the list.
    """
    if every < 1:
        return list(ranked), set()
    slots = list(range(every, window + 1, every))
    kept = window - len(slots)  # the ranking's own places inside the window
    below = eligible[~np.isin(eligible, list(ranked[:kept]))]  # in the order given
    if not len(below) or not slots:
        return list(ranked), set()
    drawn = rng.choice(below, size=min(len(slots), len(below)), replace=False).tolist()
    explored = set(drawn)
    rest = iter([i for i in ranked if i not in explored])
    merged: list[int] = []
    queue = list(drawn)
    for place in range(1, len(ranked) + 1):
        if queue and place in slots:
            merged.append(queue.pop(0))
        else:
            merged.append(next(rest))
    return merged, explored & set(merged)


def placement(
    ranked: Sequence[int],
    eligible: npt.NDArray[np.intp],
    every: int,
    window: int,
    rng: np.random.Generator,
    candidate: int,
) -> Placement:
    """Where the list the same `explore` call serves puts `candidate`, and with which
    propensity (`Placement`). `ranked` must be the ranking's order at least `window` long where
    there are that many; the draw is the same as the list's given the same `rng` seed."""
    merged, explored = explore(ranked, eligible, every, window, rng)
    place = merged.index(candidate) + 1 if candidate in merged else None
    if candidate in explored:
        kept = window - len(slots_of(every, window))
        below = len(set(eligible.tolist()) - set(ranked[:kept]))
        return Placement(True, propensity_below(every, window, below), place)
    if place is not None and place <= window:
        return Placement(False, 1.0, place)
    return Placement(False, None, place)
