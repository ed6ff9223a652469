"""`kakehashi dev | broker | token | seed`: commands for running Kakehashi on one machine."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import typer

from kakehashi.devtools.broker import start_tansu
from kakehashi.devtools.seed import seed as seed_market
from kakehashi.devtools.supervisor import Ports, Supervisor
from kakehashi.shared.auth import Principal, Role, mint_token
from kakehashi.shared.events import ALL_TOPICS
from kakehashi.shared.kafka import ensure_topics
from kakehashi.shared.process import stop_on_signals
from kakehashi.shared.settings import DEV_JWT_SECRET

app = typer.Typer(help="Run Kakehashi locally.", no_args_is_help=True)


@app.command()
def dev(
    data_dir: Path = typer.Option(Path("var"), help="where the SQLite databases live"),
    reset: bool = typer.Option(False, help="delete the data directory first"),
    broker_port: int = typer.Option(9092, help="port of the embedded broker"),
) -> None:
    """Start the broker, the three APIs, the relays and the consumer; Ctrl-C stops them all."""
    if reset and data_dir.exists():
        shutil.rmtree(data_dir)
    raise typer.Exit(Supervisor(data_dir, ports=Ports(broker=broker_port)).run())


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
    secret: str = typer.Option(
        DEV_JWT_SECRET, envvar="KAKEHASHI_JWT_SECRET", help="signing secret", show_default=False
    ),
) -> None:
    """Load a realistic demo market through the public APIs of a running system."""
    report = seed_market(
        candidates_url,
        employers_url,
        secret,
        candidates=candidates,
        job_orders=job_orders,
        seed=random_seed,
    )
    typer.echo(
        f"registered {report.candidates} candidates from {report.training_centres} training "
        f"centres and {report.job_orders} job orders from {report.employers} employers"
    )


if __name__ == "__main__":
    app()
