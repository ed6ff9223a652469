"""Registering and changing organisations; each change is told on `identity-events`."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from sqlmodel import col, select

from kakehashi.identity.adapters.mapping import profile_of, write_profile
from kakehashi.identity.adapters.tables import Organisation
from kakehashi.identity.domain.commands import RegisterOrganisation, UpdateOrganisation
from kakehashi.identity.domain.events import (
    ORGANISATION_REGISTERED,
    ORGANISATION_UPDATED,
    SOURCE,
    organisation_data,
)
from kakehashi.identity.domain.model import OPERATOR_NAMES, OrganisationKind, check_profile
from kakehashi.identity.service_layer.errors import ConflictError, NotFoundError
from kakehashi.shared import clock
from kakehashi.shared.events import IDENTITY_EVENTS, EventEnvelope
from kakehashi.shared.organisations import OrganisationNames
from kakehashi.shared.unit_of_work import UnitOfWork


def register(uow: UnitOfWork, command: RegisterOrganisation) -> Organisation:
    check_profile(command.profile)
    now = clock.utcnow()
    row = Organisation(
        id=command.organisation_id,
        kind=command.profile.kind.value,
        name_latin=command.profile.name_latin,
        version=1,
        created_at=now,
        updated_at=now,
    )
    write_profile(row, command.profile)
    with uow:
        if uow.session.get(Organisation, command.organisation_id) is not None:
            raise ConflictError("an organisation with this id exists")
        uow.session.add(row)
        emit(uow, row, ORGANISATION_REGISTERED)
        uow.commit()
    return row


def update(uow: UnitOfWork, command: UpdateOrganisation) -> Organisation:
    with uow:
        row = uow.session.get(Organisation, command.organisation_id, with_for_update=True)
        if row is None:
            raise NotFoundError("organisation")
        profile = replace(profile_of(row), **command.changes)
        check_profile(profile)
        write_profile(row, profile)
        row.version += 1
        row.updated_at = clock.utcnow()
        uow.session.add(row)
        emit(uow, row, ORGANISATION_UPDATED)
        uow.commit()
    return row


def get(uow: UnitOfWork, organisation_id: str) -> Organisation:
    with uow:
        row = uow.session.get(Organisation, organisation_id)
    if row is None:
        raise NotFoundError("organisation")
    return row


def list_all(uow: UnitOfWork, kind: OrganisationKind | None) -> list[Organisation]:
    with uow:
        query = select(Organisation).order_by(col(Organisation.id))
        if kind is not None:
            query = query.where(Organisation.kind == kind.value)
        return list(uow.session.exec(query))


def names(uow: UnitOfWork, ids: Collection[str]) -> dict[str, OrganisationNames]:
    """The names of those of `ids` that are organisations here (identity's pages show them as
    the other services show theirs, from the directory)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    with uow:
        rows = uow.session.exec(select(Organisation).where(col(Organisation.id).in_(wanted)))
        return {row.id: _names_of(row) for row in rows}


def _names_of(row: Organisation) -> OrganisationNames:
    """An operator organisation `add-admin` created before it named them was named by its id
    (kakehashi-operator): it reads as the operator's names until an admin gives it others."""
    if row.kind == OrganisationKind.OPERATOR.value and row.name_latin == row.id:
        return OrganisationNames(OPERATOR_NAMES.latin, OPERATOR_NAMES.vi, OPERATOR_NAMES.ja)
    return OrganisationNames(row.name_latin, row.name_vi, row.name_ja)


def emit(uow: UnitOfWork, row: Organisation, event_type: str) -> None:
    data = organisation_data(row.id, row.version, profile_of(row))
    uow.emit(
        IDENTITY_EVENTS,
        EventEnvelope.new(type=event_type, source=SOURCE, subject=row.id, data=data),
    )
