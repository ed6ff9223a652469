"""Browser sessions of the single sign-on: started by a password sign-in on identity's page,
exchanged for fresh short-lived access tokens while the browser is in use, ended by signing
out, by the user's deactivation or by losing the role they signed in with.

The browser holds the session's id in a cookie only identity's `/session` routes receive; the
database holds its SHA-256, so a leaked table does not sign anyone in.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from kakehashi.identity.adapters.crypto import hash_link_token, new_link_token
from kakehashi.identity.adapters.mapping import token_subject_of
from kakehashi.identity.adapters.tables import BrowserSession, Membership, SignInAudit, User
from kakehashi.identity.service_layer import keys
from kakehashi.identity.service_layer.context import Identity
from kakehashi.identity.service_layer.sign_in import PRIVILEGED, SignedIn
from kakehashi.identity.service_layer.users import memberships_of
from kakehashi.shared import clock
from kakehashi.shared.unit_of_work import UnitOfWork


class SessionEndedError(Exception):
    """No such session, or it ended (signed out, idle, past its end, user or role gone)."""


def browser_ttl(identity: Identity) -> timedelta:
    return timedelta(seconds=identity.settings.browser_token_ttl_s)


def start(
    uow: UnitOfWork, identity: Identity, signed_in: SignedIn, address: str, user_agent: str | None
) -> str:
    """A new session for the membership `signed_in` chose; its id, for the browser's cookie."""
    session_id, id_hash = new_link_token()
    now = clock.utcnow()
    with uow:
        uow.session.add(
            BrowserSession(
                id_hash=id_hash,
                user_id=signed_in.user_id,
                organisation_id=signed_in.organisation_id,
                role=signed_in.role,
                created_at=now,
                last_used_at=now,
                expires_at=now + timedelta(seconds=identity.settings.browser_session_max_s),
                client_address=address[:64],
                user_agent=(user_agent or "")[:200] or None,
            )
        )
        uow.commit()
    return session_id


def renew(uow: UnitOfWork, identity: Identity, session_id: str) -> str:
    """A fresh short access token for a live session (its idle clock restarts);
    SessionEndedError otherwise, and a session found dead is ended for good."""
    now = clock.utcnow()
    idle = timedelta(seconds=identity.settings.browser_session_idle_s)
    with uow:
        row = uow.session.get(BrowserSession, hash_link_token(session_id), with_for_update=True)
        if row is None or row.ended_at is not None:
            raise SessionEndedError
        user = uow.session.get(User, row.user_id)
        membership = uow.session.get(Membership, (row.user_id, row.organisation_id))
        alive = (
            now < row.expires_at
            and now < row.last_used_at + idle
            and user is not None
            and user.active
            and membership is not None
            and membership.role == row.role
        )
        if not alive or user is None:
            row.ended_at = now
            uow.session.add(row)
            uow.commit()
            raise SessionEndedError
        row.last_used_at = now
        uow.session.add(row)
        token = keys.issue(
            uow,
            identity,
            token_subject_of(user, row.organisation_id, row.role),
            browser_ttl(identity),
        )
        uow.commit()
    return token


def end(uow: UnitOfWork, session_id: str) -> None:
    """Sign-out: the session renews nothing any more (unknown or ended ones are ignored)."""
    with uow:
        row = uow.session.get(BrowserSession, hash_link_token(session_id), with_for_update=True)
        if row is not None and row.ended_at is None:
            row.ended_at = clock.utcnow()
            uow.session.add(row)
            uow.commit()


def live_count(uow: UnitOfWork, user_id: str) -> int:
    """How many sessions of the user have not been ended (tests, the admin page)."""
    with uow:
        query = select(BrowserSession).where(
            BrowserSession.user_id == user_id, col(BrowserSession.ended_at).is_(None)
        )
        return len(list(uow.session.exec(query)))


def start_after_link(
    uow: UnitOfWork, identity: Identity, user_id: str, address: str, user_agent: str | None
) -> tuple[str, str] | None:
    """Sign in the user who just set a password through a mailed link: (session id, access
    token), audited; None when a sign-in must say more than the link proved (several
    organisations to choose from, or a second factor the user has or their role requires)."""
    with uow:
        user = uow.session.get(User, user_id)
        if user is None or not user.active:
            return None
        memberships = memberships_of(uow.session, user.id)
        if len(memberships) != 1 or user.totp_confirmed:
            return None
        membership = memberships[0]
        if identity.settings.totp_required_for_managers and membership.role in PRIVILEGED:
            return None
        now = clock.utcnow()
        uow.session.add(
            SignInAudit(
                at=now,
                email=user.email_normalised,
                user_id=user.id,
                organisation_id=membership.organisation_id,
                client_address=address[:64],
                user_agent=(user_agent or "")[:200] or None,
                succeeded=True,
                reason="link_password",
            )
        )
        subject = token_subject_of(user, membership.organisation_id, membership.role)
        token = keys.issue(uow, identity, subject, browser_ttl(identity))
        uow.commit()
    signed_in = SignedIn(token, 0, user.id, membership.organisation_id, membership.role)
    return start(uow, identity, signed_in, address, user_agent), token
