"""Signing keys: the active one and the next one (created on first need), rotation, the
published JWKS, and issuing and verifying access tokens with them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from kakehashi.identity.adapters import signing
from kakehashi.identity.adapters.mapping import key_status_of
from kakehashi.identity.adapters.tables import KeyRing, SigningKey
from kakehashi.identity.domain.keys import (
    ALGORITHM,
    KeyState,
    TokenSubject,
    access_claims,
    effective_state,
    known_to_verifiers,
    published,
)
from kakehashi.identity.service_layer.context import Identity
from kakehashi.identity.service_layer.errors import ConflictError
from kakehashi.shared import clock
from kakehashi.shared.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Rotation:
    """The key that signs from now on, and since when verifiers could have known it."""

    key: SigningKey
    published_at: datetime
    known_to_verifiers: bool


def rotate(uow: UnitOfWork, identity: Identity, *, immediately: bool = False) -> Rotation:
    """The next key becomes active (published long enough that every verifier's cached key set
    holds it, so its tokens are never refused); the active one retires (published until its
    tokens expire); a new next key is published.

    Sooner than `key_publish_ahead_s` after the next key was published, a rotation is refused
    (ConflictError) unless `immediately` (a key to replace now, whatever the cost): verifiers
    whose cached set predates the key then refetch it on the unknown kid, at their cooldown.
    """
    with uow:
        _lock_ring(uow.session)
        now = clock.utcnow()
        ahead = timedelta(seconds=identity.settings.key_publish_ahead_s)
        _ensure_keys(uow.session, identity)
        upcoming = _in_state(uow.session, KeyState.NEXT)
        assert upcoming is not None  # _ensure_keys made it
        ready = known_to_verifiers(upcoming.created_at, now, ahead)
        if not ready and not immediately:
            wait = math.ceil((upcoming.created_at + ahead - now).total_seconds())
            raise ConflictError(
                f"the next key has been published for less than {int(ahead.total_seconds())} s, so verifiers "
                f"may not know it yet: rotate in {wait} s, or immediately"
            )
        _retire_expired(uow.session, identity)
        for row in uow.session.exec(select(SigningKey).where(SigningKey.state == KeyState.ACTIVE)):
            row.state = KeyState.RETIRING.value
            row.retiring_at = now
            uow.session.add(row)
        upcoming.state = KeyState.ACTIVE.value
        uow.session.add(upcoming)
        _new_key(uow.session, identity, KeyState.NEXT)
        uow.commit()
    return Rotation(upcoming, upcoming.created_at, ready)


def jwks(uow: UnitOfWork, identity: Identity) -> list[dict[str, Any]]:
    """The public keys verifiers need: the active key, the next one and those retiring (creates
    the first two)."""
    with uow:
        rows = _live_keys(uow.session, identity)
        if not {KeyState.ACTIVE.value, KeyState.NEXT.value} <= {row.state for row in rows}:
            _lock_ring(uow.session)
            _ensure_keys(uow.session, identity)
            uow.commit()
            rows = _live_keys(uow.session, identity)
    return [dict(row.public_jwk) for row in rows]


def issue(
    uow: UnitOfWork, identity: Identity, subject: TokenSubject, ttl: timedelta | None = None
) -> str:
    """An access token for `subject`, signed by the active key, valid for `ttl` (the token
    lifetime by default; the browser's cookie holds shorter ones).

    Runs inside the caller's unit of work (sign-in), which commits.
    """
    key = _ensure_active(uow, identity)
    private = identity.sealer.open(key.private_key_sealed, key.kid)
    s = identity.settings
    lifetime = ttl or identity.token_ttl
    claims = access_claims(subject, s.issuer, s.audience, clock.utcnow(), lifetime)
    return signing.sign(claims, key.kid, private)


def mint(uow: UnitOfWork, identity: Identity, subject: TokenSubject) -> str:
    """An access token for `subject` in a transaction of its own, for tools that act on
    identity's database directly (a development `kakehashi token`, tests): no user row needed."""
    with uow:
        token = issue(uow, identity, subject)
        uow.commit()
    return token


def verify(uow: UnitOfWork, identity: Identity, token: str) -> dict[str, Any]:
    """The claims of a token identity issued with a key it still publishes; TokenRejectedError
    otherwise (see `signing.verify` for what is checked)."""
    with uow:
        keys = {row.kid: row.public_jwk for row in _live_keys(uow.session, identity)}
    s = identity.settings
    return signing.verify(token, keys, s.issuer, s.audience)


def list_all(uow: UnitOfWork, identity: Identity) -> list[tuple[SigningKey, KeyState]]:
    """Every key, newest first, with its state now (a retiring key whose tokens have all expired
    is retired, though its row says so only from the next rotation on)."""
    now = clock.utcnow()
    with uow:
        rows = uow.session.exec(select(SigningKey).order_by(col(SigningKey.created_at).desc()))
        return [(row, effective_state(key_status_of(row), now, identity.token_ttl)) for row in rows]


def _live_keys(session: Session, identity: Identity) -> list[SigningKey]:
    rows = {
        row.kid: row
        for row in session.exec(select(SigningKey).where(col(SigningKey.state) != KeyState.RETIRED))
    }
    order = published([key_status_of(r) for r in rows.values()], clock.utcnow(), identity.token_ttl)
    return [rows[kid] for kid in order]


def _ensure_active(uow: UnitOfWork, identity: Identity) -> SigningKey:
    """The active key; the first caller creates it (and the next one), under the key-ring lock,
    and commits them."""
    found = _in_state(uow.session, KeyState.ACTIVE)
    if found is not None:
        return found
    _lock_ring(uow.session)
    found = _ensure_keys(uow.session, identity)  # someone else may have made it while we waited
    uow.commit()
    return found


def _ensure_keys(session: Session, identity: Identity) -> SigningKey:
    """An active and a next key (the caller holds the key-ring lock); returns the active one.
    A key set from before next keys existed gets its next key here."""
    active = _in_state(session, KeyState.ACTIVE) or _new_key(session, identity, KeyState.ACTIVE)
    if _in_state(session, KeyState.NEXT) is None:
        _new_key(session, identity, KeyState.NEXT)
    return active


def _in_state(session: Session, state: KeyState) -> SigningKey | None:
    return session.exec(select(SigningKey).where(SigningKey.state == state.value)).first()


def _lock_ring(session: Session) -> None:
    ring = session.exec(select(KeyRing).where(KeyRing.id == 1).with_for_update()).one()
    ring.rotated_at = clock.utcnow()
    session.add(ring)
    session.flush()  # on SQLite the write takes the database lock now, as FOR UPDATE does


def _new_key(session: Session, identity: Identity, state: KeyState) -> SigningKey:
    kid, jwk, private = signing.new_key()
    key = SigningKey(
        kid=kid,
        algorithm=ALGORITHM,
        public_jwk=jwk,
        private_key_sealed=identity.sealer.seal(private, kid),
        state=state.value,
        created_at=clock.utcnow(),
    )
    session.add(key)
    session.flush()
    return key


def _retire_expired(session: Session, identity: Identity) -> None:
    now = clock.utcnow()
    for row in session.exec(select(SigningKey).where(SigningKey.state == KeyState.RETIRING)):
        if effective_state(key_status_of(row), now, identity.token_ttl) is KeyState.RETIRED:
            row.state = KeyState.RETIRED.value
            row.retired_at = now
            session.add(row)
