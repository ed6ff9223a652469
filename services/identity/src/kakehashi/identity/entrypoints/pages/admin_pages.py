"""The administration page (admins): organisations (create, rename), users (invite, change a
role, deactivate) and the sign-in audit, through the same schemas and use cases as the admin
API. Every form is a POST that passes the kit's CSRF check and comes back to the page
(post/redirect/get) with a message."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from kakehashi.identity.domain.commands import DeactivateUser, ResetTotp, SetMembership
from kakehashi.identity.entrypoints.callers import IdentityDep
from kakehashi.identity.entrypoints.pages.rendering import (
    FORM_EXPIRED,
    PAGES,
    PagePrincipal,
    csrf_passes,
    render,
)
from kakehashi.identity.entrypoints.schemas import (
    InvitationCreate,
    MembershipSet,
    OrganisationCreate,
    OrganisationUpdate,
)
from kakehashi.identity.service_layer import notifications, organisations, sign_in, totp, users
from kakehashi.identity.service_layer.errors import (
    ConflictError,
    MailNotSentError,
    NotFoundError,
)
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.errors import DomainError
from kakehashi.shared.reference import PREFECTURES
from kakehashi.shared.ui import navigation
from kakehashi.shared.ui.navigation import N_
from kakehashi.shared.ui.pages import flash
from kakehashi.shared.web import UowDep, settings_of

router = APIRouter(prefix="/admin", include_in_schema=False)
AUDIT_ROWS = 50

KINDS = {
    "training_centre": N_("Training centre"),
    "employer": N_("Employer"),
    "program_office": N_("Program office"),
    "operator": N_("Operator"),
}
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "ja": "日本語", "en": "English"}
# How each user gets notification mails (they choose on /account/notifications).
DELIVERY_LABELS = {
    "each": N_("notification mails: each event"),
    "daily": N_("notification mails: daily digest"),
    "off": N_("notification mails: none"),
}
SAVED = N_("Saved.")
INVITED = N_("The invitation is mailed.")
DEACTIVATED = N_("The user is deactivated; their access ends within minutes.")
TOTP_RESET = N_("Two-factor sign-in is off for this user; they sign in with their password.")
INVALID = N_("Some fields are missing or not valid. Check them and try again.")
TAKEN = N_("That id or email is already in use.")
NOT_FOUND = N_("That organisation or user does not exist.")
MAIL_FAILED = N_("The mail could not be sent; nothing was saved. Try again later.")
# The account audit's actions, as the page says them.
ACCOUNT_ACTIONS = {
    totp.ENABLED: N_("two-factor sign-in turned on"),
    totp.RESET: N_("two-factor sign-in reset"),
    totp.RENEWED: N_("recovery codes renewed"),
    totp.RECOVERY_USED: N_("recovery code used"),
}
RULES: dict[str, str] = {
    "province": N_("A training centre names its Vietnamese province; others do not need one."),
    "prefecture": N_("An employer names its prefecture (one of Japan's 47)."),
}


async def require_admin(principal: PagePrincipal) -> Principal:
    if principal.role is not Role.ADMIN:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only an admin may open this page")
    return principal


AdminPage = Annotated[Principal, Depends(require_admin)]


@router.get("")
def admin_page(request: Request, admin: AdminPage, uow: UowDep) -> HTMLResponse:
    all_users = users.list_all(uow, None)
    orgs = organisations.list_all(uow, None)
    audit, total = sign_in.audit(
        uow, user_id=None, email=None, succeeded=None, limit=AUDIT_ROWS, offset=0
    )
    changes, _total = totp.audit_rows(uow, None, AUDIT_ROWS, 0)
    PAGES.organisation_names(request, [org.id for org in orgs])  # the selects' names, one query
    emails = {user.id: user.email for user, _memberships in all_users}
    mails = notifications.deliveries(uow, list(emails))
    return render(
        request,
        "admin.html",
        admin,
        organisations=orgs,
        users=all_users,
        audit=audit,
        audit_total=total,
        account_audit=changes,
        emails=emails,
        mails=mails,
        delivery_labels=DELIVERY_LABELS,
        dead_letter_links=navigation.dead_letter_links(settings_of(request)),
        account_actions=ACCOUNT_ACTIONS,
        kinds=KINDS,
        languages_all=LANGUAGE_NAMES,
        prefectures=sorted(PREFECTURES),
        role_values=[role.value for role in Role],
    )


def _back(message: str, kind: str = "ok") -> Response:
    response = RedirectResponse("/admin", status_code=status.HTTP_303_SEE_OTHER)
    flash(response, message, kind)
    return response


async def _form(request: Request) -> dict[str, str] | None:
    """The posted form without its CSRF field (empty fields dropped), or None if the CSRF
    check fails."""
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    if not csrf_passes(request, fields.pop("csrf_token", None)):
        return None
    return {key: value.strip() for key, value in fields.items() if value.strip()}


def _run(action: Any, done: str) -> Response:
    """Carry out `action`; the page's message says how it went."""
    try:
        action()
    except ValidationError:
        return _back(INVALID, "error")
    except DomainError as error:
        return _back(RULES.get(error.field, INVALID), "error")
    except ConflictError:
        return _back(TAKEN, "error")
    except NotFoundError:
        return _back(NOT_FOUND, "error")
    except MailNotSentError:
        return _back(MAIL_FAILED, "error")
    return _back(done)


@router.post("/organisations")
async def create_organisation(request: Request, _admin: AdminPage, uow: UowDep) -> Response:
    fields = await _form(request)
    if fields is None:
        return _back(FORM_EXPIRED, "error")
    return _run(
        lambda: organisations.register(uow, OrganisationCreate.model_validate(fields).command()),
        SAVED,
    )


@router.post("/organisations/{organisation_id}")
async def rename_organisation(
    organisation_id: str, request: Request, _admin: AdminPage, uow: UowDep
) -> Response:
    fields = await _form(request)
    if fields is None:
        return _back(FORM_EXPIRED, "error")
    # Blank optional names are cleared; the Latin name stays required.
    names = {key: fields.get(key) for key in ("name_latin", "name_vi", "name_ja")}
    return _run(
        lambda: organisations.update(
            uow, OrganisationUpdate.model_validate(names).command(organisation_id)
        ),
        SAVED,
    )


@router.post("/invitations")
async def invite_user(
    request: Request, _admin: AdminPage, uow: UowDep, identity: IdentityDep
) -> Response:
    fields = await _form(request)
    if fields is None:
        return _back(FORM_EXPIRED, "error")
    return _run(
        lambda: users.invite(uow, identity, InvitationCreate.model_validate(fields).command()),
        INVITED,
    )


@router.post("/users/{user_id}/role")
async def change_role(user_id: str, request: Request, _admin: AdminPage, uow: UowDep) -> Response:
    fields = await _form(request)
    if fields is None:
        return _back(FORM_EXPIRED, "error")

    def act() -> None:
        role = MembershipSet.model_validate({"role": fields.get("role")}).role
        organisation_id = fields.get("organisation_id", "")
        users.set_membership(uow, SetMembership(user_id, organisation_id, role))

    return _run(act, SAVED)


@router.post("/users/{user_id}/totp/reset")
async def reset_totp(user_id: str, request: Request, admin: AdminPage, uow: UowDep) -> Response:
    """Turn a user's second factor off (recorded in the account audit with this admin)."""
    if await _form(request) is None:
        return _back(FORM_EXPIRED, "error")
    return _run(lambda: totp.reset(uow, ResetTotp(user_id, admin.subject)), TOTP_RESET)


@router.post("/users/{user_id}/deactivate")
async def deactivate(user_id: str, request: Request, _admin: AdminPage, uow: UowDep) -> Response:
    if await _form(request) is None:
        return _back(FORM_EXPIRED, "error")
    return _run(lambda: users.deactivate(uow, DeactivateUser(user_id)), DEACTIVATED)
