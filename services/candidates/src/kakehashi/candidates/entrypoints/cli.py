"""`kakehashi-candidates api | relay | migrate | import`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kakehashi.candidates.adapters.import_tables import ImportJob
from kakehashi.candidates.bootstrap import SPEC
from kakehashi.candidates.entrypoints.import_rows import checked_format, command_of_row
from kakehashi.candidates.service_layer import imports
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.cli import service_cli
from kakehashi.shared.errors import DomainError
from kakehashi.shared.observability import configure_logging
from kakehashi.shared.runtime import Runtime

app = service_cli(SPEC)


@app.command("import")
def import_file(
    file: Path | None = typer.Argument(None, exists=True, dir_okay=False, help=".csv or .xlsx"),
    centre: str = typer.Option("", "--centre", help="organisation id of the training centre"),
    resume: str = typer.Option("", "--resume", help="finish an interrupted job by its id"),
    by: str = typer.Option("cli", help="who is importing (recorded in the audit log)"),
) -> None:
    """Import candidates from a filled-in template, as the centre, with a progress bar."""
    if (file is None) == (not resume) or (file is not None and not centre):
        raise typer.BadParameter("give FILE with --centre, or --resume JOB_ID")
    settings = SPEC.settings_factory()
    configure_logging(SPEC.name, settings.log_level, settings.log_json)
    runtime = Runtime.build(settings, SPEC.migrations)
    runtime.migrate()
    console = Console(stderr=True)
    if file is not None:
        content = file.read_bytes()
        try:
            file_format = checked_format(file.name, content)
        except DomainError as error:
            raise typer.BadParameter(error.message, param_hint="FILE") from None
        principal = Principal(subject=by, role=Role.TRAINING_CENTRE, organisation_id=centre)
        job_id = imports.create_job(runtime.uow(), principal, file.name, file_format, content).id
    else:
        job_id = resume
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=console) as progress:
        task = progress.add_task("importing", total=None)

        def show(job: ImportJob) -> None:
            progress.update(task, total=job.total, completed=job.processed)

        job = imports.run_import(runtime.uow, job_id, command_of_row, on_progress=show)
    runtime.engine.dispose()
    console.print(
        f"job {job.id}: {job.created} registered, {job.duplicates} already registered, "
        f"{job.failed} failed, of {job.total}"
    )
    if job.duplicates or job.failed:
        console.print(f"failed rows: GET /imports/{job.id}/failures.csv")


if __name__ == "__main__":
    app()
