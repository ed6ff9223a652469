"""Where the machine's CPU went during a benchmark: CPU seconds per process family, from /proc.

A benchmark that runs real processes (the Supervisor's children, PostgreSQL, itself as the load
driver) takes a `Sample` before and after its measured phase; `shares()` gives the CPU seconds
each family used in between. A child's worker processes count towards the child that started
them, PostgreSQL's backends towards "postgresql", and this process towards "load driver".
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Sample:
    """CPU seconds per family, taken at one moment."""

    seconds: dict[str, float]


class Process(NamedTuple):
    parent: int
    name: str  # the command name
    cpu_s: float  # user + system CPU time so far


def processes() -> dict[int, Process]:
    """Every process we can read, by pid (Linux only)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The name is in parentheses and may hold spaces: split after the last ')'.
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()  # proc(5)'s fields from the 3rd on
        parent, user, system = int(fields[1]), int(fields[11]), int(fields[12])
        found[int(entry.name)] = Process(parent, name, (user + system) / TICKS)
    return found


def descendants(table: Mapping[int, Process], root: int) -> list[int]:
    """Every process below `root` in `table` (children, their children...)."""
    children: dict[int, list[int]] = {}
    for pid, process in table.items():
        children.setdefault(process.parent, []).append(pid)
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def sample(children: Mapping[str, int]) -> Sample:
    """CPU seconds of each named child (with its descendants), of PostgreSQL and of this process.
    A family's processes that ended before the sample are not counted."""
    table = processes()
    family_of = {pid: name for name, pid in children.items()}
    family_of[os.getpid()] = "load driver"
    seconds: dict[str, float] = {}
    for pid, (_parent, name, cpu) in table.items():
        family = None
        walk, seen = pid, 0
        while walk and seen < 64:
            if walk in family_of:
                family = family_of[walk]
                break
            walk = table[walk].parent if walk in table else 0
            seen += 1
        if family is None and name in ("postgres", "postmaster"):
            family = "postgresql"
        if family is not None:
            seconds[family] = seconds.get(family, 0.0) + cpu
    return Sample(seconds)


def shares(before: Sample, after: Sample) -> dict[str, float]:
    """CPU seconds per family between two samples, largest first."""
    used = {
        name: after.seconds.get(name, 0.0) - before.seconds.get(name, 0.0) for name in after.seconds
    }
    return dict(sorted(used.items(), key=lambda item: -item[1]))


def describe(
    used: Mapping[str, float], wall_s: float, done: int = 0, cores: int | None = None
) -> str:
    """One line per family: CPU seconds and the share of the machine's cores over `wall_s`;
    with `done` (requests served), the CPU each cost and the rate the cores could sustain."""
    cores = cores or os.cpu_count() or 1
    total = sum(used.values())
    lines = [
        f"  CPU during the run ({wall_s:.1f} s on {cores} cores = {wall_s * cores:.1f} CPU-s): "
        f"{total:.1f} CPU-s counted"
    ]
    for name, cpu in used.items():
        if cpu >= 0.05:
            lines.append(f"    {name:<22} {cpu:6.1f} CPU-s  {cpu / (wall_s * cores):6.1%}")
    if done and total:
        each = total / done * 1000
        lines.append(
            f"  CPU per accepted write, all processes: {each:.1f} ms; at that cost "
            f"{cores} cores allow at most {cores * 1000 / each:,.0f} writes/s"
        )
    return "\n".join(lines)
