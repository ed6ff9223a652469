"""The children's log files as `kakehashi dev` shows them: followed on the terminal after the
banner, each line led by the process's name; their last lines when a process failed."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import TextIO

TAIL_LINES = 20


def last_lines(path: Path, count: int = TAIL_LINES) -> list[str]:
    """The last `count` lines of a log file (none if it does not exist)."""
    try:
        with path.open("rb") as file:
            file.seek(0, 2)
            file.seek(max(file.tell() - 64 * 1024, 0))
            text = file.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return []
    return text.splitlines()[-count:]


class LogFollower(threading.Thread):
    """Prints the lines written to each file from now on, as `name | line`, until closed."""

    def __init__(self, files: dict[str, Path], out: TextIO | None = None) -> None:
        super().__init__(name="log-follower", daemon=True)
        self._files = files
        self._out = out or sys.stdout
        self._width = max((len(name) for name in files), default=0)
        self._positions = {name: _size(path) for name, path in files.items()}
        self._partial: dict[str, bytes] = dict.fromkeys(files, b"")
        self._closed = threading.Event()

    def run(self) -> None:
        while not self._closed.wait(0.2):
            self.poll()

    def close(self) -> None:
        """Stop following, after printing what was written until now."""
        self._closed.set()
        if self.is_alive():
            self.join(timeout=2)
        self.poll()

    def poll(self) -> None:
        """Print every complete line written since the last poll."""
        for name, path in self._files.items():
            try:
                with path.open("rb") as file:
                    file.seek(self._positions[name])
                    chunk = file.read()
            except FileNotFoundError:
                continue
            self._positions[name] += len(chunk)
            *lines, self._partial[name] = (self._partial[name] + chunk).split(b"\n")
            for line in lines:
                text = line.decode("utf-8", errors="replace").rstrip()
                print(f"{name:<{self._width}} | {text}", file=self._out, flush=True)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0
