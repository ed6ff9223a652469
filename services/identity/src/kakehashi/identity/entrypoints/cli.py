"""`kakehashi-identity api | relay | consume | send-digests | migrate | add-admin`.

`consume` is the shared consumer; its process also mails the notifications the events give
(`SPEC.beside_consumer`; docs/operations.md, "Notification mails")."""

from __future__ import annotations

import typer

from kakehashi.identity.adapters.mail import SmtpMailer
from kakehashi.identity.bootstrap import SPEC
from kakehashi.identity.config import IdentitySettings
from kakehashi.identity.service_layer import notifications, users
from kakehashi.identity.service_layer.context import Identity
from kakehashi.identity.service_layer.errors import ConflictError
from kakehashi.identity.service_layer.notifications import Links
from kakehashi.shared.cli import service_cli
from kakehashi.shared.errors import DomainError
from kakehashi.shared.runtime import Runtime

app = service_cli(SPEC)


@app.command("send-digests")
def send_digests(
    now: bool = typer.Option(
        False, "--now", help="send every pending digest now, whatever the digest hour"
    ),
) -> None:
    """Mail the daily digests that are due (for cron; the consumer also sends them)."""
    settings = IdentitySettings()
    runtime = Runtime.build(settings, SPEC.migrations)
    runtime.migrate()
    try:
        sent = notifications.send_digests(
            runtime.uow,
            SmtpMailer(settings),
            Links.of(settings.web_urls),
            hour_utc=settings.notify_digest_hour_utc,
            on_schedule=not now,
        )
    finally:
        runtime.engine.dispose()
    typer.echo(f"{sent} digest(s) sent")


@app.command("add-admin")
def add_admin(
    email: str,
    name: str = typer.Option(..., help="display name"),
    organisation: str = typer.Option("kakehashi-operator", help="operator organisation id"),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
    if_missing: bool = typer.Option(
        False, help="a user with this email already there is success, left as it is (kakehashi dev)"
    ),
) -> None:
    """Create an admin with a password (the first one: nobody can invite them)."""
    settings = IdentitySettings()
    runtime = Runtime.build(settings, SPEC.migrations)
    runtime.migrate()
    identity = Identity.build(settings)
    try:
        user = users.create_admin(
            runtime.uow(),
            identity,
            email=email,
            display_name=name,
            organisation_id=organisation,
            password=password,
        )
    except DomainError as refused:
        typer.echo(f"refused: {refused.field}: {refused.message}", err=True)
        raise typer.Exit(2) from None
    except ConflictError as refused:
        if if_missing:
            typer.echo(f"{email} is already there; left as it is")
            return
        typer.echo(f"refused: {refused.message}", err=True)
        raise typer.Exit(2) from None
    finally:
        runtime.engine.dispose()
    typer.echo(f"admin {user.email} ({user.id}) in {organisation}")


if __name__ == "__main__":
    app()
