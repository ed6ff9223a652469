"""Database tables of the identity service."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from kakehashi.shared.db import UTCDateTime


class Organisation(SQLModel, table=True):
    __tablename__ = "organisation"

    id: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=32, index=True)
    name_latin: str = Field(max_length=200)
    name_vi: str | None = Field(default=None, max_length=200)
    name_ja: str | None = Field(default=None, max_length=200)
    province: str | None = Field(default=None, max_length=64)
    prefecture: str | None = Field(default=None, max_length=32)
    version: int = 1
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: str = Field(primary_key=True, max_length=36)
    email: str = Field(max_length=254)  # as the admin typed it
    email_normalised: str = Field(max_length=254, unique=True)  # what uniqueness is about
    display_name: str = Field(max_length=200)
    preferred_language: str = Field(max_length=2)
    active: bool = True
    password_hash: str | None = Field(default=None, max_length=200)  # None until invited in
    password_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Sealed with the key-encryption secret; confirmed once the user proved a code from it.
    totp_secret_sealed: str | None = Field(default=None, max_length=400)
    totp_confirmed: bool = False
    totp_last_step: int | None = None  # a code's 30-second step is accepted once
    version: int = 1
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class Membership(SQLModel, table=True):
    __tablename__ = "membership"

    user_id: str = Field(primary_key=True, foreign_key="user_account.id", max_length=36)
    organisation_id: str = Field(primary_key=True, foreign_key="organisation.id", max_length=64)
    role: str = Field(max_length=32)
    created_at: datetime = Field(sa_type=UTCDateTime)


class OneTimeLink(SQLModel, table=True):
    """An invitation, password-reset or TOTP-enrolment token; only its SHA-256 is stored."""

    __tablename__ = "one_time_link"

    token_hash: str = Field(primary_key=True, max_length=64)
    purpose: str = Field(max_length=32)
    user_id: str = Field(foreign_key="user_account.id", index=True, max_length=36)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)


class SignInAudit(SQLModel, table=True):
    """One row per sign-in attempt, whatever its outcome."""

    __tablename__ = "sign_in_audit"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    email: str = Field(max_length=254, index=True)  # normalised, as typed
    user_id: str | None = Field(default=None, max_length=36, index=True)
    organisation_id: str | None = Field(default=None, max_length=64)
    client_address: str = Field(max_length=64)
    user_agent: str | None = Field(default=None, max_length=200)
    succeeded: bool
    reason: str = Field(max_length=32)


class RecoveryCode(SQLModel, table=True):
    """One of a user's recovery codes (their SHA-256): each signs in once without the TOTP code."""

    __tablename__ = "recovery_code"

    code_hash: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(foreign_key="user_account.id", index=True, max_length=36)
    created_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AccountAudit(SQLModel, table=True):
    """A change to how a user proves who they are: a second factor set up or reset (by whom),
    recovery codes renewed or used."""

    __tablename__ = "account_audit"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    user_id: str = Field(max_length=36, index=True)
    actor_id: str = Field(max_length=64)  # the user themself, or the admin who acted
    action: str = Field(max_length=32)


class SignInThrottle(SQLModel, table=True):
    """Failures counted for one account (normalised email) or one client address."""

    __tablename__ = "sign_in_throttle"

    scope: str = Field(primary_key=True, max_length=16)
    key: str = Field(primary_key=True, max_length=254)
    failures: int = 0
    window_started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SigningKey(SQLModel, table=True):
    __tablename__ = "signing_key"

    kid: str = Field(primary_key=True, max_length=64)
    algorithm: str = Field(max_length=16)
    public_jwk: dict[str, Any] = Field(sa_type=sa.JSON)
    private_key_sealed: str = Field(max_length=400)
    state: str = Field(max_length=16, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    retiring_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    retired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class KeyRing(SQLModel, table=True):
    """One row, locked by whoever creates or rotates keys, so one key at a time is active."""

    __tablename__ = "key_ring"

    id: int = Field(primary_key=True)
    rotated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class BrowserSession(SQLModel, table=True):
    """A browser's single sign-on session: only the SHA-256 of its cookie value is stored. It
    renews the short access token in the browser until it is idle too long, reaches its
    absolute end, or is ended (sign-out, deactivation)."""

    __tablename__ = "browser_session"

    id_hash: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(foreign_key="user_account.id", index=True, max_length=36)
    organisation_id: str = Field(max_length=64)
    role: str = Field(max_length=32)
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_used_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    client_address: str = Field(max_length=64)
    user_agent: str | None = Field(default=None, max_length=200)


# Notifications: copies of what a mail names (kept from candidates' and employers' events), the
# notices taken from matching's decisions, who is to get each, and how each user wants them.


class NotifiedCandidate(SQLModel, table=True):
    """What a mail needs of a candidate: their centre and their name's spellings. An erased
    candidate keeps only the row (a tombstone: a late snapshot cannot bring the name back)."""

    __tablename__ = "notified_candidate"

    candidate_id: str = Field(primary_key=True, max_length=36)
    version: int
    training_centre_id: str | None = Field(default=None, max_length=64)
    full_name: str | None = Field(default=None, max_length=200)
    name_vi: str | None = Field(default=None, max_length=200)
    name_katakana: str | None = Field(default=None, max_length=200)
    erased: bool = False


class NotifiedJobOrder(SQLModel, table=True):
    """What a mail needs of a job order: its employer and its title."""

    __tablename__ = "notified_job_order"

    job_order_id: str = Field(primary_key=True, max_length=36)
    version: int
    employer_id: str = Field(max_length=64)
    title: str = Field(max_length=200)


class Notice(SQLModel, table=True):
    """One thing to tell one audience (a centre or an employer), from one decision event.
    `fanned_out` turns true once its recipients were chosen: that needs the candidate and the
    order known here, and their events may come after the decision's."""

    __tablename__ = "notice"

    event_id: str = Field(primary_key=True, max_length=36)
    audience: str = Field(primary_key=True, max_length=32)
    kind: str = Field(max_length=32)
    candidate_id: str = Field(max_length=36, index=True)
    job_order_id: str = Field(max_length=36, index=True)
    reason_code: str | None = Field(default=None, max_length=32)
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    fanned_out: bool = Field(default=False, index=True)


class NoticeDelivery(SQLModel, table=True):
    """A notice owed to one user. `sent_at` is set in the transaction that mails it (alone or
    in a digest), or drops it (`outcome` says which), so it is never mailed twice."""

    __tablename__ = "notice_delivery"
    __table_args__ = (sa.UniqueConstraint("event_id", "audience", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=36)
    audience: str = Field(max_length=32)
    user_id: str = Field(foreign_key="user_account.id", max_length=36, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    outcome: str | None = Field(default=None, max_length=16)  # mailed, digest, dropped


class NotificationSetting(SQLModel, table=True):
    """A user's choice of delivery (each, daily, off); without a row, their audience's default."""

    __tablename__ = "notification_setting"

    user_id: str = Field(primary_key=True, foreign_key="user_account.id", max_length=36)
    delivery: str = Field(max_length=8)
    updated_at: datetime = Field(sa_type=UTCDateTime)
