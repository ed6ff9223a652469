"""Administration: organisations, users and their roles, the sign-in audit, signing keys."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from kakehashi.identity.domain.commands import (
    DeactivateUser,
    RemoveMembership,
    ResetTotp,
    SetMembership,
)
from kakehashi.identity.domain.model import OrganisationKind
from kakehashi.identity.entrypoints.callers import Admin, Caller, IdentityDep
from kakehashi.identity.entrypoints.schemas import (
    AccountAuditPublic,
    InvitationCreate,
    KeyPublic,
    KeyRotated,
    MembershipSet,
    OrganisationCreate,
    OrganisationPublic,
    OrganisationUpdate,
    SignInAuditPublic,
    UserPublic,
)
from kakehashi.identity.service_layer import keys, organisations, sign_in, totp, users
from kakehashi.shared.schemas import MAX_OFFSET, Page
from kakehashi.shared.web import UowDep

router = APIRouter()

Responses = dict[int | str, dict[str, Any]]
NOT_FOUND: Responses = {404: {"description": "no such organisation or user"}}
CONFLICT: Responses = {409: {"description": "the id or email is taken"}}
MAIL: Responses = {503: {"description": "the mail server refused; nothing was saved"}}


@router.post(
    "/organisations",
    status_code=status.HTTP_201_CREATED,
    tags=["organisations"],
    responses=CONFLICT,
)
def post_organisation(body: OrganisationCreate, _admin: Admin, uow: UowDep) -> OrganisationPublic:
    """Register an organisation; `organisation.registered` tells the other services its names."""
    return OrganisationPublic.of(organisations.register(uow, body.command()))


@router.patch("/organisations/{organisation_id}", tags=["organisations"], responses=NOT_FOUND)
def patch_organisation(
    organisation_id: str, body: OrganisationUpdate, _admin: Admin, uow: UowDep
) -> OrganisationPublic:
    return OrganisationPublic.of(organisations.update(uow, body.command(organisation_id)))


@router.get("/organisations", tags=["organisations"])
def list_organisations(
    _caller: Caller, uow: UowDep, kind: OrganisationKind | None = None
) -> list[OrganisationPublic]:
    """Every organisation's names and place (any signed-in user: they are shown on pages)."""
    return [OrganisationPublic.of(row) for row in organisations.list_all(uow, kind)]


@router.get("/organisations/{organisation_id}", tags=["organisations"], responses=NOT_FOUND)
def get_organisation(organisation_id: str, _caller: Caller, uow: UowDep) -> OrganisationPublic:
    return OrganisationPublic.of(organisations.get(uow, organisation_id))


@router.post(
    "/invitations",
    status_code=status.HTTP_201_CREATED,
    tags=["users"],
    responses=NOT_FOUND | CONFLICT | MAIL,
)
def post_invitation(
    body: InvitationCreate, _admin: Admin, uow: UowDep, identity: IdentityDep
) -> UserPublic:
    """Create a user with one role and mail them a link to choose their password."""
    user = users.invite(uow, identity, body.command())
    return UserPublic.of(*users.get(uow, user.id))


@router.get("/users", tags=["users"])
def list_users(_admin: Admin, uow: UowDep, organisation_id: str | None = None) -> list[UserPublic]:
    return [UserPublic.of(user, ms) for user, ms in users.list_all(uow, organisation_id)]


@router.get("/users/{user_id}", tags=["users"], responses=NOT_FOUND)
def get_user(user_id: str, _admin: Admin, uow: UowDep) -> UserPublic:
    return UserPublic.of(*users.get(uow, user_id))


@router.put("/users/{user_id}/memberships/{organisation_id}", tags=["users"], responses=NOT_FOUND)
def put_membership(
    user_id: str, organisation_id: str, body: MembershipSet, _admin: Admin, uow: UowDep
) -> UserPublic:
    """Give the user this role in the organisation (replacing the role they had there)."""
    users.set_membership(uow, SetMembership(user_id, organisation_id, body.role))
    return UserPublic.of(*users.get(uow, user_id))


@router.delete(
    "/users/{user_id}/memberships/{organisation_id}", tags=["users"], responses=NOT_FOUND
)
def delete_membership(user_id: str, organisation_id: str, _admin: Admin, uow: UowDep) -> UserPublic:
    users.remove_membership(uow, RemoveMembership(user_id, organisation_id))
    return UserPublic.of(*users.get(uow, user_id))


@router.post("/users/{user_id}/deactivate", tags=["users"], responses=NOT_FOUND)
def deactivate_user(user_id: str, _admin: Admin, uow: UowDep) -> UserPublic:
    """No new tokens for this user; those issued lapse within the access-token lifetime."""
    users.deactivate(uow, DeactivateUser(user_id))
    return UserPublic.of(*users.get(uow, user_id))


@router.post("/users/{user_id}/totp/reset", tags=["users"], responses=NOT_FOUND)
def reset_totp(user_id: str, admin: Admin, uow: UowDep) -> UserPublic:
    """Turn the user's second factor off (a lost authenticator and no recovery code left): they
    sign in with their password and set up a new one. Recorded in the account audit."""
    totp.reset(uow, ResetTotp(user_id, admin.subject))
    return UserPublic.of(*users.get(uow, user_id))


@router.get("/account-audit", tags=["users"])
def get_account_audit(
    _admin: Admin,
    uow: UowDep,
    user_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Page[AccountAuditPublic]:
    """Second factors set up and reset (and by whom), recovery codes renewed and used; newest
    first."""
    rows, total = totp.audit_rows(uow, user_id, limit, offset)
    items = [AccountAuditPublic.of(row) for row in rows]
    return Page[AccountAuditPublic](items=items, total=total, limit=limit, offset=offset)


@router.get("/sign-in-audit", tags=["users"])
def get_sign_in_audit(
    _admin: Admin,
    uow: UowDep,
    user_id: str | None = None,
    email: Annotated[str | None, Query(max_length=254)] = None,
    succeeded: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Page[SignInAuditPublic]:
    """Who tried to sign in, when, from where, and whether (and why not) it worked; newest first."""
    rows, total = sign_in.audit(
        uow, user_id=user_id, email=email, succeeded=succeeded, limit=limit, offset=offset
    )
    items = [SignInAuditPublic.of(row) for row in rows]
    return Page[SignInAuditPublic](items=items, total=total, limit=limit, offset=offset)


@router.get("/admin/keys", tags=["keys"])
def list_keys(_admin: Admin, uow: UowDep, identity: IdentityDep) -> list[KeyPublic]:
    """Every signing key and its state (public parts only)."""
    return [
        KeyPublic(kid=row.kid, state=state, created_at=row.created_at)
        for row, state in keys.list_all(uow, identity)
    ]


@router.post(
    "/admin/keys/rotate",
    tags=["keys"],
    responses={409: {"description": "the next key is too recent; see `immediately`"}},
)
def rotate_keys(
    _admin: Admin, uow: UowDep, identity: IdentityDep, immediately: bool = False
) -> KeyRotated:
    """The next key (published in advance) becomes active; the old one retires, still published
    until its tokens have expired; a new next key is published. 409 while the next key is too
    recent for every verifier to know it, unless `immediately` (a compromised key)."""
    rotation = keys.rotate(uow, identity, immediately=immediately)
    key = rotation.key
    return KeyRotated(
        kid=key.kid,
        state=key.state,
        created_at=key.created_at,
        published_at=rotation.published_at,
        known_to_verifiers=rotation.known_to_verifiers,
    )
