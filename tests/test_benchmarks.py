"""Every benchmark `make bench` and `make bench-scale` run still runs, at a small size.

The README promises those commands; a benchmark is only run by hand, so one that broke would go
unseen until the next measurement. These runs check that each finishes and prints its figures,
never how fast: speed is the benchmarks' own business (they print ratios measured in one run).
They are not marked for the PostgreSQL pass, which would only repeat them on SQLite.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"

# (script and small-size arguments, lines its output must hold)
RUNS = [
    (
        ["matching_engine.py", "--candidates", "3000", "--orders", "60", "--runs", "2"],
        ["full refresh top-50:", "one order p95", "vectorised / naive, first:", "per CPU second"],
    ),
    (
        ["allocation.py", "--candidates", "3000", "--orders", "60"],
        ["min-cost flow:", "slot matching (before):", "total differs by +0.00e+00"],
    ),
    (
        ["candidates_import.py", "--rows", "300"],
        ["imported 300 rows on SQLite", "registered 294, already registered 5"],
    ),
    (
        ["matching_quality.py", "--candidates", "1000", "--orders", "40"],
        ["learned: the same, weighted by IPW"],
    ),
    (
        ["matching_service.py", "--candidates", "2000", "--orders", "20", "--requests", "20"],
        ["GET match list (top 50, over HTTP)", "matching API resident memory"],
    ),
    (
        ["console_pages.py", "--candidates", "300", "--orders", "10", "--requests", "3"],
        ["GET /console/orders (dashboard", "GET /console/orders/{id}"],
    ),
    (
        [
            "matching_million.py",
            *("--candidates", "2000", "--orders", "20", "--requests", "20"),
            *("--clients", "4", "--changes", "10"),
        ],
        ["GET match list, 4 clients:", "start-up to ready, warm (snapshot)", "caught up"],
    ),
    (
        ["write_load.py", "--connections", "4", "--duration", "3"],
        ["POST candidates (SQLite)", "POST job-orders (SQLite)", "CPU per accepted write"],
    ),
    (
        ["slice_latency.py", "--candidates", "5"],
        ["registration -> match list over 5 candidates"],
    ),
]


@pytest.mark.parametrize(("args", "expected"), RUNS, ids=[run[0][0] for run in RUNS])
def test_the_benchmark_runs_and_prints_its_figures(
    args: list[str], expected: list[str], tmp_path: Path
) -> None:
    if args[0] == "matching_million.py":
        args = [*args, "--data-dir", str(tmp_path)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAKEHASHI_")}
    done = subprocess.run(
        [sys.executable, str(BENCH / args[0]), *args[1:]],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for line in expected:
        assert line in done.stdout, f"{line!r} not in:\n{done.stdout[-3000:]}"
