"""Issue #17's scale table in one run: every benchmark behind it, then each figure beside its target.

    uv run python bench/scale.py                 # the whole table (about 20 minutes on 2 cores)
    uv run python bench/scale.py --only engine   # one row group (see --help for the names)

Each benchmark runs as its own process (so one's memory never counts against another's) and prints
its figures with their targets; this script streams their output and ends with every line that
names a target, grouped by benchmark, so the table reads in one place. The PostgreSQL rows run
when KAKEHASHI_BENCH_POSTGRES_URL names a server (a database is created and dropped there).
Figures depend on the machine and what else runs on it: compare ratios, and runs of one session.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
POSTGRES = os.environ.get("KAKEHASHI_BENCH_POSTGRES_URL", "")


@dataclass(frozen=True)
class Bench:
    name: str
    row: str  # the row of the table it measures
    args: tuple[str, ...]
    needs_postgres: bool = False


BENCHES = (
    Bench(
        "writes-sqlite",
        "POST /candidates, POST /job-orders, 16 connections, 30 s, SQLite",
        ("write_load.py", "--connections", "16", "--duration", "30"),
    ),
    Bench(
        "writes-postgres",
        "POST /candidates, POST /job-orders, 16 connections, 30 s, PostgreSQL",
        ("write_load.py", "--connections", "16", "--duration", "30", "--database-url", POSTGRES),
        needs_postgres=True,
    ),
    Bench(
        "api-100k",
        "GET /job-orders/{id}/matches and resident memory, matching API at 100k candidates",
        ("matching_million.py", "--candidates", "100000", "--orders", "300"),
    ),
    Bench(
        "lists-postgres",
        "GET /job-orders/{id}/matches at 100k from one API replica and from two, PostgreSQL",
        ("list_scale_out.py", "--database-url", POSTGRES),
        needs_postgres=True,
    ),
    Bench(
        "api-1m",
        "matching API at 1M candidates: start-up, list latency, memory, rebuild after restart",
        ("matching_million.py", "--candidates", "1000000", "--orders", "5000"),
    ),
    Bench(
        "engine",
        "engine 1M x 5k: index, refresh, one order p95, peak; vectorised vs naive over 5 runs",
        ("matching_engine.py", "--candidates", "1000000", "--orders", "5000", "--runs", "5"),
    ),
    Bench(
        "allocation",
        "exact allocation 1M x 5k against the old solver and greedy",
        ("allocation.py", "--candidates", "1000000", "--orders", "5000"),
    ),
    Bench(
        "import",
        "100k-row import, SQLite",
        ("candidates_import.py", "--rows", "100000"),
    ),
    Bench(
        "import-postgres",
        "100k-row import, PostgreSQL",
        ("candidates_import.py", "--rows", "100000", "--database-url", POSTGRES),
        needs_postgres=True,
    ),
)

TARGET = re.compile(r"\btarget", re.IGNORECASE)


def run(bench: Bench) -> tuple[int, list[str]]:
    """Run one benchmark, echoing its output; its exit code and the lines naming a target, each
    indented one under the unindented line it follows (which says what they measure)."""
    print(f"\n=== {bench.name}: {bench.row}", flush=True)
    print(f"    uv run python bench/{' '.join(bench.args)}", flush=True)
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, str(BENCH / bench.args[0]), *bench.args[1:]],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    targets: list[str] = []
    heading = ""  # the last unindented line: what the indented target lines under it are about
    for line in process.stdout:
        print(line, end="", flush=True)
        if TARGET.search(line):
            if line.startswith(" ") and heading:
                targets.append(heading)
            heading = ""
            targets.append(line.rstrip())
        elif line.strip() and not line.startswith(" "):
            heading = line.rstrip()
    code = process.wait()
    print(f"    ({time.monotonic() - started:.0f} s, exit code {code})", flush=True)
    return code, targets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", action="append", choices=[b.name for b in BENCHES], help="run only these"
    )
    args = parser.parse_args()
    chosen = [b for b in BENCHES if not args.only or b.name in args.only]
    results: list[tuple[Bench, int | None, list[str]]] = []
    for bench in chosen:
        if bench.needs_postgres and not POSTGRES:
            results.append((bench, None, []))
            continue
        code, targets = run(bench)
        results.append((bench, code, targets))
    print("\n=== issue #17: each figure beside its target (measured in this run)")
    for bench, code, targets in results:
        print(f"\n{bench.row}")
        if code is None:
            print("  not run: set KAKEHASHI_BENCH_POSTGRES_URL to a PostgreSQL server")
            continue
        if code != 0:
            print(f"  FAILED (exit code {code}); its output is above")
        for line in targets:
            print(f"  {line}")
    failed = [b.name for b, code, _ in results if code not in (0, None)]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
