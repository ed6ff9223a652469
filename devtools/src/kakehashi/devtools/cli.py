"""`kakehashi dev | broker | token | seed`: commands for running Kakehashi on one machine."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import typer

from kakehashi.devtools.broker import start_tansu
from kakehashi.devtools.development_key import DEVELOPMENT_KEY_FILE, development_token
from kakehashi.devtools.seed import seed as seed_market
from kakehashi.devtools.supervisor import SERVICES, Ports, Supervisor
from kakehashi.shared.auth import Language, Principal, Role
from kakehashi.shared.events import ALL_TOPICS
from kakehashi.shared.kafka import ensure_topics
from kakehashi.shared.process import stop_on_signals

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
    # The console's demo sign-in signs with the development key, which only devtools ships.
    env = {
        f"KAKEHASHI_{service.upper()}_AUTH_DEV_SIGNING_KEY_FILE": str(DEVELOPMENT_KEY_FILE)
        for service in SERVICES
    }
    raise typer.Exit(Supervisor(data_dir, ports=Ports(broker=broker_port), env=env).run())


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
    lang: Language | None = typer.Option(None, help="preferred language: vi, ja or en"),
) -> None:
    """Print a bearer token signed with the development key (services in development accept
    it; nothing else does)."""
    principal = Principal(subject=subject, role=role, organisation_id=org, language=lang)
    typer.echo(development_token(principal, ttl=timedelta(hours=hours)))


@app.command()
def seed(
    candidates: int = typer.Option(400, min=0, help="how many candidates to register"),
    job_orders: int = typer.Option(40, min=0, help="how many job orders to post"),
    random_seed: int = typer.Option(7, "--seed", help="same seed, same market"),
    candidates_url: str = typer.Option("http://127.0.0.1:8001"),
    employers_url: str = typer.Option("http://127.0.0.1:8002"),
) -> None:
    """Load a realistic demo market through the public APIs of a running system."""
    report = seed_market(
        candidates_url,
        employers_url,
        development_token,
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
