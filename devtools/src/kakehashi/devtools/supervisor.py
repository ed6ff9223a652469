"""Runs the whole system on one machine: broker, mail catcher, four APIs, relays and consumers
(identity's consumer mails the notifications of matching's decisions to the catcher).

`kakehashi dev` uses it in the foreground (Ctrl-C stops every child and leaves nothing running);
the end-to-end tests and the latency benchmark use `start()` and `stop()` directly. Each child
writes to its own log file; a start that fails stops every process it started and says which
one failed, with the last lines of its log.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from kakehashi.devtools.broker import broker_storage, start_tansu
from kakehashi.devtools.demo_organisations import ADMIN_EMAIL, ADMIN_NAME, DEMO_PASSWORD
from kakehashi.devtools.dev_logs import LogFollower, last_lines
from kakehashi.identity.config import DEV_KEY_ENCRYPTION_SECRET
from kakehashi.shared.events import ALL_TOPICS, dead_letter_topic
from kakehashi.shared.kafka import ensure_topics
from kakehashi.shared.net import wait_for_port

SERVICES = ("candidates", "employers", "matching", "identity")
# The services that verify identity's tokens (identity verifies its own with its own keys).
TOKEN_VERIFIERS = ("candidates", "employers", "matching")
CONSUMER_GROUPS = ("matching", "employers", "candidates", "identity")
READY_TIMEOUT_S = 300.0  # a busy laptop has taken 90 s; waiting longer costs nothing


@dataclass(frozen=True)
class Process:
    """One child process. A second replica of a process differs by its settings (`env`, e.g. the
    partitions a consumer takes) and, for an API, by its `port` (default: the service's)."""

    name: str
    service: str
    subcommand: str
    env: tuple[tuple[str, str], ...] = ()
    port: int | None = None


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
    Process("identity-api", "identity", "api"),
    Process("identity-relay", "identity", "relay"),
    # Mails notifications of matching's decisions (metrics on 9108, after the others).
    Process("identity-consumer", "identity", "consume"),
    # Refits the learned ranking as decisions accumulate (metrics on 9109).
    Process("matching-refit-loop", "matching", "refit-loop"),
)


@dataclass(frozen=True)
class Ports:
    broker: int = 9092
    apis: dict[str, int] = field(
        default_factory=lambda: {
            "candidates": 8001,
            "employers": 8002,
            "matching": 8003,
            "identity": 8004,
        }
    )
    mail: int = 1025  # the SMTP catcher identity sends to
    # Each relay's and consumer's Prometheus metrics (the APIs serve theirs on /metrics). A port
    # already taken costs only that worker's metrics: it logs so and carries on.
    metrics: dict[str, int] = field(
        default_factory=lambda: {
            process.name: 9101 + number
            for number, process in enumerate(p for p in PROCESSES if p.subcommand != "api")
        }
    )


class StartError(RuntimeError):
    """The system did not start; every process that had started has been stopped."""

    def __init__(self, failed: str, reason: str, log: Path | None) -> None:
        tail = last_lines(log) if log is not None else []
        lines = [f"{failed} {reason}; stopped every process that had started."]
        if tail:
            lines.append(f"The last lines of its log ({log}):")
            lines += [f"  {line}" for line in tail]
        super().__init__("\n".join(lines))
        self.failed = failed


def _cli(service: str, *args: str) -> list[str]:
    return [sys.executable, "-m", f"kakehashi.{service}.entrypoints.cli", *args]


def _no_news(_line: str) -> None:
    pass


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
        say: Callable[[str], None] = _no_news,
        processes: tuple[Process, ...] = PROCESSES,
        topic_partitions: int = 3,
    ) -> None:
        self.data_dir = data_dir.resolve()
        self.host = host
        self.ports = ports or Ports()
        self.extra_env = env or {}
        self.log_dir = (log_dir or self.data_dir / "logs").resolve()
        self.say = say
        self.processes = processes
        self.topic_partitions = topic_partitions
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []
        self._logs: dict[str, IO[bytes]] = {}
        self._stopping = False

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.ports.broker}"

    @property
    def broker(self) -> subprocess.Popen[bytes]:
        return self.children[0][1]

    def url(self, service: str) -> str:
        return f"http://{self.host}:{self.ports.apis[service]}"

    @property
    def mail_dir(self) -> Path:
        """Where the mail catcher writes every mail identity sends (.eml and a readable .txt)."""
        return self.data_dir / "mail"

    def log_of(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def environment(self) -> dict[str, str]:
        """Environment for every child: each service's settings under its own prefix. The token
        verifiers trust identity as their issuer (and, in development, the development key too);
        identity mails through the catcher. An issuer or secret set by the caller stays."""
        env = dict(os.environ)
        issuer = self.url("identity")
        for service in SERVICES:
            prefix = f"KAKEHASHI_{service.upper()}_"
            env[prefix + "DATA_DIR"] = str(self.data_dir)
            env[prefix + "KAFKA_BOOTSTRAP_SERVERS"] = self.bootstrap
            env[prefix + "API_HOST"] = self.host
            env[prefix + "API_PORT"] = str(self.ports.apis[service])
            env[prefix + "KAFKA_TOPIC_PARTITIONS"] = str(self.topic_partitions)
        for service in TOKEN_VERIFIERS:
            env.setdefault(f"KAKEHASHI_{service.upper()}_AUTH_ISSUER", issuer)
        # For commands run with this environment (`kakehashi token`, `kakehashi seed`): their
        # development tokens name the issuer the services trust, on whatever port it is.
        env.setdefault("KAKEHASHI_TOKEN_ISSUER", issuer)
        env.setdefault("KAKEHASHI_SEED_ISSUER", issuer)
        identity = "KAKEHASHI_IDENTITY_"
        env.setdefault(identity + "ISSUER", issuer)
        env.setdefault(identity + "PUBLIC_URL", issuer)
        # identity refuses this published value outside development.
        env.setdefault(identity + "KEY_ENCRYPTION_SECRET", DEV_KEY_ENCRYPTION_SECRET)
        env[identity + "SMTP_HOST"] = self.host
        env[identity + "SMTP_PORT"] = str(self.ports.mail)
        env[identity + "SMTP_SECURITY"] = "none"
        # The portals' pages the notification mails link to, on whatever ports they listen.
        env.setdefault(identity + "WEB_CANDIDATES_URL", self.url("candidates"))
        env.setdefault(identity + "WEB_EMPLOYERS_URL", self.url("employers"))
        env.update(self.extra_env)
        return env

    def start(self, ready_timeout_s: float = READY_TIMEOUT_S) -> None:
        """Start the broker, create topics, migrate, start every process, wait for the APIs.

        On any failure (or Ctrl-C) everything started so far is stopped before the error leaves."""
        began = time.monotonic()
        try:
            self._start_broker()
            self._start_mail()
            self._migrate()
            self.say(f"starting {len(self.processes)} processes…")
            env = self.environment()
            for process in self.processes:
                log = self._log(process.name)
                command = self._command(process)
                child = subprocess.Popen(
                    command, env=env | self._own_env(process), stdout=log, stderr=log
                )
                self.children.append((process.name, child))
            self._wait_until_ready(began + ready_timeout_s, ready_timeout_s)
        except BaseException:
            self.stop()
            raise
        self.say(f"all ready in {time.monotonic() - began:.0f} s")

    def _start_broker(self) -> None:
        self.say(f"starting the broker on {self.bootstrap}…")
        # Ctrl-C reaches every process in the terminal's group. The broker must outlive the
        # services while they shut down (or their clients log connection errors), so it is
        # born with SIGINT blocked; stop() ends it with SIGTERM after the others.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            broker = start_tansu(self.host, self.ports.broker, storage=broker_storage())
            self.children.append(("broker", broker))
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        topics = [*ALL_TOPICS, *(dead_letter_topic(g) for g in CONSUMER_GROUPS)]
        ensure_topics([self.bootstrap], topics, self.topic_partitions)

    def _start_mail(self) -> None:
        """The SMTP catcher: identity's invitations and resets land in `mail_dir`."""
        self.say(f"starting the mail catcher on {self.host}:{self.ports.mail}…")
        command = [
            sys.executable,
            "-m",
            "kakehashi.devtools.mail_catcher",
            f"--folder={self.mail_dir}",
            f"--host={self.host}",
            f"--port={self.ports.mail}",
        ]
        log = self._log("mail")
        self.children.append(("mail", subprocess.Popen(command, stdout=log, stderr=log)))
        try:
            wait_for_port(self.host, self.ports.mail, timeout_s=60)
        except TimeoutError:
            raise StartError("mail", "is not listening after 60 s", self.log_of("mail")) from None

    def _migrate(self) -> None:
        """Each service's migrations, all at once (separate databases): the processes would
        apply them too, under a lock, but one at a time and each while starting. identity's
        step also makes the development admin, unless that email is already there."""
        self.say("applying each service's migrations…")
        env = self.environment()
        running = []
        for service in SERVICES:
            name = f"{service}-migrate"
            log = self._log(name)
            command = _cli(service, "migrate")
            if service == "identity":
                command = _cli(
                    service,
                    "add-admin",
                    ADMIN_EMAIL,
                    f"--name={ADMIN_NAME}",
                    f"--password={DEMO_PASSWORD}",
                    "--if-missing",
                )
            running.append((name, subprocess.Popen(command, env=env, stdout=log, stderr=log)))
        for name, migration in running:
            if migration.wait() != 0:
                reason = f"exited with code {migration.returncode}"
                raise StartError(name, reason, self.log_of(name))

    def _own_env(self, process: Process) -> dict[str, str]:
        """The settings that set this process apart from its service's other processes."""
        own = dict(process.env)
        if process.port is not None:
            own[f"KAKEHASHI_{process.service.upper()}_API_PORT"] = str(process.port)
        return own

    def api_port(self, process: Process) -> int:
        return process.port or self.ports.apis[process.service]

    def _command(self, process: Process) -> list[str]:
        command = _cli(process.service, process.subcommand)
        port = self.ports.metrics.get(process.name)
        if port is not None and process.subcommand != "api":
            command.append(f"--metrics-port={port}")
        return command

    def metrics_urls(self) -> dict[str, str]:
        """Where Prometheus (or curl) reads each process's metrics, by process name."""
        urls = {}
        for process in self.processes:
            if process.subcommand == "api":
                urls[process.name] = f"http://{self.host}:{self.api_port(process)}/metrics"
            elif process.name in self.ports.metrics:
                urls[process.name] = (
                    f"http://{self.host}:{self.ports.metrics[process.name]}/metrics"
                )
        return urls

    def _log(self, name: str) -> IO[bytes]:
        """Where a child writes: its own log file (appended to, so earlier runs stay)."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        if name not in self._logs:
            self._logs[name] = self.log_of(name).open("ab")
        return self._logs[name]

    def _wait_until_ready(self, deadline: float, timeout_s: float) -> None:
        """Until every API accepts connections; StartError naming a child that died, or the
        APIs still silent at the deadline."""
        waiting = {p.name: self.api_port(p) for p in self.processes if p.subcommand == "api"}
        next_news = time.monotonic() + 15
        while waiting:
            if self._stopping:
                raise KeyboardInterrupt
            for name, child in self.children:
                if child.poll() is not None:
                    reason = f"exited with code {child.returncode} while starting"
                    raise StartError(name, reason, self.log_of(name))
            for name, port in list(waiting.items()):
                try:
                    wait_for_port(self.host, port, timeout_s=0)
                    del waiting[name]
                except TimeoutError:
                    pass
            if waiting and time.monotonic() > deadline:
                late = ", ".join(waiting)
                reason = f"not listening after {timeout_s:.0f} s (also waiting for: {late})"
                first = next(iter(waiting))
                raise StartError(first, reason, self.log_of(first))
            if waiting and time.monotonic() > next_news:
                waited = timeout_s - (deadline - time.monotonic())
                self.say(f"  {waited:.0f} s: still waiting for {', '.join(waiting)}…")
                next_news += 15
            time.sleep(0.2)

    def dead_child(self) -> str | None:
        """The name of a child that has exited, if any."""
        for name, child in self.children:
            if child.poll() is not None:
                return f"{name} (exit code {child.returncode})"
        return None

    def stop(self, timeout_s: float = 15) -> None:
        """SIGTERM the services and wait for them, then the broker; kill what does not stop."""
        services = [child for name, child in self.children if name != "broker"]
        brokers = [child for name, child in self.children if name == "broker"]
        for group in (services, brokers):
            for child in group:
                if child.poll() is None:
                    child.send_signal(signal.SIGCONT)  # a paused broker cannot handle SIGTERM
                    child.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + timeout_s
            for child in group:
                try:
                    child.wait(timeout=max(deadline - time.monotonic(), 0.1))
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
        self.children.clear()
        for log in self._logs.values():
            log.close()
        self._logs.clear()

    def run(self, ready_timeout_s: float = READY_TIMEOUT_S) -> int:
        """Foreground mode: start, print where everything is, follow the logs until Ctrl-C or a
        dead child. 0 after Ctrl-C, 1 when something failed."""
        previous = {
            signum: signal.signal(signum, self._on_signal)
            for signum in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            return self._run(ready_timeout_s)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _run(self, ready_timeout_s: float) -> int:
        try:
            self.start(ready_timeout_s)
        except StartError as error:
            if self._stopping:  # Ctrl-C while starting: the failure is the interruption's
                print("stopped", flush=True)
                return 0
            print(str(error), file=sys.stderr, flush=True)
            return 1
        except KeyboardInterrupt:
            print("stopped", flush=True)
            return 0
        follower = LogFollower(
            {name: self.log_of(name) for name, _ in self.children if name != "broker"}
        )
        self._print_banner()
        follower.start()
        try:
            while not self._stopping:
                dead = self.dead_child()
                if dead is not None:
                    print(f"{dead} exited; stopping everything", file=sys.stderr, flush=True)
                    return 1
                time.sleep(0.2)
            return 0
        finally:
            self.stop()
            follower.close()
            print("stopped", flush=True)

    def _on_signal(self, _signum: int, _frame: object) -> None:
        self._stopping = True

    def _print_banner(self) -> None:
        lines = [
            "",
            "Kakehashi is running.",
            "",
            f"  Review console   {self.url('matching')}/console   (sends you to sign in)",
            f"  Sign in          {self.url('identity')}/sign-in   (a seeded user; a demo sign-in in development)",
            f"  Caught mail      {self.mail_dir}   (uv run kakehashi mail shows the latest)",
            "",
            *(f"  {s + ' API':<16} {self.url(s)}/docs" for s in SERVICES),
            f"  {'broker':<16} {self.bootstrap}",
            f"  {'mail (SMTP)':<16} {self.host}:{self.ports.mail}",
            f"  {'data and logs':<16} {self.data_dir} (logs in {self.log_dir})",
            "",
            "  Metrics (Prometheus text; docs/operations.md says what to watch):",
            *(f"    {name:<20} {url}" for name, url in self.metrics_urls().items()),
            "",
            f"  Admin:          {ADMIN_EMAIL}   password {DEMO_PASSWORD}   (development only)",
            "  Demo data:      uv run kakehashi seed   (and a user per organisation; it prints them)",
            "  A token:        uv run kakehashi token --role program_manager --org pm-office",
            "",
            "Logs follow. Ctrl-C stops everything.",
            "",
        ]
        print("\n".join(lines), flush=True)
