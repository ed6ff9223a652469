"""The dev supervisor's failure path: a process that dies while starting, or APIs that never
listen, stop every process started, name the culprit with its last log lines, exit non-zero."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kakehashi.devtools.dev_logs import LogFollower, last_lines
from kakehashi.devtools.supervisor import Ports, Process, StartError, Supervisor
from kakehashi.identity.config import DEV_KEY_ENCRYPTION_SECRET

SLEEPER = "import time; print('up', flush=True); time.sleep(60)"
CRASHER = "import sys; print('boom: cannot bind the port', flush=True); sys.exit(3)"
PROCESSES = (
    Process("candidates-api", "candidates", "api"),
    Process("candidates-relay", "candidates", "relay"),
    Process("matching-consumer", "matching", "consume"),
)


class FakeSupervisor(Supervisor):
    """No broker and no migrations; each process is a small Python script."""

    def __init__(self, tmp_path: Path, scripts: dict[str, str]) -> None:
        apis = {"candidates": 9, "employers": 9, "matching": 9, "identity": 9}
        ports = Ports(broker=1, apis=apis, mail=1)
        super().__init__(tmp_path / "data", ports=ports, processes=PROCESSES)
        self.scripts = scripts
        self.started: list[subprocess.Popen[bytes]] = []

    def _start_broker(self) -> None:
        pass

    def _start_mail(self) -> None:
        pass

    def _migrate(self) -> None:
        pass

    def _command(self, process: Process) -> list[str]:
        return [sys.executable, "-c", self.scripts.get(process.name, SLEEPER)]

    def _wait_until_ready(self, deadline: float, timeout_s: float) -> None:
        self.started = [child for _, child in self.children]
        super()._wait_until_ready(deadline, timeout_s)


def test_a_process_that_exits_at_once_stops_all_and_is_named(tmp_path: Path) -> None:
    supervisor = FakeSupervisor(tmp_path, {"candidates-relay": CRASHER})
    with pytest.raises(StartError) as raised:
        supervisor.start(ready_timeout_s=60)
    assert raised.value.failed == "candidates-relay"
    message = str(raised.value)
    assert message.startswith("candidates-relay exited with code 3 while starting")
    assert "boom: cannot bind the port" in message
    assert len(supervisor.started) == 3
    assert all(child.poll() is not None for child in supervisor.started)
    assert supervisor.children == []


def test_apis_that_never_listen_time_out_and_stop_all(tmp_path: Path) -> None:
    supervisor = FakeSupervisor(tmp_path, {})
    with pytest.raises(StartError) as raised:
        supervisor.start(ready_timeout_s=1)
    assert raised.value.failed == "candidates-api"
    assert "not listening after 1 s" in str(raised.value)
    assert "  up" in str(raised.value)  # its last log lines
    assert all(child.poll() is not None for child in supervisor.started)


def test_run_reports_the_failure_and_exits_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    supervisor = FakeSupervisor(tmp_path, {"matching-consumer": CRASHER})
    assert supervisor.run(ready_timeout_s=60) == 1
    err = capsys.readouterr().err
    assert "matching-consumer exited with code 3" in err
    assert "boom" in err
    assert all(child.poll() is not None for child in supervisor.started)


def test_the_log_follower_prints_new_lines_with_the_process_name(tmp_path: Path) -> None:
    log = tmp_path / "candidates-api.log"
    log.write_text("before the banner\n")
    lines: list[str] = []

    class Out:
        def write(self, text: str) -> None:
            lines.extend(t for t in text.splitlines() if t)

        def flush(self) -> None:
            pass

    follower = LogFollower({"candidates-api": log, "matching-relay": tmp_path / "none"}, Out())  # type: ignore[arg-type]
    with log.open("a") as file:
        file.write("12:00:01 INFO    kakehashi: ready\nhalf a li")
    follower.poll()
    assert lines == ["candidates-api | 12:00:01 INFO    kakehashi: ready"]
    with log.open("a") as file:
        file.write("ne\n")
    follower.close()
    assert lines[-1] == "candidates-api | half a line"
    assert last_lines(log, 2) == ["12:00:01 INFO    kakehashi: ready", "half a line"]


def test_the_environment_wires_the_services_to_identity_and_identity_to_the_catcher(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("CANDIDATES_AUTH_ISSUER", "MATCHING_AUTH_ISSUER", "IDENTITY_AUTH_ISSUER",
                 "IDENTITY_ISSUER", "IDENTITY_PUBLIC_URL", "IDENTITY_KEY_ENCRYPTION_SECRET",
                 "TOKEN_ISSUER", "IDENTITY_WEB_CANDIDATES_URL"):  # fmt: skip
        monkeypatch.delenv(f"KAKEHASHI_{name}", raising=False)
    monkeypatch.setenv("KAKEHASHI_EMPLOYERS_AUTH_ISSUER", "https://sso.example.org")
    apis = {"candidates": 18001, "employers": 18002, "matching": 18003, "identity": 18004}
    env = Supervisor(tmp_path, ports=Ports(broker=19092, apis=apis, mail=11025)).environment()
    issuer = "http://127.0.0.1:18004"
    assert env["KAKEHASHI_CANDIDATES_AUTH_ISSUER"] == issuer
    assert env["KAKEHASHI_MATCHING_AUTH_ISSUER"] == issuer
    assert env["KAKEHASHI_EMPLOYERS_AUTH_ISSUER"] == "https://sso.example.org"  # the user's
    assert env["KAKEHASHI_IDENTITY_ISSUER"] == env["KAKEHASHI_IDENTITY_PUBLIC_URL"] == issuer
    assert env["KAKEHASHI_IDENTITY_API_PORT"] == "18004"
    assert (env["KAKEHASHI_IDENTITY_SMTP_HOST"], env["KAKEHASHI_IDENTITY_SMTP_PORT"]) == (
        "127.0.0.1",
        "11025",
    )
    assert env["KAKEHASHI_TOKEN_ISSUER"] == issuer  # `kakehashi token` run with this env
    # identity's published development secret, which it refuses outside development.
    assert env["KAKEHASHI_IDENTITY_KEY_ENCRYPTION_SECRET"] == DEV_KEY_ENCRYPTION_SECRET
    assert "KAKEHASHI_IDENTITY_AUTH_ISSUER" not in env  # identity verifies its own tokens
    # The notification mails link to the portals where they listen.
    assert env["KAKEHASHI_IDENTITY_WEB_CANDIDATES_URL"] == "http://127.0.0.1:18001"


def test_identity_runs_its_api_relay_and_the_consumer_that_mails_notifications() -> None:
    from kakehashi.devtools.supervisor import PROCESSES as ALL

    assert {(p.name, p.subcommand) for p in ALL if p.service == "identity"} == {
        ("identity-api", "api"),
        ("identity-relay", "relay"),
        ("identity-consumer", "consume"),
    }
    assert Ports().metrics["identity-consumer"] == 9108
