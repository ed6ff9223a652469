"""`kakehashi dev | broker | token | seed | mail`: commands for running Kakehashi on one machine."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import httpx
import typer

from kakehashi.devtools.broker import broker_storage, start_tansu
from kakehashi.devtools.demo_organisations import ADMIN_EMAIL, DEMO_PASSWORD
from kakehashi.devtools.development_key import (
    DEVELOPMENT_KEY_FILE,
    development_signer,
    development_token,
)
from kakehashi.devtools.mail_catcher import caught
from kakehashi.devtools.seed import SeedError
from kakehashi.devtools.seed import seed as seed_market
from kakehashi.devtools.seed_people import seed_people
from kakehashi.devtools.seed_report import PeopleReport, pipeline_counts, seed_summary
from kakehashi.devtools.supervisor import (
    READY_TIMEOUT_S,
    SERVICES,
    TOKEN_VERIFIERS,
    Ports,
    Supervisor,
)
from kakehashi.shared.auth import DEFAULT_ISSUER, Language, Principal, Role
from kakehashi.shared.events import ALL_TOPICS
from kakehashi.shared.kafka import ensure_topics
from kakehashi.shared.process import stop_on_signals

T = TypeVar("T")
app = typer.Typer(help="Run Kakehashi locally.", no_args_is_help=True)


@app.command()
def dev(
    data_dir: Path = typer.Option(Path("var"), help="where the SQLite databases and logs live"),
    reset: bool = typer.Option(False, help="delete the data directory first"),
    broker_port: int = typer.Option(9092, help="port of the embedded broker"),
    mail_port: int = typer.Option(1025, help="port of the mail catcher identity sends to"),
    ready_timeout: float = typer.Option(
        READY_TIMEOUT_S,
        envvar="KAKEHASHI_DEV_READY_TIMEOUT_S",
        min=1,
        help="seconds to wait for every API to listen before giving up (and stopping all)",
    ),
) -> None:
    """Start the broker, the mail catcher, the four APIs, the relays and the consumers; Ctrl-C
    stops them all."""
    if reset and data_dir.exists():
        shutil.rmtree(data_dir)
    supervisor = Supervisor(
        data_dir,
        ports=Ports(broker=broker_port, mail=mail_port),
        env=human_logs(os.environ) | development_signing(),
        say=typer.echo,
    )
    raise typer.Exit(supervisor.run(ready_timeout))


def human_logs(environ: Mapping[str, str]) -> dict[str, str]:
    """Readable log lines for a person at a terminal, unless LOG_JSON is set for a service."""
    names = (f"KAKEHASHI_{service.upper()}_LOG_JSON" for service in SERVICES)
    return {name: "false" for name in names if name not in environ}


def development_signing() -> dict[str, str]:
    """The console's demo sign-in signs with the development key, which only devtools ships."""
    return {
        f"KAKEHASHI_{service.upper()}_AUTH_DEV_SIGNING_KEY_FILE": str(DEVELOPMENT_KEY_FILE)
        for service in TOKEN_VERIFIERS
    }


@app.command()
def mail(
    data_dir: Path = typer.Option(Path("var"), help="the data directory of `kakehashi dev`"),
    last: int = typer.Option(5, min=1, help="how many of the newest mails to show"),
) -> None:
    """Show the newest mails identity sent (caught by `kakehashi dev`, never delivered)."""
    folder = data_dir / "mail"
    mails = caught(folder) if folder.is_dir() else []
    if not mails:
        typer.echo(f"no mail caught yet in {folder}")
        return
    for item in mails[-last:]:
        typer.echo(f"--- {item.path.with_suffix('.txt')}")
        typer.echo(f"To: {item.to}\nSubject: {item.subject}\n\n{item.body.rstrip()}\n")


@app.command()
def broker(
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(9092),
) -> None:
    """Run only the embedded broker (Tansu; memory storage unless KAKEHASHI_BROKER_STORAGE says
    otherwise) with Kakehashi's topics."""
    process = start_tansu(host, port, quiet=False, storage=broker_storage())
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
    issuer: str = typer.Option(
        DEFAULT_ISSUER,
        envvar="KAKEHASHI_TOKEN_ISSUER",
        help="the tokens' iss: the issuer the services trust (identity's URL under kakehashi dev)",
    ),
) -> None:
    """Print a bearer token signed with the development key (services in development accept
    it; nothing else does)."""
    principal = Principal(subject=subject, role=role, organisation_id=org, language=lang)
    typer.echo(development_token(principal, ttl=timedelta(hours=hours), issuer=issuer))


@app.command()
def seed(
    candidates: int = typer.Option(400, min=0, help="how many candidates to register"),
    job_orders: int = typer.Option(40, min=0, help="how many job orders to post"),
    random_seed: int = typer.Option(7, "--seed", help="same seed, same market"),
    candidates_url: str = typer.Option("http://127.0.0.1:8001"),
    employers_url: str = typer.Option("http://127.0.0.1:8002"),
    matching_url: str = typer.Option("http://127.0.0.1:8003"),
    identity_url: str = typer.Option("http://127.0.0.1:8004"),
    people: bool = typer.Option(
        True, help="register the organisations at identity, each with a demo user"
    ),
    admin_email: str = typer.Option(ADMIN_EMAIL, help="the admin the seed signs in as"),
    admin_password: str = typer.Option(
        DEMO_PASSWORD, envvar="KAKEHASHI_SEED_ADMIN_PASSWORD", help="that admin's password"
    ),
    mail_dir: Path = typer.Option(
        Path("var/mail"), help="the dev mail catcher's folder, where invitations arrive"
    ),
    signing_key: Path | None = typer.Option(
        None,
        envvar="KAKEHASHI_SEED_SIGNING_KEY",
        help="PEM private key to sign with, for a system that trusts another issuer "
        "(default: the development key)",
    ),
    kid: str = typer.Option("seed", envvar="KAKEHASHI_SEED_KID", help="that key's id"),
    issuer: str = typer.Option(
        DEFAULT_ISSUER, envvar="KAKEHASHI_SEED_ISSUER", help="the tokens' iss"
    ),
) -> None:
    """Load a realistic demo market through the public APIs of a running system, and a user
    with a demo password per organisation at identity (again: tops up)."""
    urls = {"candidates": candidates_url, "employers": employers_url, "matching": matching_url}
    sign = development_signer(signing_key, kid=kid, issuer=issuer)
    try:
        made: PeopleReport | None = None
        if people:
            made = seed_people(
                identity_url,
                admin_email=admin_email,
                admin_password=admin_password,
                mail_dir=mail_dir,
                progress=_progress,
            )
        report = seed_market(
            urls,
            sign,
            candidates=candidates,
            job_orders=job_orders,
            seed=random_seed,
            progress=_progress,
        )
        counts = pipeline_counts(urls, sign)
    except (SeedError, httpx.TransportError) as error:
        typer.echo(f"seed failed: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(seed_summary(report, counts, made, identity_url))


def _progress(items: list[T], label: str) -> Iterator[T]:
    with typer.progressbar(items, label=label, show_pos=True) as bar:
        yield from bar


if __name__ == "__main__":
    app()
