"""Every benchmark `make bench` and `make bench-scale` run still runs, at a small size.

The README promises those commands; a benchmark is only run by hand, so one that broke would go
unseen until the next measurement. These runs check that each finishes and prints its figures,
never how fast: speed is the benchmarks' own business (they print ratios measured in one run).
They are not marked for the PostgreSQL pass, which would only repeat them on SQLite; the one
that needs PostgreSQL (two API replicas) runs only there.
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
    output = run_benchmark(args, tmp_path)
    for line in expected:
        assert line in output, f"{line!r} not in:\n{output[-3000:]}"


@pytest.mark.integration
def test_the_list_scale_out_benchmark_runs_on_postgresql(
    postgres_only: None, tmp_path: Path
) -> None:
    """Two API replicas on one database need PostgreSQL, so this one runs in the PostgreSQL pass."""
    server = os.environ["KAKEHASHI_TEST_POSTGRES_URL"]
    output = run_benchmark(
        [
            "list_scale_out.py",
            *("--database-url", server, "--candidates", "2000", "--orders", "20"),
            *("--requests", "40", "--clients", "4"),
        ],
        tmp_path,
    )
    for line in (
        "GET match list, 4 clients, 1 API replica (PostgreSQL):",
        "GET match list, 4 clients, 2 API replicas (PostgreSQL):",
        "two API replicas / one:",
    ):
        assert line in output, f"{line!r} not in:\n{output[-3000:]}"
    assert output.count("resident memory per replica") == 2
    two = output.split("2 API replicas")[1]
    assert two.split("resident memory per replica")[1].splitlines()[0].count(" MB") == 2


def run_benchmark(args: list[str], folder: Path) -> str:
    """Run bench/`args[0]` with the rest as its arguments, in `folder`, without the caller's
    KAKEHASHI_ settings; its output, after checking it exited with 0."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAKEHASHI_")}
    done = subprocess.run(
        [sys.executable, str(BENCH / args[0]), *args[1:]],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=folder,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout
