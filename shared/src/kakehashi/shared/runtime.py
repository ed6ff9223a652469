"""The pieces a service process is built from, made by factories at start, never at import.

A `ServiceSpec` names its API factory and its event handlers by import path: only the process
that needs one imports it, so relays and consumers never load the API stack (routes, templates,
exports, the learned ranking).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from kakehashi.shared.acked_log import AcknowledgedLog
from kakehashi.shared.applier import EventApplier, Handler, Prefetch
from kakehashi.shared.consumer import EventConsumer
from kakehashi.shared.db import SessionFactory, make_engine, make_session_factory, migrate, ping
from kakehashi.shared.kafka import make_consumer, make_producer
from kakehashi.shared.log_watch import LogWatch, recovery_check
from kakehashi.shared.metrics import watch_outbox
from kakehashi.shared.net import ReadinessCheck, broker_check
from kakehashi.shared.outbox import OutboxRelay, outbox_figures
from kakehashi.shared.relay_wakeup import Doorbell, SilentDoorbell, doorbell_for, wakeup_for
from kakehashi.shared.settings import ServiceSettings
from kakehashi.shared.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from fastapi import FastAPI


@dataclass
class Runtime:
    """A service's settings with the database handles built from them."""

    settings: ServiceSettings
    engine: Engine
    session_factory: SessionFactory
    migrations: Path
    # Rung by a unit of work that committed outbox rows: the service's relay wakes at once.
    doorbell: Doorbell = field(default_factory=SilentDoorbell)

    @classmethod
    def build(
        cls, settings: ServiceSettings, migrations: Path, *, replayable: bool = False
    ) -> Runtime:
        """`replayable`: every write of this process can be redone from the broker (a consumer
        stores its positions with what it applied; a relay re-sends rows not marked sent), so
        on PostgreSQL its commits do not wait for the WAL flush (`synchronous_commit=off`). A
        crash of the database may lose its last fraction of a second of commits, all together
        with their positions, and they are applied again; never an API's, whose 201 is a
        promise. A transaction that writes outbox rows still waits (`durable_outbox`): its
        event may be published at once, so it must not be lost and made anew."""
        engine = make_engine(settings.resolved_database_url, **_commit_options(replayable))
        doorbell = doorbell_for(engine, settings.relay_wake_socket)
        return cls(settings, engine, make_session_factory(engine), migrations, doorbell)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, self.doorbell)

    def migrate(self) -> None:
        migrate(self.engine, self.migrations)

    def readiness_checks(self) -> dict[str, ReadinessCheck]:
        return {
            "database": lambda: ping(self.engine),
            "broker": broker_check(self.settings.bootstrap_servers),
            "consumer": recovery_check(self.engine),
        }


def _commit_options(replayable: bool) -> dict[str, Any]:
    if not replayable:
        return {}
    return {"connect_args": {"options": "-c synchronous_commit=off"}, "durable_outbox": True}


def resolve(path: str) -> Any:
    """The object an import path `package.module:attribute` names, importing the module now."""
    module, _, attribute = path.partition(":")
    if not attribute:
        raise ValueError(f"{path!r} is not of the form 'package.module:attribute'")
    return getattr(importlib.import_module(module), attribute)


@dataclass(frozen=True)
class ServiceSpec:
    """Everything the shared CLI needs to run one service's processes.

    `name` is also the consumer group (and so the dead-letter topic's stem). `app` and
    `handlers` are import paths (`package.module:attribute`), resolved when a process needs them.
    """

    name: str
    settings_factory: Callable[[], ServiceSettings]
    migrations: Path
    app: str  # the API factory, `(Runtime) -> FastAPI`
    # Topics this service publishes to (created by its relay) and the ones it consumes.
    produces: tuple[str, ...] = ()
    consumes: tuple[str, ...] = ()
    handlers: str | None = None  # the `{event type: handler}` registry, needed when consuming
    # Optional: `(events, uow) -> None`, reading ahead what a batch's handlers need (applier.py).
    prefetch: str | None = None
    # Tables filled only from consumed events: `rebuild` empties them and replays the logs.
    read_model: tuple[str, ...] = ()
    # Work the consumer process does beside consuming (e.g. identity's notification mails): an
    # import path to `(Runtime) -> loop`, where the loop runs until the event it is given is set.
    beside_consumer: str | None = None

    def __post_init__(self) -> None:
        if self.consumes and self.handlers is None:
            raise ValueError(f"{self.name} consumes {self.consumes} but names no handlers")

    def create_app(self, runtime: Runtime) -> FastAPI:
        """The service's API on `runtime` (imports the API stack)."""
        factory: Callable[[Runtime], FastAPI] = resolve(self.app)
        return factory(runtime)

    def consumer_companion(self, runtime: Runtime) -> Callable[[threading.Event], None] | None:
        """The loop to run beside the consumer, on `runtime`, or None."""
        if self.beside_consumer is None:
            return None
        factory: Callable[[Runtime], Callable[[threading.Event], None]]
        factory = resolve(self.beside_consumer)
        return factory(runtime)

    def event_handlers(self) -> Mapping[str, Handler]:
        """The service's handlers by event type (empty for a service that consumes nothing)."""
        if self.handlers is None:
            return {}
        registry: Mapping[str, Handler] = resolve(self.handlers)
        return registry

    def applier(self, runtime: Runtime) -> EventApplier:
        """The service's event applier (inbox, handlers, positions) on `runtime`'s database."""
        prefetch: Prefetch | None = None if self.prefetch is None else resolve(self.prefetch)
        return EventApplier(self.name, self.event_handlers(), runtime.uow, prefetch)

    def consumer(self, runtime: Runtime) -> EventConsumer:
        """The Kafka loop over the consumed topics, with its consumer and dead-letter producer."""
        settings = runtime.settings
        return EventConsumer(
            applier=self.applier(runtime),
            topics=list(self.consumes),
            consumer=make_consumer(settings.bootstrap_servers, self.name),
            dead_letters=make_producer(settings.bootstrap_servers),
            partitions=settings.partitions,
            max_attempts=settings.consumer_max_attempts,
            watch=LogWatch(self.name, runtime.uow, settings.partitions),
            reconnect=lambda: make_consumer(settings.bootstrap_servers, self.name),
        )

    def relay(self, runtime: Runtime) -> OutboxRelay:
        """The outbox relay of `runtime`'s database, with its producer (the caller closes it)."""
        settings = runtime.settings
        producer = make_producer(settings.bootstrap_servers)
        watch_outbox(self.name, lambda: outbox_figures(runtime.session_factory))
        return OutboxRelay(
            runtime.session_factory,
            producer,
            batch_size=settings.relay_batch_size,
            wakeup=wakeup_for(runtime.engine, settings.relay_wake_socket),
            idle_first_s=settings.relay_poll_interval_s,
            idle_max_s=settings.relay_idle_max_s,
            service=self.name,
            acked=AcknowledgedLog(settings.bootstrap_servers),
        )
