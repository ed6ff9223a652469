"""Runs the whole system locally: broker, three APIs, relays and the consumer, as child processes.

Ctrl-C (or SIGTERM) stops every child, waits for them, and leaves nothing running.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from kakehashi.shared.broker import start_tansu, wait_for_port
from kakehashi.shared.events import ALL_TOPICS, dead_letter_topic
from kakehashi.shared.kafka import ensure_topics

SERVICES = {"candidates": 8001, "employers": 8002, "matching": 8003}
CONSUMER_GROUPS = ("matching",)


@dataclass(frozen=True)
class Process:
    name: str
    service: str
    subcommand: str


PROCESSES = (
    Process("candidates-api", "candidates", "api"),
    Process("candidates-relay", "candidates", "relay"),
    Process("employers-api", "employers", "api"),
    Process("employers-relay", "employers", "relay"),
    Process("matching-api", "matching", "api"),
    Process("matching-consumer", "matching", "consume"),
)


def service_environment(data_dir: Path, bootstrap: str, host: str) -> dict[str, str]:
    """Environment for every child: each service's settings under its own prefix."""
    env = dict(os.environ)
    for service, port in SERVICES.items():
        prefix = f"KAKEHASHI_{service.upper()}_"
        env.setdefault(prefix + "DATA_DIR", str(data_dir))
        env.setdefault(prefix + "KAFKA_BOOTSTRAP_SERVERS", bootstrap)
        env.setdefault(prefix + "API_HOST", host)
        env.setdefault(prefix + "API_PORT", str(port))
    return env


def _command(process: Process) -> list[str]:
    return [
        sys.executable,
        "-m",
        f"kakehashi.{process.service}.entrypoints.cli",
        process.subcommand,
    ]


class Supervisor:
    def __init__(self, data_dir: Path, host: str = "127.0.0.1", broker_port: int = 9092) -> None:
        self.data_dir = data_dir.resolve()
        self.host = host
        self.broker_port = broker_port
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.stopping = False

    def run(self) -> int:
        """Start everything, wait until stopped or until a child dies; returns an exit code."""
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        try:
            self._start_all()
            self._print_banner()
            return self._watch()
        finally:
            self._stop_all()

    def _on_signal(self, _signum: int, _frame: object) -> None:
        self.stopping = True

    def _start_all(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        bootstrap = f"{self.host}:{self.broker_port}"
        print(f"starting broker (Tansu) on {bootstrap}", flush=True)
        self.children.append(("broker", start_tansu(self.host, self.broker_port)))
        topics = [*ALL_TOPICS, *(dead_letter_topic(g) for g in CONSUMER_GROUPS)]
        ensure_topics([bootstrap], topics)
        env = service_environment(self.data_dir, bootstrap, self.host)
        for service in SERVICES:
            print(f"migrating {service}", flush=True)
            subprocess.run(
                [sys.executable, "-m", f"kakehashi.{service}.entrypoints.cli", "migrate"],
                env=env,
                check=True,
            )
        for process in PROCESSES:
            self.children.append((process.name, subprocess.Popen(_command(process), env=env)))
        for service, port in SERVICES.items():
            wait_for_port(self.host, port, timeout_s=60)
            print(f"{service} API is up", flush=True)

    def _print_banner(self) -> None:
        lines = ["", "Kakehashi is running:"]
        lines += [f"  {s:<11} http://{self.host}:{p}/docs" for s, p in SERVICES.items()]
        lines += [
            f"  broker      {self.host}:{self.broker_port} (topics: {', '.join(ALL_TOPICS)})",
            f"  data        {self.data_dir}",
            "Mint a token: uv run kakehashi token --role program_manager --org pm-office",
            "Seed demo data: uv run kakehashi seed",
            "Press Ctrl-C to stop everything.",
            "",
        ]
        print("\n".join(lines), flush=True)

    def _watch(self) -> int:
        while not self.stopping:
            for name, child in self.children:
                code = child.poll()
                if code is not None:
                    print(f"{name} exited with code {code}; stopping everything", flush=True)
                    return 1
            time.sleep(0.2)
        return 0

    def _stop_all(self) -> None:
        # Services first (newest first), the broker last, so relays can finish a batch.
        for _name, child in reversed(self.children):
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for name, child in reversed(self.children):
            try:
                child.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                print(f"{name} did not stop in time; killing it", flush=True)
                child.kill()
                child.wait()
        print("stopped", flush=True)
