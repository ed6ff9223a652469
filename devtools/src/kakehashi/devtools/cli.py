"""`kakehashi dev | broker | token | seed`: commands for running Kakehashi on one machine."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import httpx
import typer

from kakehashi.devtools.broker import start_tansu
from kakehashi.devtools.seed import SeedError
from kakehashi.devtools.seed import seed as seed_market
from kakehashi.devtools.seed_report import pipeline_counts, seed_summary
from kakehashi.devtools.supervisor import READY_TIMEOUT_S, SERVICES, Ports, Supervisor
from kakehashi.shared.auth import Principal, Role, mint_token
from kakehashi.shared.events import ALL_TOPICS
from kakehashi.shared.kafka import ensure_topics
from kakehashi.shared.process import stop_on_signals
from kakehashi.shared.settings import DEV_JWT_SECRET

T = TypeVar("T")
app = typer.Typer(help="Run Kakehashi locally.", no_args_is_help=True)


@app.command()
def dev(
    data_dir: Path = typer.Option(Path("var"), help="where the SQLite databases and logs live"),
    reset: bool = typer.Option(False, help="delete the data directory first"),
    broker_port: int = typer.Option(9092, help="port of the embedded broker"),
    ready_timeout: float = typer.Option(
        READY_TIMEOUT_S,
        envvar="KAKEHASHI_DEV_READY_TIMEOUT_S",
        min=1,
        help="seconds to wait for every API to listen before giving up (and stopping all)",
    ),
) -> None:
    """Start the broker, the three APIs, the relays and the consumers; Ctrl-C stops them all."""
    if reset and data_dir.exists():
        shutil.rmtree(data_dir)
    supervisor = Supervisor(
        data_dir, ports=Ports(broker=broker_port), env=human_logs(os.environ), say=typer.echo
    )
    raise typer.Exit(supervisor.run(ready_timeout))


def human_logs(environ: Mapping[str, str]) -> dict[str, str]:
    """Readable log lines for a person at a terminal, unless LOG_JSON is set for a service."""
    names = (f"KAKEHASHI_{service.upper()}_LOG_JSON" for service in SERVICES)
    return {name: "false" for name in names if name not in environ}


@app.command()
def broker(
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(9092),
) -> None:
    """Run only the embedded broker (Tansu, memory storage) with Kakehashi's topics."""
    process = start_tansu(host, port, quiet=False)
    ensure_topics([f"{host}:{port}"], ALL_TOPICS)
    typer.echo(f"broker listening on {host}:{port}; Ctrl-C stops it")
    stop = stop_on_signals()
    try:
        while not stop.wait(0.5) and process.poll() is None:
            pass
    finally:
        process.terminate()
        process.wait(timeout=10)


@app.command()
def token(
    role: Role = typer.Option(..., help="training_centre, employer, program_manager or admin"),
    org: str = typer.Option(..., help="organisation id the caller belongs to"),
    subject: str = typer.Option("dev-user", help="user id"),
    hours: int = typer.Option(8, min=1, max=24 * 30),
    secret: str = typer.Option(
        DEV_JWT_SECRET, envvar="KAKEHASHI_JWT_SECRET", help="signing secret", show_default=False
    ),
) -> None:
    """Print a signed bearer token for local use."""
    principal = Principal(subject=subject, role=role, organisation_id=org)
    typer.echo(mint_token(principal, secret, ttl=timedelta(hours=hours)))


@app.command()
def seed(
    candidates: int = typer.Option(400, min=0, help="how many candidates to register"),
    job_orders: int = typer.Option(40, min=0, help="how many job orders to post"),
    random_seed: int = typer.Option(7, "--seed", help="same seed, same market"),
    candidates_url: str = typer.Option("http://127.0.0.1:8001"),
    employers_url: str = typer.Option("http://127.0.0.1:8002"),
    matching_url: str = typer.Option("http://127.0.0.1:8003"),
    secret: str = typer.Option(
        DEV_JWT_SECRET, envvar="KAKEHASHI_JWT_SECRET", help="signing secret", show_default=False
    ),
) -> None:
    """Load a realistic demo market through the public APIs of a running system (again: tops up)."""
    urls = {"candidates": candidates_url, "employers": employers_url, "matching": matching_url}
    try:
        report = seed_market(
            urls,
            secret,
            candidates=candidates,
            job_orders=job_orders,
            seed=random_seed,
            progress=_progress,
        )
        counts = pipeline_counts(urls, secret)
    except (SeedError, httpx.TransportError) as error:
        typer.echo(f"seed failed: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(seed_summary(report, counts))


def _progress(items: list[T], label: str) -> Iterator[T]:
    with typer.progressbar(items, label=label, show_pos=True) as bar:
        yield from bar


if __name__ == "__main__":
    app()
