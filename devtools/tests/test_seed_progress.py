"""`kakehashi seed` shows how far it is in a pipe or a CI log too, where a progress bar prints
nothing: plain lines at each step's start, about every few seconds, and at its end."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import TypeVar

from kakehashi.devtools.seed import plain_progress, terminal_progress

T = TypeVar("T")


class FakeClock:
    """Seconds that pass only when the test says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_plain_progress_prints_the_start_periodic_counts_and_the_end() -> None:
    out, clock = io.StringIO(), FakeClock()
    progress = plain_progress(out, every_s=5.0, clock=clock)
    seen = []
    for item in progress(list(range(10)), "candidates "):
        seen.append(item)
        clock.now += 2.0  # each item takes two seconds
    assert seen == list(range(10))
    assert out.getvalue().splitlines() == [
        "candidates: 0/10",
        "candidates: 3/10 (30%)",
        "candidates: 6/10 (60%)",
        "candidates: 9/10 (90%)",
        "candidates: 10/10 done",
    ]


def bar(items: list[T], label: str) -> Iterator[T]:
    return iter(items)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_keeps_the_bar_and_a_pipe_gets_lines() -> None:
    assert terminal_progress(bar, Terminal()) is bar
    piped = io.StringIO()
    progress = terminal_progress(bar, piped)
    assert progress is not bar
    assert list(progress([1, 2], "job orders ")) == [1, 2]
    assert piped.getvalue().splitlines() == ["job orders: 0/2", "job orders: 2/2 done"]
