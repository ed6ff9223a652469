"""Use cases on an employer's own profile, one transaction each."""

from __future__ import annotations

from dataclasses import asdict

from kakehashi.employers.adapters.tables import EmployerProfile
from kakehashi.employers.domain.employer import EmployerProfileData, check_profile
from kakehashi.shared.auth import Principal
from kakehashi.shared.clock import utcnow
from kakehashi.shared.unit_of_work import UnitOfWork


def get_profile(uow: UnitOfWork, principal: Principal) -> EmployerProfile | None:
    with uow:
        return uow.session.get(EmployerProfile, principal.organisation_id)


def put_profile(
    uow: UnitOfWork, principal: Principal, profile: EmployerProfileData
) -> EmployerProfile:
    """Create or replace the caller's organisation's profile."""
    check_profile(profile)
    values = asdict(profile)  # enum members are str, stored as their value
    with uow:
        row = uow.session.get(EmployerProfile, principal.organisation_id, with_for_update=True)
        if row is None:
            row = EmployerProfile(
                organisation_id=principal.organisation_id,
                version=0,
                updated_at=utcnow(),
                **values,
            )
        else:
            row.sqlmodel_update(values)
        row.version += 1
        row.updated_at = utcnow()
        uow.session.add(row)
        uow.commit()
    return row
