"""One CLI per service; every process it runs (api, relay, consume, migrate) is a subcommand."""

from __future__ import annotations

import logging

import typer

from kakehashi.shared.events import dead_letter_topic
from kakehashi.shared.kafka import ensure_topics
from kakehashi.shared.metrics import serve_metrics, watch_readiness
from kakehashi.shared.observability import configure_logging
from kakehashi.shared.process import stop_on_signals
from kakehashi.shared.runtime import Runtime, ServiceSpec

log = logging.getLogger(__name__)


def _start(spec: ServiceSpec) -> Runtime:
    settings = spec.settings_factory()
    configure_logging(spec.name, settings.log_level, settings.log_json)
    runtime = Runtime.build(settings, spec.migrations)
    runtime.migrate()
    return runtime


def _serve_worker_metrics(spec: ServiceSpec, runtime: Runtime, port: int | None) -> None:
    """A relay's or consumer's /metrics on its own port (`--metrics-port`, else the setting)."""
    watch_readiness(spec.name, runtime.readiness_checks())
    serve_metrics(runtime.settings.metrics_host, port or runtime.settings.metrics_port)


METRICS_PORT_HELP = "serve Prometheus metrics on this port (default from settings: off)"


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
        """Serve the HTTP API (migrations are applied first)."""
        import uvicorn  # only the API process loads the web server

        runtime = _start(spec)
        uvicorn.run(
            spec.create_app(runtime),
            host=host or runtime.settings.api_host,
            port=port or runtime.settings.api_port,
            log_config=None,
            access_log=False,
            proxy_headers=True,
            forwarded_allow_ips=runtime.settings.forwarded_allow_ips,
        )

    if spec.produces:

        @app.command()
        def relay(
            metrics_port: int = typer.Option(None, help=METRICS_PORT_HELP),
        ) -> None:
            """Publish outbox rows to Kafka until stopped."""
            runtime = _start(spec)
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

    if spec.consumes:

        @app.command()
        def consume(
            metrics_port: int = typer.Option(None, help=METRICS_PORT_HELP),
        ) -> None:
            """Apply events from Kafka to this service's database until stopped."""
            runtime = _start(spec)
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
            log.info("consumer started", extra={"topics": consumer.topics, "group": group})
            try:
                consumer.run(stop)
            finally:
                consumer.consumer.close()
                consumer.dead_letters.close(timeout=10)

    return app
