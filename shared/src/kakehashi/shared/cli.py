"""One CLI per service; every process it runs (api, relay, consume, migrate) is a subcommand."""

from __future__ import annotations

import contextlib
import getpass
import logging
import math
import os
import tempfile
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from kakehashi.shared import recovery
from kakehashi.shared.dead_letters import (
    DeadLetter,
    DeadLetterError,
    DeadLetters,
    service_dead_letters,
)
from kakehashi.shared.events import dead_letter_topic
from kakehashi.shared.kafka import ensure_topics, make_producer
from kakehashi.shared.metrics import serve_metrics, watch_readiness
from kakehashi.shared.observability import configure_logging
from kakehashi.shared.process import stop_on_signals
from kakehashi.shared.runtime import Runtime, ServiceSpec, resolve
from kakehashi.shared.settings import ServiceSettings
from kakehashi.shared.tracing import configure_tracing

if TYPE_CHECKING:
    from fastapi import FastAPI

log = logging.getLogger(__name__)

# How an API worker process (started by uvicorn, not by this CLI) finds its service's spec.
WORKER_SPEC_ENV = "KAKEHASHI_API_WORKER_SPEC"
# prometheus_client's multiprocess mode: each worker's counters in files of this folder, so
# /metrics sums every worker's whichever one answers the scrape.
PROMETHEUS_MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# How long uvicorn waits for a worker to answer its health ping before killing and replacing it
# (uvicorn's default is 5 s). A worker importing the API stack on a busy machine took longer,
# so every worker was killed while starting, again and again.
WORKER_HEALTHCHECK_S = 60


def _start(spec: ServiceSpec, process: str | None = None, *, replayable: bool = False) -> Runtime:
    """Settings, logs and the migrated database of a command; a long-running `process` (api,
    relay, consumer) also exports its traces when an OTLP endpoint is configured."""
    settings = spec.settings_factory()
    configure_logging(spec.name, settings.log_level, settings.log_json)
    if process is not None:
        configure_tracing(settings, f"{spec.name}-{process}")
    runtime = Runtime.build(settings, spec.migrations, replayable=replayable)
    runtime.migrate()
    return runtime


def _serve_worker_metrics(spec: ServiceSpec, runtime: Runtime, port: int | None) -> None:
    """A relay's or consumer's /metrics on its own port (`--metrics-port`, else the setting)."""
    watch_readiness(spec.name, runtime.readiness_checks())
    serve_metrics(runtime.settings.metrics_host, port or runtime.settings.metrics_port)


METRICS_PORT_HELP = "serve Prometheus metrics on this port (default from settings: off)"
COMPANION_STOP_S = 30.0  # how long a stopping consumer waits for the loop beside it


def _start_companion(
    spec: ServiceSpec, runtime: Runtime, stop: threading.Event
) -> threading.Thread | None:
    """The service's loop beside its consumer (`ServiceSpec.beside_consumer`), started in a
    thread that stops with the consumer."""
    loop = spec.consumer_companion(runtime)
    if loop is None:
        return None
    thread = threading.Thread(target=loop, args=(stop,), name=f"{spec.name}-beside-consumer")
    thread.start()
    return thread


def service_cli(spec: ServiceSpec) -> typer.Typer:
    """Build the typer app `kakehashi-<service>` with the subcommands this service needs."""
    app = typer.Typer(help=f"Kakehashi {spec.name} service.", no_args_is_help=True)

    @app.command()
    def migrate() -> None:
        """Apply database migrations and exit."""
        _start(spec)

    @app.command()
    def api(
        host: str = typer.Option(None, help="bind address (default from settings)"),
        port: int = typer.Option(None, help="port (default from settings)"),
    ) -> None:
        """Serve the HTTP API (migrations are applied first); `api_workers` processes of it."""
        import uvicorn  # only the API process loads the web server

        runtime = _start(spec, "api")
        settings = runtime.settings
        options = {
            "host": host or settings.api_host,
            "port": port or settings.api_port,
            "log_config": None,
            "access_log": False,
            "proxy_headers": True,
            "forwarded_allow_ips": settings.forwarded_allow_ips,
        }
        if settings.api_workers == 1:
            uvicorn.run(spec.create_app(runtime), **options)  # type: ignore[arg-type]
            return
        runtime.engine.dispose()  # each worker opens its own pool
        os.environ[WORKER_SPEC_ENV] = _spec_path(spec)
        with tempfile.TemporaryDirectory(prefix=f"kakehashi-{spec.name}-metrics-") as folder:
            os.environ.setdefault(PROMETHEUS_MULTIPROC_ENV, folder)
            log.info("starting API workers", extra={"workers": settings.api_workers})
            uvicorn.run(
                f"{__name__}:worker_app",
                factory=True,
                workers=settings.api_workers,
                timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
                **options,  # type: ignore[arg-type]
            )

    if spec.produces:

        @app.command()
        def relay(
            metrics_port: int = typer.Option(None, help=METRICS_PORT_HELP),
        ) -> None:
            """Publish outbox rows to Kafka until stopped."""
            runtime = _start(spec, "relay", replayable=True)
            servers = runtime.settings.bootstrap_servers
            partitions = runtime.settings.kafka_topic_partitions
            ensure_topics(servers, spec.produces, partitions)
            outbox_relay = spec.relay(runtime)
            _serve_worker_metrics(spec, runtime, metrics_port)
            stop = stop_on_signals()
            log.info("relay started", extra={"topics": list(spec.produces)})
            try:
                outbox_relay.run(
                    stop,
                    poll_interval_s=runtime.settings.relay_poll_interval_s,
                    on_failure=lambda: ensure_topics(servers, spec.produces, partitions),
                )
            finally:
                outbox_relay.producer.close(timeout=10)
                if outbox_relay.acked is not None:
                    outbox_relay.acked.close()

        @app.command()
        def republish(
            since: str = typer.Option("", help="only events created at or after (ISO 8601)"),
            from_event: str = typer.Option("", "--from-event", help="from this event id on"),
        ) -> None:
            """Re-send the outbox's sent events after a broker lost them (consumers skip repeats)."""
            moment = _moment(since) if since else None
            runtime = _start(spec)
            ensure_topics(
                runtime.settings.bootstrap_servers,
                spec.produces,
                runtime.settings.kafka_topic_partitions,
            )
            producer = make_producer(runtime.settings.bootstrap_servers)
            try:
                with _progress() as (progress, task):
                    sent = recovery.republish(
                        runtime.session_factory,
                        producer,
                        since=moment,
                        from_event=from_event or None,
                        on_progress=lambda done, total: progress.update(
                            task, completed=done, total=total
                        ),
                    )
            except recovery.RecoveryError as error:
                typer.echo(str(error), err=True)
                raise typer.Exit(1) from None
            finally:
                producer.close(timeout=10)
            typer.echo(f"{sent} event(s) republished to {', '.join(spec.produces)}")

    if spec.consumes:

        @app.command()
        def consume(
            metrics_port: int = typer.Option(None, help=METRICS_PORT_HELP),
        ) -> None:
            """Apply events from Kafka to this service's database until stopped."""
            runtime = _start(spec, "consumer", replayable=True)
            settings = runtime.settings
            group = spec.name
            ensure_topics(
                settings.bootstrap_servers,
                [*spec.consumes, dead_letter_topic(group)],
                settings.kafka_topic_partitions,
            )
            consumer = spec.consumer(runtime)
            _serve_worker_metrics(spec, runtime, metrics_port)
            stop = stop_on_signals()
            companion = _start_companion(spec, runtime, stop)
            log.info("consumer started", extra={"topics": consumer.topics, "group": group})
            try:
                consumer.run(stop)
            finally:
                stop.set()
                if companion is not None:
                    companion.join(timeout=COMPANION_STOP_S)
                consumer.consumer.close()
                consumer.dead_letters.close(timeout=10)

        app.add_typer(dead_letters_cli(spec), name="dead-letters")

    if spec.read_model:

        @app.command()
        def rebuild(
            expect: list[str] = typer.Option(
                [], "--expect", help="TABLE=COUNT the producers hold (repeatable)"
            ),
            yes: bool = typer.Option(False, "--yes", help="confirm: the read model is emptied"),
        ) -> None:
            """Empty the read model and refill it from every consumed topic, from the start.

            Stop this service's `consume` process first; restart it (and the API) afterwards."""
            expected = _expectations(expect, spec.read_model)
            if not yes:
                raise typer.BadParameter("the read model is emptied first: confirm with --yes")
            runtime = _start(spec)
            settings = runtime.settings
            ensure_topics(
                settings.bootstrap_servers, spec.consumes, settings.kafka_topic_partitions
            )
            consumer = spec.consumer(runtime)
            try:
                with _progress() as (progress, task):
                    handled = recovery.rebuild_read_model(
                        consumer,
                        spec.read_model,
                        on_progress=lambda done, total: progress.update(
                            task, completed=done, total=max(total, done)
                        ),
                    )
            except recovery.RecoveryError as error:
                typer.echo(str(error), err=True)
                raise typer.Exit(1) from None
            finally:
                consumer.consumer.close()
                consumer.dead_letters.close(timeout=10)
            counts = recovery.table_counts(runtime.uow, spec.read_model)
            typer.echo(f"{handled} record(s) read from {', '.join(spec.consumes)}")
            wrong = False
            for table, count in counts.items():
                want = expected.get(table)
                verdict = "" if want is None else (" ok" if want == count else f" != {want}")
                wrong = wrong or (want is not None and want != count)
                typer.echo(f"{table}: {count}{verdict}")
            if wrong:
                typer.echo("the rebuilt counts differ from the producers'", err=True)
                raise typer.Exit(1)

    return app


def _spec_path(spec: ServiceSpec) -> str:
    """The import path of `spec` (every service's bootstrap.py names it SPEC)."""
    path = f"kakehashi.{spec.name}.bootstrap:SPEC"
    if resolve(path) is not spec:
        raise RuntimeError(f"{path} is not the spec being served: cannot start API workers")
    return path


def worker_app() -> FastAPI:
    """One API worker's app (uvicorn calls this in each worker process it starts).

    The parent applied the migrations. Each worker keeps its own pool, token-key cache and
    write-limit buckets: the per-caller write rate is shared out between the workers, since the
    kernel hands a caller's connections to any of them."""
    spec: ServiceSpec = resolve(os.environ[WORKER_SPEC_ENV])
    settings = spec.settings_factory()
    configure_logging(spec.name, settings.log_level, settings.log_json)
    configure_tracing(settings, f"{spec.name}-api")
    runtime = Runtime.build(worker_share(settings), spec.migrations)
    return spec.create_app(runtime)


def worker_share(settings: ServiceSettings) -> ServiceSettings:
    """`settings` for one of `api_workers` workers: the write limit (per minute and burst)
    divided between them, rounded up, so a caller spread over every worker gets about the
    configured rate in all."""
    workers, rate = settings.api_workers, settings.write_rate
    if workers == 1 or rate == 0:
        return settings
    share = {
        "writes_per_minute": math.ceil(rate / workers),
        "write_burst": math.ceil(settings.write_burst / workers),
    }
    return settings.model_copy(update=share)


def _expectations(pairs: list[str], tables: tuple[str, ...]) -> dict[str, int]:
    """`TABLE=COUNT` options as a dict (BadParameter naming the option when malformed)."""
    expected = {}
    for pair in pairs:
        table, _, count = pair.partition("=")
        if table not in tables or not count.isdigit():
            raise typer.BadParameter(
                f"{pair!r}: give TABLE=COUNT with TABLE one of {', '.join(tables)}",
                param_hint="--expect",
            )
        expected[table] = int(count)
    return expected


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter("give an ISO 8601 time, e.g. 2026-11-30T08:00:00+00:00") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@contextlib.contextmanager
def _progress() -> Iterator[tuple[Progress, TaskID]]:
    """A progress bar on stderr: (done / total, elapsed)."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=Console(stderr=True)) as progress:
        yield progress, progress.add_task("events", total=None)


def dead_letters_cli(spec: ServiceSpec) -> typer.Typer:
    """`dead-letters list | show | replay | discard`: the group's dead-letter topic, acted on."""
    app = typer.Typer(help=f"Dead letters of the {spec.name} consumer.", no_args_is_help=True)
    by = typer.Option(getpass.getuser(), "--by", help="who acts (recorded in the audit)")

    def open_letters() -> DeadLetters:
        return service_dead_letters(spec, _start(spec))

    @app.command("list")
    def list_() -> None:
        """Dead letters not replayed nor discarded: ref, time, type, subject, origin, error."""
        pending = open_letters().pending()
        for r in pending:
            origin = f"{r.original_topic}/{r.original_partition}@{r.original_offset}"
            typer.echo(
                f"{r.ref}\t{r.failed_at}\t{r.event_type}\t{r.subject}\t{origin}\t"
                f"{r.error_type}: {r.error}"
            )
        typer.echo(
            f"{len(pending)} pending dead letter(s) in {dead_letter_topic(spec.name)}", err=True
        )

    @app.command()
    def show(ref: str = typer.Argument(help="PARTITION:OFFSET, as `list` shows")) -> None:
        """One dead letter: where it came from, its envelope and the traceback."""
        record = _found(open_letters(), ref)
        typer.echo(
            f"origin: {record.original_topic}/{record.original_partition}@{record.original_offset}"
        )
        typer.echo(f"failed at: {record.failed_at} ({record.consumer_group})")
        typer.echo(f"error: {record.error_type}: {record.error}")
        typer.echo(record.envelope_json)
        typer.echo(record.traceback)

    @app.command()
    def replay(
        ref: str = typer.Argument("", help="PARTITION:OFFSET (omit with --all)"),
        all_: bool = typer.Option(False, "--all", help="replay every pending dead letter"),
        who: str = by,
    ) -> None:
        """Apply the event(s) through this service's applier, after a fix (idempotent)."""
        letters = open_letters()
        if all_ == bool(ref):
            raise typer.BadParameter("give PARTITION:OFFSET, or --all")
        if ref:
            try:
                outcome = letters.replay(ref, who)
            except DeadLetterError as error:
                raise typer.BadParameter(str(error), param_hint="REF") from None
            except Exception as error:
                typer.echo(f"{ref} failed again: {type(error).__name__}: {error}", err=True)
                raise typer.Exit(1) from None
            typer.echo(f"{ref} replayed: {'applied' if outcome.applied else 'applied before'}")
            return
        done, failed = letters.replay_all(who)
        for record, why in failed:
            typer.echo(f"{record.ref} failed again: {why}", err=True)
        typer.echo(f"{len(done)} replayed, {len(failed)} still pending")
        if failed:
            raise typer.Exit(1)

    @app.command()
    def discard(
        ref: str = typer.Argument(help="PARTITION:OFFSET"),
        reason: str = typer.Option(..., "--reason", help="why (recorded in the audit)"),
        who: str = by,
    ) -> None:
        """Mark a dead letter discarded, with who and why; its event is never applied."""
        letters = open_letters()
        try:
            letters.discard(ref, who, reason)
        except DeadLetterError as error:
            raise typer.BadParameter(str(error)) from None
        typer.echo(f"{ref} discarded")

    return app


def _found(letters: DeadLetters, ref: str) -> DeadLetter:
    try:
        return letters.find(ref)
    except DeadLetterError as error:
        raise typer.BadParameter(str(error), param_hint="REF") from None
