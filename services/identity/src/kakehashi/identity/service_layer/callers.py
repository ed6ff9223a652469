"""Who is calling identity's own protected routes, from a token identity issued.

Besides the signature and claims, identity checks what only it knows: the user is still
active and still holds the token's role in the token's organisation.
"""

from __future__ import annotations

from sqlmodel import select

from kakehashi.identity.adapters.signing import TokenRejectedError
from kakehashi.identity.adapters.tables import Membership, User
from kakehashi.identity.service_layer import keys
from kakehashi.identity.service_layer.context import Identity
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.unit_of_work import UnitOfWork

LANGUAGES = ("vi", "ja", "en")


def principal_of(uow: UnitOfWork, identity: Identity, token: str) -> Principal:
    """The caller a valid, current token names; TokenRejectedError otherwise."""
    claims = keys.verify(uow, identity, token)
    with uow:
        user = uow.session.get(User, claims["sub"])
        membership = uow.session.exec(
            select(Membership).where(
                Membership.user_id == claims["sub"],
                Membership.organisation_id == claims["org"],
                Membership.role == claims["role"],
            )
        ).first()
    if user is None or not user.active or membership is None:
        raise TokenRejectedError("the user is deactivated or no longer holds this role")
    try:
        role = Role(claims["role"])
    except ValueError as error:
        raise TokenRejectedError("unknown role") from error
    # The user's language as it stands now (their pages follow it, as their mails do).
    language = user.preferred_language if user.preferred_language in LANGUAGES else None
    return Principal(
        subject=user.id,
        role=role,
        organisation_id=claims["org"],
        language=language,
    )
