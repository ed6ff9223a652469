"""`kakehashi dev` gives every relay and consumer a metrics port of its own and names them all."""

from __future__ import annotations

from pathlib import Path

import pytest

from kakehashi.devtools.supervisor import PROCESSES, Ports, Supervisor


def test_each_worker_gets_a_distinct_metrics_port_on_its_command_line(tmp_path: Path) -> None:
    supervisor = Supervisor(tmp_path)
    workers = [p for p in PROCESSES if p.subcommand != "api"]
    ports = [supervisor.ports.metrics[p.name] for p in workers]
    assert len(set(ports)) == len(workers) == 9
    apis = set(Ports().apis.values())
    assert not (set(ports) & (apis | {Ports().broker, Ports().mail}))
    for process in PROCESSES:
        command = supervisor._command(process)
        flags = [arg for arg in command if arg.startswith("--metrics-port")]
        if process.subcommand == "api":
            assert flags == []  # the API serves /metrics on its own port
        else:
            assert flags == [f"--metrics-port={supervisor.ports.metrics[process.name]}"]


def test_the_banner_lists_every_processs_metrics(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    supervisor = Supervisor(tmp_path)
    supervisor._print_banner()
    banner = capsys.readouterr().out
    for process in PROCESSES:
        assert process.name in banner
    assert "http://127.0.0.1:8003/metrics" in banner
    assert f"http://127.0.0.1:{supervisor.ports.metrics['matching-consumer']}/metrics" in banner
