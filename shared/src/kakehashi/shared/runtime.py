"""The pieces a service process is built from, made by factories at start, never at import."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import Engine

from kakehashi.shared.consumer import EventConsumer, Handler
from kakehashi.shared.db import SessionFactory, make_engine, make_session_factory, migrate, ping
from kakehashi.shared.kafka import make_consumer, make_producer
from kakehashi.shared.settings import ServiceSettings
from kakehashi.shared.unit_of_work import UnitOfWork
from kakehashi.shared.web import ReadinessCheck, broker_check


@dataclass
class Runtime:
    """A service's settings with the database handles built from them."""

    settings: ServiceSettings
    engine: Engine
    session_factory: SessionFactory
    migrations: Path

    @classmethod
    def build(cls, settings: ServiceSettings, migrations: Path) -> Runtime:
        engine = make_engine(settings.resolved_database_url)
        return cls(settings, engine, make_session_factory(engine), migrations)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)

    def migrate(self) -> None:
        migrate(self.engine, self.migrations)

    def event_consumer(
        self, group_id: str, topics: list[str], handlers: Mapping[str, Handler]
    ) -> EventConsumer:
        """An idempotent consumer of `topics` for this service, with its dead-letter producer."""
        settings = self.settings
        return EventConsumer(
            group_id=group_id,
            topics=topics,
            handlers=handlers,
            uow_factory=self.uow,
            consumer=make_consumer(settings.bootstrap_servers, group_id),
            dead_letters=make_producer(settings.bootstrap_servers),
            partitions=settings.partitions,
            max_attempts=settings.consumer_max_attempts,
        )

    def readiness_checks(self) -> dict[str, ReadinessCheck]:
        return {
            "database": lambda: ping(self.engine),
            "broker": broker_check(self.settings.bootstrap_servers),
        }


@dataclass(frozen=True)
class ServiceSpec:
    """What the shared CLI needs to know to run one service's processes."""

    name: str
    settings_factory: Callable[[], ServiceSettings]
    migrations: Path
    create_app: Callable[[Runtime], FastAPI]
    # Topics this service publishes to (created by its relay) and, if it consumes, how.
    produces: tuple[str, ...] = ()
    consumer_factory: Callable[[Runtime], EventConsumer] | None = None
    consumes: tuple[str, ...] = ()
