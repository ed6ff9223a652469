"""Users and memberships: invitations, roles, deactivation and password resets.

A link is mailed inside the transaction that stores it: if the mail server refuses, nothing is
saved and the admin is told, rather than a link existing that nobody received.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlmodel import Session, col, select

from kakehashi.identity.adapters.mail import Mail
from kakehashi.identity.adapters.tables import Membership, Organisation, User
from kakehashi.identity.domain.commands import (
    AcceptInvitation,
    DeactivateUser,
    InviteUser,
    RemoveMembership,
    RequestPasswordReset,
    ResetPassword,
    SetMembership,
)
from kakehashi.identity.domain.events import (
    ORGANISATION_REGISTERED,
    SOURCE,
    USER_DEACTIVATED,
    USER_MEMBERSHIPS_CHANGED,
    USER_REGISTERED,
    user_data,
)
from kakehashi.identity.domain.model import OPERATOR_NAMES, OrganisationKind, normalise_email
from kakehashi.identity.domain.passwords import check_password
from kakehashi.identity.domain.throttle import Scope
from kakehashi.identity.service_layer import links, organisations, throttles
from kakehashi.identity.service_layer.context import Identity
from kakehashi.identity.service_layer.errors import ConflictError, NotFoundError
from kakehashi.identity.service_layer.links import Purpose
from kakehashi.shared import clock
from kakehashi.shared.events import IDENTITY_EVENTS, EventEnvelope
from kakehashi.shared.unit_of_work import UnitOfWork


def invite(uow: UnitOfWork, identity: Identity, command: InviteUser) -> User:
    """A new user with one membership, and the invitation mailed; `user.registered` is told."""
    now = clock.utcnow()
    user = User(
        id=str(uuid.uuid4()),
        email=command.email.strip(),
        email_normalised=normalise_email(command.email),
        display_name=command.display_name,
        preferred_language=command.language.value,
        active=True,
        version=1,
        created_at=now,
        updated_at=now,
    )
    ttl = timedelta(seconds=identity.settings.invitation_ttl_s)
    with uow:
        if uow.session.get(Organisation, command.organisation_id) is None:
            raise NotFoundError("organisation")
        taken = uow.session.exec(
            select(User).where(User.email_normalised == user.email_normalised)
        ).first()
        if taken is not None:
            raise ConflictError("a user has this email; give them a role instead")
        uow.session.add(user)
        uow.session.flush()
        uow.session.add(
            Membership(
                user_id=user.id,
                organisation_id=command.organisation_id,
                role=command.role.value,
                created_at=now,
            )
        )
        token = links.create(uow.session, user.id, Purpose.INVITATION, ttl)
        _emit(uow, user, USER_REGISTERED)
        links.mail(identity, "invitation", user, token, ttl)
        uow.commit()
    return user


def accept_invitation(uow: UnitOfWork, identity: Identity, command: AcceptInvitation) -> User:
    """The invited user chooses a password (the rules of `domain.passwords`); the link is spent."""
    with uow:
        user = links.redeem(uow.session, command.token, Purpose.INVITATION)
        _set_password(uow.session, identity, user, command.password)
        uow.commit()
    return user


def request_password_reset(
    uow: UnitOfWork, identity: Identity, command: RequestPasswordReset
) -> Mail | None:
    """The reset mail to send, its link saved, if an active user has this email; else None.

    The caller sends it after answering: how long the mail server takes must not tell the
    requester whether the email is known.
    """
    ttl = timedelta(seconds=identity.settings.password_reset_ttl_s)
    with uow:
        user = uow.session.exec(
            select(User).where(User.email_normalised == normalise_email(command.email))
        ).first()
        if user is None or not user.active:
            return None
        now = clock.utcnow()
        session = uow.session
        if throttles.counter(session, Scope.RESET_MAIL, user.email_normalised).locked(now):
            return None  # asked too often: the mails already sent are still valid
        policy = identity.reset_mail_policy()
        throttles.record_failure(session, Scope.RESET_MAIL, user.email_normalised, policy, now)
        token = links.create(session, user.id, Purpose.PASSWORD_RESET, ttl)
        uow.commit()
    return links.compose_mail(identity, "password_reset", user, token, ttl)


def reset_password(uow: UnitOfWork, identity: Identity, command: ResetPassword) -> User:
    """A new password through a reset link; the account's lockout, if any, ends with it."""
    with uow:
        user = links.redeem(uow.session, command.token, Purpose.PASSWORD_RESET)
        _set_password(uow.session, identity, user, command.password)
        throttles.clear(uow.session, Scope.ACCOUNT, user.email_normalised)
        uow.commit()
    return user


def set_membership(uow: UnitOfWork, command: SetMembership) -> User:
    with uow:
        user = _user_for_update(uow.session, command.user_id)
        if uow.session.get(Organisation, command.organisation_id) is None:
            raise NotFoundError("organisation")
        key = (command.user_id, command.organisation_id)
        membership = uow.session.get(Membership, key) or Membership(
            user_id=command.user_id,
            organisation_id=command.organisation_id,
            role=command.role.value,
            created_at=clock.utcnow(),
        )
        membership.role = command.role.value
        uow.session.add(membership)
        _bump(uow, user, USER_MEMBERSHIPS_CHANGED)
        uow.commit()
    return user


def remove_membership(uow: UnitOfWork, command: RemoveMembership) -> User:
    with uow:
        user = _user_for_update(uow.session, command.user_id)
        membership = uow.session.get(Membership, (command.user_id, command.organisation_id))
        if membership is None:
            raise NotFoundError("membership")
        uow.session.delete(membership)
        _bump(uow, user, USER_MEMBERSHIPS_CHANGED)
        uow.commit()
    return user


def deactivate(uow: UnitOfWork, command: DeactivateUser) -> User:
    """No new tokens from now on; tokens already issued lapse within the access-token lifetime.
    Unused links stop working too."""
    with uow:
        user = _user_for_update(uow.session, command.user_id)
        if user.active:
            user.active = False
            links.revoke_all(uow.session, user.id)
            _bump(uow, user, USER_DEACTIVATED)
            uow.commit()
    return user


def get(uow: UnitOfWork, user_id: str) -> tuple[User, list[Membership]]:
    with uow:
        user = uow.session.get(User, user_id)
        if user is None:
            raise NotFoundError("user")
        return user, memberships_of(uow.session, user_id)


def list_all(uow: UnitOfWork, organisation_id: str | None) -> list[tuple[User, list[Membership]]]:
    with uow:
        query = select(User).order_by(col(User.email_normalised))
        if organisation_id is not None:
            query = query.join(Membership).where(Membership.organisation_id == organisation_id)
        users = list(uow.session.exec(query))
        return [(user, memberships_of(uow.session, user.id)) for user in users]


def memberships_of(session: Session, user_id: str) -> list[Membership]:
    query = select(Membership).where(Membership.user_id == user_id)
    return list(session.exec(query.order_by(col(Membership.organisation_id))))


def _set_password(session: Session, identity: Identity, user: User, password: str) -> None:
    check_password(password, user.email)
    user.password_hash = identity.passwords.hash(password)
    user.password_changed_at = user.updated_at = clock.utcnow()
    session.add(user)


def _user_for_update(session: Session, user_id: str) -> User:
    user = session.get(User, user_id, with_for_update=True)
    if user is None:
        raise NotFoundError("user")
    return user


def _bump(uow: UnitOfWork, user: User, event_type: str) -> None:
    user.version += 1
    user.updated_at = clock.utcnow()
    uow.session.add(user)
    uow.session.flush()
    _emit(uow, user, event_type)


def _emit(uow: UnitOfWork, user: User, event_type: str) -> None:
    uow.session.flush()
    pairs = [(m.organisation_id, m.role) for m in memberships_of(uow.session, user.id)]
    data = user_data(
        user.id, user.version, user.display_name, user.preferred_language, user.active, pairs
    )
    uow.emit(
        IDENTITY_EVENTS,
        EventEnvelope.new(type=event_type, source=SOURCE, subject=user.id, data=data),
    )


def create_admin(
    uow: UnitOfWork,
    identity: Identity,
    *,
    email: str,
    display_name: str,
    organisation_id: str,
    password: str,
) -> User:
    """The first admin (from the command line, where there is no admin to invite one): an
    operator organisation if it is missing, and an active user with a password and the admin
    role there."""
    now = clock.utcnow()
    with uow:
        if uow.session.get(Organisation, organisation_id) is None:
            org = Organisation(
                id=organisation_id,
                kind=OrganisationKind.OPERATOR.value,
                name_latin=OPERATOR_NAMES.latin,
                name_vi=OPERATOR_NAMES.vi,
                name_ja=OPERATOR_NAMES.ja,
                version=1,
                created_at=now,
                updated_at=now,
            )
            uow.session.add(org)
            uow.session.flush()
            _emit_organisation(uow, org)
        normalised = normalise_email(email)
        if uow.session.exec(select(User).where(User.email_normalised == normalised)).first():
            raise ConflictError("a user has this email")
        user = User(
            id=str(uuid.uuid4()),
            email=email.strip(),
            email_normalised=normalised,
            display_name=display_name,
            preferred_language="en",
            active=True,
            version=1,
            created_at=now,
            updated_at=now,
        )
        _set_password(uow.session, identity, user, password)
        uow.session.flush()
        uow.session.add(
            Membership(
                user_id=user.id, organisation_id=organisation_id, role="admin", created_at=now
            )
        )
        _emit(uow, user, USER_REGISTERED)
        uow.commit()
    return user


def _emit_organisation(uow: UnitOfWork, org: Organisation) -> None:
    organisations.emit(uow, org, ORGANISATION_REGISTERED)
