"""Enrolling a TOTP second factor: a secret to scan, then one code to prove it was scanned."""

from __future__ import annotations

from kakehashi.identity.adapters.crypto import new_totp_secret, totp_step, totp_uri
from kakehashi.identity.adapters.tables import User
from kakehashi.identity.domain.commands import ConfirmTotp
from kakehashi.identity.service_layer import links
from kakehashi.identity.service_layer.context import Identity
from kakehashi.identity.service_layer.errors import ConflictError, NotFoundError
from kakehashi.identity.service_layer.links import Purpose
from kakehashi.shared import clock
from kakehashi.shared.errors import DomainError
from kakehashi.shared.unit_of_work import UnitOfWork


def begin(uow: UnitOfWork, identity: Identity, user_id: str) -> str:
    """A new, unconfirmed secret for the user; its otpauth:// provisioning URI."""
    with uow:
        user = _active_user(uow, user_id)
        if user.totp_confirmed:
            raise ConflictError("a second factor is already set up")
        secret = new_totp_secret()
        user.totp_secret_sealed = identity.sealer.seal(secret.encode(), user.id)
        user.totp_last_step = None
        uow.session.add(user)
        uow.commit()
    return totp_uri(secret, user.email)


def confirm(
    uow: UnitOfWork, identity: Identity, command: ConfirmTotp, enrolment_token: str | None
) -> None:
    """A code from the new secret turns it on; the enrolment link, if one was used, is spent."""
    with uow:
        user = _active_user(uow, command.user_id)
        if user.totp_confirmed:
            raise ConflictError("a second factor is already set up")
        if user.totp_secret_sealed is None:
            raise ConflictError("start the set-up first (POST /me/totp)")
        secret = identity.sealer.open(user.totp_secret_sealed, user.id).decode()
        step = totp_step(secret, command.code, clock.utcnow())
        if step is None:
            raise DomainError("code", "not the current code of the new secret")
        user.totp_confirmed = True
        user.totp_last_step = step
        uow.session.add(user)
        if enrolment_token is not None:
            links.redeem(uow.session, enrolment_token, Purpose.TOTP_ENROLMENT)
        uow.commit()


def enrolling_user(uow: UnitOfWork, enrolment_token: str) -> str:
    """The user an unexpired, unused TOTP-enrolment link names (LinkRefusedError otherwise)."""
    with uow:
        return links.peek(uow.session, enrolment_token, Purpose.TOTP_ENROLMENT).id


def _active_user(uow: UnitOfWork, user_id: str) -> User:
    user = uow.session.get(User, user_id, with_for_update=True)
    if user is None or not user.active:
        raise NotFoundError("user")
    return user
