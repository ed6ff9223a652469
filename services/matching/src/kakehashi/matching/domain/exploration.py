"""Exploration: a few lower-ranked eligible candidates shown in a list's review window, marked.

Decisions are only ever taken on what a program manager is shown, and without exploration that
is the engine's own top of the list: a learned ranking would only learn to tell good from
excellent among those the engine already likes, never whether it undervalues someone. So every
n-th place of the review window (the first REVIEW_WINDOW places) shows an eligible candidate
drawn at random from below the places the window gives the ranking, marked "exploration" in the
API and the console. The draw is seeded by the order and the day, so a list reads the same all
day and across its pages. Each explored candidate was shown with probability
(explorers / candidates below), the propensity an inverse-propensity-weighted fit would divide
by (docs/matching.md states how far the fit goes).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

REVIEW_WINDOW = 50  # the places a program manager reviews: two console pages


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
    top = set(ranked[:kept])
    below = np.array([i for i in eligible.tolist() if i not in top], dtype=np.intp)
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
