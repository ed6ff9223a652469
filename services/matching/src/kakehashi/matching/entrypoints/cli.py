"""`kakehashi-matching api | consume | relay | migrate | refit-loop | …`."""

import logging

import typer

from kakehashi.matching.bootstrap import MIGRATIONS, SPEC
from kakehashi.matching.config import MatchingSettings
from kakehashi.matching.entrypoints.refit_loop import (
    holder_name,
    learning_settings_of,
    refit_schedule_of,
)
from kakehashi.shared.cli import METRICS_PORT_HELP, service_cli
from kakehashi.shared.metrics import serve_metrics, watch_readiness
from kakehashi.shared.observability import configure_logging
from kakehashi.shared.process import stop_on_signals
from kakehashi.shared.runtime import Runtime

app = service_cli(SPEC)
log = logging.getLogger(__name__)


@app.command("refit-loop")
def refit_loop(metrics_port: int = typer.Option(None, help=METRICS_PORT_HELP)) -> None:
    """Refit the learned ranking when enough new decisions are in and the interval passed
    (`KAKEHASHI_MATCHING_REFIT_*`); the gate alone decides whether a fit replaces the live one."""
    from kakehashi.matching.service_layer import learning_schedule

    settings = MatchingSettings()
    configure_logging(SPEC.name, settings.log_level, settings.log_json)
    runtime = Runtime.build(settings, MIGRATIONS)
    runtime.migrate()
    # Like every worker: its readiness (the database answers) beside its own figures.
    watch_readiness(SPEC.name, runtime.readiness_checks())
    serve_metrics(settings.metrics_host, metrics_port or settings.metrics_port)
    stop = stop_on_signals()
    learning_schedule.run(
        runtime.uow(),
        learning_settings_of(settings),
        refit_schedule_of(settings),
        holder_name(),
        stop,
    )
    log.info("refit loop stopped")


if __name__ == "__main__":
    app()
