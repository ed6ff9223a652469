"""One-time links (invitation, password reset, TOTP enrolment): made, mailed, redeemed once."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from sqlmodel import Session, col, select

from kakehashi.identity.adapters.crypto import hash_link_token, new_link_token
from kakehashi.identity.adapters.mail import Kind, Mail, compose
from kakehashi.identity.adapters.tables import OneTimeLink, User
from kakehashi.identity.service_layer.context import Identity
from kakehashi.identity.service_layer.errors import LinkRefusedError, MailNotSentError
from kakehashi.shared import clock


class Purpose(StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose, not a secret
    TOTP_ENROLMENT = "totp_enrolment"


# Where each mailed link points (the sign-in pages will serve these paths).
PATHS: dict[Kind, str] = {"invitation": "/invitation", "password_reset": "/password-reset"}


def create(session: Session, user_id: str, purpose: Purpose, ttl: timedelta) -> str:
    """A fresh link token for `user_id`; earlier unused links of the same purpose stop working."""
    now = clock.utcnow()
    for old in session.exec(
        select(OneTimeLink).where(
            OneTimeLink.user_id == user_id,
            OneTimeLink.purpose == purpose.value,
            col(OneTimeLink.used_at).is_(None),
        )
    ):
        old.used_at = now
        session.add(old)
    token, token_hash = new_link_token()
    session.add(
        OneTimeLink(
            token_hash=token_hash,
            purpose=purpose.value,
            user_id=user_id,
            expires_at=now + ttl,
            created_at=now,
        )
    )
    return token


def redeem(session: Session, token: str, purpose: Purpose) -> User:
    """The user a valid link names, the link now used; LinkRefusedError for an unknown, expired
    or used link, or one whose user was deactivated (one answer: which it was is no one's
    business)."""
    link, user = _valid(session, token, purpose)
    link.used_at = clock.utcnow()
    session.add(link)
    return user


def peek(session: Session, token: str, purpose: Purpose) -> User:
    """The user a valid link names, the link left unused (LinkRefusedError as `redeem`)."""
    return _valid(session, token, purpose)[1]


def _valid(session: Session, token: str, purpose: Purpose) -> tuple[OneTimeLink, User]:
    link = session.get(OneTimeLink, hash_link_token(token), with_for_update=True)
    if link is None or link.purpose != purpose.value or link.used_at is not None:
        raise LinkRefusedError
    if clock.utcnow() >= link.expires_at:
        raise LinkRefusedError
    user = session.get(User, link.user_id, with_for_update=True)
    if user is None or not user.active:
        raise LinkRefusedError
    return link, user


def revoke_all(session: Session, user_id: str) -> None:
    now = clock.utcnow()
    for link in session.exec(
        select(OneTimeLink).where(
            OneTimeLink.user_id == user_id, col(OneTimeLink.used_at).is_(None)
        )
    ):
        link.used_at = now
        session.add(link)


def mail(identity: Identity, kind: Kind, user: User, token: str, ttl: timedelta) -> None:
    """Send `user` the link; MailNotSentError if the server refused (the caller rolls back)."""
    send(identity, compose_mail(identity, kind, user, token, ttl))


def compose_mail(identity: Identity, kind: Kind, user: User, token: str, ttl: timedelta) -> Mail:
    """The mail carrying the link, in the user's language."""
    link = f"{identity.settings.public_url.rstrip('/')}{PATHS[kind]}?token={token}"
    hours = ttl.total_seconds() / 3600
    return compose(kind, user.preferred_language, user.email, user.display_name, link, hours)


def send(identity: Identity, message: Mail) -> None:
    try:
        identity.mailer.send(message)
    except OSError as error:  # smtplib's errors are OSErrors, as are refused connections
        raise MailNotSentError(str(error)) from error
