"""Signing in with email, password and (when enrolled or required) a TOTP code.

Every attempt leaves one audit row. Whatever went wrong before the password was proven, the
caller hears the same thing: an unknown email, a wrong password, a deactivated user, a user
with no membership all answer 401 `invalid_credentials` after the same argon2 work, and a
locked account answers 429 `locked` whether the email exists or not (the account counter is
keyed by the email typed).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, func, select

from kakehashi.identity.adapters.crypto import totp_step
from kakehashi.identity.adapters.mapping import token_subject_of
from kakehashi.identity.adapters.tables import Membership, SignInAudit, User
from kakehashi.identity.domain.commands import SignIn
from kakehashi.identity.domain.model import normalise_email
from kakehashi.identity.domain.throttle import Scope
from kakehashi.identity.service_layer import keys, links, throttles, totp
from kakehashi.identity.service_layer.context import Identity
from kakehashi.identity.service_layer.errors import SignInRefusedError
from kakehashi.identity.service_layer.links import Purpose
from kakehashi.identity.service_layer.users import memberships_of
from kakehashi.shared import clock
from kakehashi.shared.auth import Role
from kakehashi.shared.unit_of_work import UnitOfWork

Answer = tuple[int, str, str]
INVALID: Answer = (401, "invalid_credentials", "email or password is wrong")
LOCKED: Answer = (429, "locked", "too many failed sign-ins; try again later")
TOTP_INVALID: Answer = (401, "totp_invalid", "the one-time or recovery code is wrong or used")
# Roles the `totp_required_for_managers` setting makes sign in with a second factor.
PRIVILEGED = frozenset({Role.PROGRAM_MANAGER.value, Role.ADMIN.value})
ENROLMENT_TTL = timedelta(minutes=10)


@dataclass(frozen=True)
class SignedIn:
    access_token: str
    expires_in: int
    user_id: str
    organisation_id: str
    role: str


@dataclass
class _Attempt:
    """What one attempt found out, for the audit; `refusal` None means a token was issued."""

    email: str
    user: User | None = None
    organisation_id: str | None = None
    reason: str = "ok"
    refusal: SignInRefusedError | None = None
    counts_as_failure: bool = False

    def refuse(self, reason: str, answer: Answer, failure: bool = True, **extra: object) -> None:
        """Refuse with `answer` (status, code, message), audited as `reason`; a failure counts
        towards the account's and the address's lockout."""
        self.reason = reason
        self.refusal = SignInRefusedError(*answer, extra=dict(extra) or None)
        self.counts_as_failure = failure


def sign_in(
    uow: UnitOfWork, identity: Identity, command: SignIn, ttl: timedelta | None = None
) -> SignedIn:
    """A token for the user's chosen (or only) membership, or SignInRefusedError; `ttl` as
    `keys.issue`."""
    now = clock.utcnow()
    attempt = _Attempt(email=normalise_email(command.email)[:254])
    address = command.client_address[:64]
    with uow:
        session = uow.session
        signed_in = _try(uow, identity, command, attempt, address, now, ttl)
        if attempt.counts_as_failure:
            throttles.record_failure(
                session, Scope.ADDRESS, address, identity.address_policy(), now
            )
            account = throttles.record_failure(
                session, Scope.ACCOUNT, attempt.email, identity.account_policy(), now
            )
            if account.locked(now):
                attempt.reason += "+locked"
        elif signed_in is not None:
            throttles.clear(session, Scope.ACCOUNT, attempt.email)
        session.add(
            SignInAudit(
                at=now,
                email=attempt.email,
                user_id=attempt.user.id if attempt.user else None,
                organisation_id=attempt.organisation_id,
                client_address=address,
                user_agent=(command.user_agent or "")[:200] or None,
                succeeded=signed_in is not None,
                reason=attempt.reason[:32],
            )
        )
        uow.commit()
    if signed_in is None:
        assert attempt.refusal is not None
        raise attempt.refusal
    return signed_in


def _try(
    uow: UnitOfWork,
    identity: Identity,
    command: SignIn,
    attempt: _Attempt,
    address: str,
    now: datetime,
    ttl: timedelta | None,
) -> SignedIn | None:
    session = uow.session
    refuse = attempt.refuse
    for scope, key in ((Scope.ADDRESS, address), (Scope.ACCOUNT, attempt.email)):
        counter = throttles.counter(session, scope, key)
        if counter.locked(now):
            assert counter.locked_until is not None
            refuse(f"{scope.value}_locked", LOCKED, failure=False)
            assert attempt.refusal is not None
            attempt.refusal.retry_after_s = math.ceil((counter.locked_until - now).total_seconds())
            return None
    user = session.exec(select(User).where(User.email_normalised == attempt.email)).first()
    attempt.user = user
    # The hash is checked before anything else about the user, so every path costs the same.
    password_ok = identity.passwords.verify(user.password_hash if user else None, command.password)
    if user is None:
        refuse("unknown_email", INVALID)
        return None
    if not password_ok:
        refuse("wrong_password", INVALID)
        return None
    if not user.active:
        refuse("inactive", INVALID)
        return None
    memberships = memberships_of(session, user.id)
    if not memberships:
        refuse("no_membership", INVALID)
        return None
    if command.organisation_id is not None:
        chosen = [m for m in memberships if m.organisation_id == command.organisation_id]
        if not chosen:
            refuse("not_a_member", (403, "not_a_member", "no role in that organisation"), False)
            return None
    elif len(memberships) > 1:
        choices = [{"organisation_id": m.organisation_id, "role": m.role} for m in memberships]
        refuse(
            "organisation_required",
            (409, "organisation_required", "choose the organisation to sign in to"),
            False,
            organisations=choices,
        )
        return None
    else:
        chosen = memberships
    membership: Membership = chosen[0]
    attempt.organisation_id = membership.organisation_id
    if not _second_factor(uow, identity, command, attempt, user, membership, now):
        return None
    if identity.passwords.needs_rehash(user.password_hash or ""):
        user.password_hash = identity.passwords.hash(command.password)
        session.add(user)
    subject = token_subject_of(user, membership.organisation_id, membership.role)
    token = keys.issue(uow, identity, subject, ttl)
    return SignedIn(
        access_token=token,
        expires_in=int((ttl or identity.token_ttl).total_seconds()),
        user_id=user.id,
        organisation_id=membership.organisation_id,
        role=membership.role,
    )


def _second_factor(
    uow: UnitOfWork,
    identity: Identity,
    command: SignIn,
    attempt: _Attempt,
    user: User,
    membership: Membership,
    now: datetime,
) -> bool:
    """True when the second factor is satisfied (or not needed); else the attempt is refused."""
    refuse = attempt.refuse
    if not user.totp_confirmed or user.totp_secret_sealed is None:
        required = identity.settings.totp_required_for_managers and membership.role in PRIVILEGED
        if not required:
            return True
        # Proven by password, but their role needs a second factor they have not set up: a
        # short-lived enrolment link lets them do that (POST /me/totp with it as the bearer).
        token = links.create(uow.session, user.id, Purpose.TOTP_ENROLMENT, ENROLMENT_TTL)
        refuse(
            "totp_enrolment_required",
            (403, "totp_enrolment_required", "set up a second factor to sign in in this role"),
            False,
            enrolment_token=token,
        )
        return False
    if command.recovery_code:
        if not totp.spend_recovery_code(uow.session, user.id, command.recovery_code, now):
            refuse("recovery_code_wrong", TOTP_INVALID)
            return False
        attempt.reason = "ok_recovery_code"
        return True
    if not command.totp_code:
        refuse("totp_required", (401, "totp_required", "a one-time code is required"), False)
        return False
    secret = identity.sealer.open(user.totp_secret_sealed, user.id).decode()
    step = totp_step(secret, command.totp_code, now)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        refuse("totp_wrong", TOTP_INVALID)
        return False
    user.totp_last_step = step
    uow.session.add(user)
    return True


def audit(
    uow: UnitOfWork,
    *,
    user_id: str | None,
    email: str | None,
    succeeded: bool | None,
    limit: int,
    offset: int,
) -> tuple[list[SignInAudit], int]:
    """Sign-in attempts, newest first, with the total matching the filters."""
    with uow:
        query = select(SignInAudit)
        if user_id is not None:
            query = query.where(SignInAudit.user_id == user_id)
        if email is not None:
            query = query.where(SignInAudit.email == normalise_email(email))
        if succeeded is not None:
            query = query.where(SignInAudit.succeeded == succeeded)
        total = uow.session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = uow.session.exec(
            query.order_by(col(SignInAudit.id).desc()).offset(offset).limit(limit)
        ).all()
        return list(rows), int(total)
