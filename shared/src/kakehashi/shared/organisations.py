"""The organisation directory: identity's organisations as every other service knows them, so a
page shows "Trung tâm đào tạo Tây Ninh", not `tc-tay-ninh-01`.

Identity owns organisations and publishes each one's full snapshot on `identity-events`
(`organisation.registered`, `organisation.updated`, with a version). A consuming service keeps
the latest snapshot per organisation in its own `organisation_directory` table, written by the
handlers here, and reads names from it. The read model is the same in every service, so it lives
here once: the table, its migration step, the handlers, the lookup and the choice of the name to
show in a reader's language.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Field as Column
from sqlmodel import Session, SQLModel, col, select

from kakehashi.shared.applier import Handler
from kakehashi.shared.clock import utcnow
from kakehashi.shared.db import UTCDateTime
from kakehashi.shared.events import EventEnvelope
from kakehashi.shared.unit_of_work import UnitOfWork
from kakehashi.shared.versioned import upsert_versioned

# identity's event types (identity keeps its own constants: services share no code).
ORGANISATION_REGISTERED = "organisation.registered"
ORGANISATION_UPDATED = "organisation.updated"
# The other events on identity-events: users are identity's business, read past without a warning.
USER_EVENTS = ("user.registered", "user.memberships_changed", "user.deactivated")


class DirectoryEntry(SQLModel, table=True):
    """The latest snapshot this service has of one of identity's organisations."""

    __tablename__ = "organisation_directory"

    organisation_id: str = Column(primary_key=True, max_length=64)
    version: int
    kind: str = Column(max_length=32)
    name_latin: str = Column(max_length=200)
    name_vi: str | None = Column(default=None, max_length=200)
    name_ja: str | None = Column(default=None, max_length=200)
    province: str | None = Column(default=None, max_length=64)
    prefecture: str | None = Column(default=None, max_length=32)
    updated_at: datetime = Column(sa_type=UTCDateTime)


def create_organisation_tables(op: Any) -> None:  # alembic's `op` proxy module
    """Migration step every service reading identity's organisations runs once."""
    op.create_table(
        "organisation_directory",
        sa.Column("organisation_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name_latin", sa.String(200), nullable=False),
        sa.Column("name_vi", sa.String(200), nullable=True),
        sa.Column("name_ja", sa.String(200), nullable=True),
        sa.Column("province", sa.String(64), nullable=True),
        sa.Column("prefecture", sa.String(32), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def drop_organisation_tables(op: Any) -> None:
    op.drop_table("organisation_directory")


@dataclass(frozen=True)
class OrganisationNames:
    """What an organisation is called: always in Latin script, and in Vietnamese and Japanese
    where identity has those."""

    name_latin: str
    name_vi: str | None = None
    name_ja: str | None = None

    def in_language(self, language: str) -> str:
        """The name a reader of `language` (vi, ja, en) is shown: their script's name, else the
        Latin one, which every reader can at least recognise."""
        own = {"vi": self.name_vi, "ja": self.name_ja}.get(language)
        return own or self.name_latin


def display_name(
    organisation_id: str, names: Mapping[str, OrganisationNames], language: str
) -> str:
    """The organisation's name in `language`, or its id when the directory does not know it
    (yet: the event may still be on its way)."""
    known = names.get(organisation_id)
    return known.in_language(language) if known is not None else organisation_id


def organisation_names(session: Session, ids: Collection[str]) -> dict[str, OrganisationNames]:
    """The names of those of `ids` the directory knows, by id (one query)."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    rows = session.exec(
        select(DirectoryEntry).where(col(DirectoryEntry.organisation_id).in_(wanted))
    ).all()
    return {
        row.organisation_id: OrganisationNames(row.name_latin, row.name_vi, row.name_ja)
        for row in rows
    }


def organisations_of_kind(session: Session, kind: str) -> dict[str, OrganisationNames]:
    """Every organisation of `kind` (`training_centre`, `employer`, ...) the directory knows, by
    id in id order: for choosing one by name (a filter, a form)."""
    rows = session.exec(
        select(DirectoryEntry)
        .where(DirectoryEntry.kind == kind)
        .order_by(col(DirectoryEntry.organisation_id))
    ).all()
    return {
        row.organisation_id: OrganisationNames(row.name_latin, row.name_vi, row.name_ja)
        for row in rows
    }


class OrganisationData(BaseModel):
    """`organisation.registered` and `organisation.updated`: an organisation's full snapshot."""

    model_config = ConfigDict(extra="ignore")

    organisation_id: str = Field(min_length=1, max_length=64)
    version: int = Field(ge=1)
    kind: str = Field(min_length=1, max_length=32)
    name_latin: str = Field(min_length=1, max_length=200)
    name_vi: str | None = Field(default=None, max_length=200)
    name_ja: str | None = Field(default=None, max_length=200)
    province: str | None = Field(default=None, max_length=64)
    prefecture: str | None = Field(default=None, max_length=32)


def organisation_changed(event: EventEnvelope, uow: UnitOfWork) -> None:
    """Keep the newest snapshot: a late or repeated one (version not above ours) changes nothing,
    so `registered` arriving after an `updated` cannot bring an old name back."""
    data = OrganisationData.model_validate(event.data)
    fields = data.model_dump() | {"updated_at": utcnow()}
    upsert_versioned(uow.session, DirectoryEntry, data.organisation_id, fields)


def not_ours(event: EventEnvelope, uow: UnitOfWork) -> None:
    """Identity events the directory reads past: named, so that they are not logged as unknown."""


# What a service consuming identity-events adds to its HANDLERS.
IDENTITY_HANDLERS: dict[str, Handler] = {
    ORGANISATION_REGISTERED: organisation_changed,
    ORGANISATION_UPDATED: organisation_changed,
    **dict.fromkeys(USER_EVENTS, not_ours),
}
