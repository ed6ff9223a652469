"""CPU an idle system uses: every process `kakehashi dev` runs, sampled while nobody calls it.

Starts the whole system (broker, mail catcher, APIs, relays, consumers) on free ports with fresh
SQLite databases, waits for it to settle, then reads each process's CPU time (user + system, from
/proc, Linux only) at the start and end of a window. Prints each process's share of one core and
the total:

    uv run python bench/idle_cpu.py --seconds 30
    ...
    idle CPU over 30 s: 0.031 of one core (3.1%) across 13 processes
"""

from __future__ import annotations

import argparse
import socket
import tempfile
import time
from pathlib import Path

import cpu_shares

from kakehashi.devtools.supervisor import SERVICES, Ports, Supervisor


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sample(pids: dict[int, str], seconds: float) -> dict[str, float]:
    """Each named process's CPU time over `seconds` of wall time, as a share of one core."""
    before = cpu_shares.processes()
    began = time.monotonic()
    time.sleep(seconds)
    after = cpu_shares.processes()
    elapsed = time.monotonic() - began
    shares: dict[str, float] = {}
    for pid, name in pids.items():
        if pid not in before or pid not in after:
            raise RuntimeError(f"{name} (pid {pid}) exited while being measured")
        shares[name] = (after[pid].cpu_s - before[pid].cpu_s) / elapsed
    return shares


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="the measuring window")
    parser.add_argument(
        "--settle", type=float, default=15.0, help="wait this long after start before measuring"
    )
    args = parser.parse_args()
    ports = Ports(broker=_free_port(), apis={s: _free_port() for s in SERVICES}, mail=_free_port())
    with tempfile.TemporaryDirectory() as scratch:
        system = Supervisor(Path(scratch) / "data", ports=ports, log_dir=Path(scratch) / "logs")
        system.start()
        try:
            time.sleep(args.settle)
            pids = {child.pid: name for name, child in system.children}
            table = cpu_shares.processes()
            for name, child in system.children:
                for extra in cpu_shares.descendants(table, child.pid):
                    pids[extra] = f"{name}/{extra}"
            shares = sample(pids, args.seconds)
        finally:
            system.stop()
    for name, share in sorted(shares.items(), key=lambda item: -item[1]):
        print(f"  {name:<22} {share:6.3f}")
    total = sum(shares.values())
    print(
        f"idle CPU over {args.seconds:.0f} s: {total:.3f} of one core ({total:.1%}) "
        f"across {len(shares)} processes"
    )


if __name__ == "__main__":
    main()
