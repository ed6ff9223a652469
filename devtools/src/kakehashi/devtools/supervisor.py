"""Runs the whole system on one machine: broker, three APIs, their relays and consumers.

`kakehashi dev` uses it in the foreground (Ctrl-C stops every child and leaves nothing running);
the end-to-end tests and the latency benchmark use `start()` and `stop()` directly.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from kakehashi.devtools.broker import start_tansu
from kakehashi.shared.events import ALL_TOPICS, dead_letter_topic
from kakehashi.shared.kafka import ensure_topics
from kakehashi.shared.net import wait_for_port

SERVICES = ("candidates", "employers", "matching")
CONSUMER_GROUPS = ("matching", "employers", "candidates")


@dataclass(frozen=True)
class Process:
    name: str
    service: str
    subcommand: str


PROCESSES = (
    Process("candidates-api", "candidates", "api"),
    Process("candidates-relay", "candidates", "relay"),
    Process("candidates-consumer", "candidates", "consume"),
    Process("employers-api", "employers", "api"),
    Process("employers-relay", "employers", "relay"),
    Process("employers-consumer", "employers", "consume"),
    Process("matching-api", "matching", "api"),
    Process("matching-consumer", "matching", "consume"),
    Process("matching-relay", "matching", "relay"),
)


@dataclass(frozen=True)
class Ports:
    broker: int = 9092
    apis: dict[str, int] = field(
        default_factory=lambda: {"candidates": 8001, "employers": 8002, "matching": 8003}
    )


def _cli(service: str, *args: str) -> list[str]:
    return [sys.executable, "-m", f"kakehashi.{service}.entrypoints.cli", *args]


class Supervisor:
    """Starts and stops every process of the system as children of this one."""

    def __init__(
        self,
        data_dir: Path,
        *,
        host: str = "127.0.0.1",
        ports: Ports | None = None,
        env: dict[str, str] | None = None,
        log_dir: Path | None = None,
    ) -> None:
        self.data_dir = data_dir.resolve()
        self.host = host
        self.ports = ports or Ports()
        self.extra_env = env or {}
        self.log_dir = log_dir
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []
        self._logs: list[IO[bytes]] = []
        self._stopping = False

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.ports.broker}"

    @property
    def broker(self) -> subprocess.Popen[bytes]:
        return self.children[0][1]

    def url(self, service: str) -> str:
        return f"http://{self.host}:{self.ports.apis[service]}"

    def environment(self) -> dict[str, str]:
        """Environment for every child: each service's settings under its own prefix."""
        env = dict(os.environ)
        for service in SERVICES:
            prefix = f"KAKEHASHI_{service.upper()}_"
            env[prefix + "DATA_DIR"] = str(self.data_dir)
            env[prefix + "KAFKA_BOOTSTRAP_SERVERS"] = self.bootstrap
            env[prefix + "API_HOST"] = self.host
            env[prefix + "API_PORT"] = str(self.ports.apis[service])
        env.update(self.extra_env)
        return env

    def start(self, ready_timeout_s: float = 90) -> None:
        """Start the broker, create topics, migrate, start every process, wait for the APIs."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.children.append(("broker", start_tansu(self.host, self.ports.broker)))
        topics = [*ALL_TOPICS, *(dead_letter_topic(g) for g in CONSUMER_GROUPS)]
        ensure_topics([self.bootstrap], topics)
        env = self.environment()
        for service in SERVICES:
            log = self._log("migrate")
            subprocess.run(_cli(service, "migrate"), env=env, check=True, stdout=log, stderr=log)
        for process in PROCESSES:
            log = self._log(process.name)
            command = _cli(process.service, process.subcommand)
            child = subprocess.Popen(command, env=env, stdout=log, stderr=log)
            self.children.append((process.name, child))
        for service in SERVICES:
            wait_for_port(self.host, self.ports.apis[service], timeout_s=ready_timeout_s)

    def _log(self, name: str) -> IO[bytes] | None:
        """A log file for one child when a log directory is set; else the child shares ours."""
        if self.log_dir is None:
            return None
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = (self.log_dir / f"{name}.log").open("ab")
        self._logs.append(log)
        return log

    def dead_child(self) -> str | None:
        """The name of a child that has exited, if any."""
        for name, child in self.children:
            if child.poll() is not None:
                return f"{name} (exit code {child.returncode})"
        return None

    def stop(self, timeout_s: float = 15) -> None:
        """SIGTERM every child (services first, broker last), then kill what did not stop."""
        for _name, child in reversed(self.children):
            if child.poll() is None:
                child.send_signal(signal.SIGCONT)  # a paused broker cannot handle SIGTERM
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        for _name, child in reversed(self.children):
            try:
                child.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self.children.clear()
        for log in self._logs:
            log.close()
        self._logs.clear()

    def run(self) -> int:
        """Foreground mode: start, print where everything is, wait for Ctrl-C or a dead child."""
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        try:
            self.start()
            self._print_banner()
            while not self._stopping:
                dead = self.dead_child()
                if dead is not None:
                    print(f"{dead} exited; stopping everything", flush=True)
                    return 1
                time.sleep(0.2)
            return 0
        finally:
            self.stop()
            print("stopped", flush=True)

    def _on_signal(self, _signum: int, _frame: object) -> None:
        self._stopping = True

    def _print_banner(self) -> None:
        lines = ["", "Kakehashi is running:"]
        lines += [f"  {s:<11} {self.url(s)}/docs" for s in SERVICES]
        lines += [
            f"  broker      {self.bootstrap} (topics: {', '.join(ALL_TOPICS)})",
            f"  data        {self.data_dir}",
            "Mint a token:   uv run kakehashi token --role program_manager --org pm-office",
            "Seed demo data: uv run kakehashi seed",
            "Press Ctrl-C to stop everything.",
            "",
        ]
        print("\n".join(lines), flush=True)
