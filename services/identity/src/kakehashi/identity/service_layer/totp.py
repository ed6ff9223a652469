"""The TOTP second factor: a secret to scan, one code to prove it was scanned, recovery codes
for a lost phone (shown once, stored as SHA-256, each used once), and an admin's reset. Every
change is written to the account audit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, func, select

from kakehashi.identity.adapters.crypto import (
    hash_recovery_code,
    new_recovery_codes,
    new_totp_secret,
    totp_step,
    totp_uri,
)
from kakehashi.identity.adapters.tables import AccountAudit, RecoveryCode, User
from kakehashi.identity.domain.commands import ConfirmTotp, RenewRecoveryCodes, ResetTotp
from kakehashi.identity.service_layer import links
from kakehashi.identity.service_layer.context import Identity
from kakehashi.identity.service_layer.errors import ConflictError, NotFoundError
from kakehashi.identity.service_layer.links import Purpose
from kakehashi.shared import clock
from kakehashi.shared.errors import DomainError
from kakehashi.shared.unit_of_work import UnitOfWork

RECOVERY_CODES = 10
# What the account audit records.
ENABLED = "totp_enabled"
RESET = "totp_reset"
RENEWED = "recovery_codes_renewed"
RECOVERY_USED = "recovery_code_used"


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


def pending_uri(uow: UnitOfWork, identity: Identity, user_id: str) -> str | None:
    """The provisioning URI of a secret begun and not yet confirmed (the set-up page shows it
    again after a wrong code), or None."""
    with uow:
        user = uow.session.get(User, user_id)
        if user is None or user.totp_confirmed or user.totp_secret_sealed is None:
            return None
        secret = identity.sealer.open(user.totp_secret_sealed, user.id).decode()
        return totp_uri(secret, user.email)


def confirm(
    uow: UnitOfWork, identity: Identity, command: ConfirmTotp, enrolment_token: str | None
) -> list[str]:
    """A code from the new secret turns it on; the enrolment link, if one was used, is spent.
    Returns the user's recovery codes, which are never shown again."""
    with uow:
        user = _active_user(uow, command.user_id)
        if user.totp_confirmed:
            raise ConflictError("a second factor is already set up")
        if user.totp_secret_sealed is None:
            raise ConflictError("start the set-up first (POST /me/totp)")
        step = _step_of(identity, user, command.code)
        user.totp_confirmed = True
        user.totp_last_step = step
        uow.session.add(user)
        if enrolment_token is not None:
            links.redeem(uow.session, enrolment_token, Purpose.TOTP_ENROLMENT)
        codes = _new_codes(uow.session, user.id)
        audit(uow.session, user.id, user.id, ENABLED)
        uow.commit()
    return codes


def renew_recovery_codes(
    uow: UnitOfWork, identity: Identity, command: RenewRecoveryCodes
) -> list[str]:
    """New recovery codes (the old ones stop working), for a current TOTP code."""
    with uow:
        user = _active_user(uow, command.user_id)
        if not user.totp_confirmed or user.totp_secret_sealed is None:
            raise ConflictError("no second factor is set up")
        step = _step_of(identity, user, command.code)
        if user.totp_last_step is not None and step <= user.totp_last_step:
            raise DomainError("code", "this code was used already; wait for the next one")
        user.totp_last_step = step
        uow.session.add(user)
        codes = _new_codes(uow.session, user.id)
        audit(uow.session, user.id, user.id, RENEWED)
        uow.commit()
    return codes


def reset(uow: UnitOfWork, command: ResetTotp) -> User:
    """The user's second factor is off: secret, recovery codes and enrolment links go; the next
    sign-in needs the password only (or, where the role requires one, a new set-up)."""
    with uow:
        user = uow.session.get(User, command.user_id, with_for_update=True)
        if user is None:
            raise NotFoundError("user")
        user.totp_secret_sealed = None
        user.totp_confirmed = False
        user.totp_last_step = None
        uow.session.add(user)
        uow.session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
        audit(uow.session, user.id, command.admin_id, RESET)
        uow.commit()
    return user


def spend_recovery_code(session: Session, user_id: str, code: str, now: datetime) -> bool:
    """True, and the code is used up, if `code` is one of the user's unused recovery codes (in
    the caller's transaction, the sign-in's)."""
    row = session.get(RecoveryCode, hash_recovery_code(code), with_for_update=True)
    if row is None or row.user_id != user_id or row.used_at is not None:
        return False
    row.used_at = now
    session.add(row)
    audit(session, user_id, user_id, RECOVERY_USED)
    return True


def recovery_codes_left(uow: UnitOfWork, user_id: str) -> int:
    with uow:
        query = select(func.count()).where(
            RecoveryCode.user_id == user_id, col(RecoveryCode.used_at).is_(None)
        )
        return int(uow.session.exec(query).one())


def audit(session: Session, user_id: str, actor_id: str, action: str) -> None:
    session.add(AccountAudit(at=clock.utcnow(), user_id=user_id, actor_id=actor_id, action=action))


def audit_rows(
    uow: UnitOfWork, user_id: str | None, limit: int, offset: int
) -> tuple[list[AccountAudit], int]:
    """Second-factor changes, newest first, with the total (of one user, or everyone's)."""
    with uow:
        query = select(AccountAudit)
        if user_id is not None:
            query = query.where(AccountAudit.user_id == user_id)
        total = uow.session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = uow.session.exec(
            query.order_by(col(AccountAudit.id).desc()).offset(offset).limit(limit)
        ).all()
        return list(rows), int(total)


def enrolling_user(uow: UnitOfWork, enrolment_token: str) -> str:
    """The user an unexpired, unused TOTP-enrolment link names (LinkRefusedError otherwise)."""
    with uow:
        return links.peek(uow.session, enrolment_token, Purpose.TOTP_ENROLMENT).id


def _step_of(identity: Identity, user: User, code: str) -> int:
    assert user.totp_secret_sealed is not None
    secret = identity.sealer.open(user.totp_secret_sealed, user.id).decode()
    step = totp_step(secret, code, clock.utcnow())
    if step is None:
        raise DomainError("code", "not the current code of the authenticator")
    return step


def _new_codes(session: Session, user_id: str) -> list[str]:
    """Replace the user's recovery codes with new ones; returns them in the clear, once."""
    session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))
    now = clock.utcnow()
    codes = new_recovery_codes(RECOVERY_CODES)
    for code in codes:
        session.add(
            RecoveryCode(code_hash=hash_recovery_code(code), user_id=user_id, created_at=now)
        )
    return codes


def _active_user(uow: UnitOfWork, user_id: str) -> User:
    user = uow.session.get(User, user_id, with_for_update=True)
    if user is None or not user.active:
        raise NotFoundError("user")
    return user
