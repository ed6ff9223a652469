"""Reaching TCP services: waiting for a port, and the broker's readiness check."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable


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


ReadinessCheck = Callable[[], None]


def broker_check(bootstrap_servers: list[str]) -> ReadinessCheck:
    """Ready when at least one bootstrap server accepts a TCP connection."""

    def check() -> None:
        errors = []
        for server in bootstrap_servers:
            host, _, port = server.rpartition(":")
            try:
                wait_for_port(host, int(port), timeout_s=1.0)
                return
            except (TimeoutError, ValueError) as error:
                errors.append(f"{server}: {error}")
        raise ConnectionError("; ".join(errors) or "no bootstrap servers configured")

    return check
