"""The signed-in user's choice of notification mails: one per event, a daily digest, or none.
The form is a POST passing the kit's CSRF check; an unknown choice is refused with a 422 that
names the field."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kakehashi.identity.domain.commands import ChooseDelivery
from kakehashi.identity.domain.notifications import Delivery
from kakehashi.identity.entrypoints.pages.rendering import (
    PagePrincipal,
    csrf_passes,
    gettext,
    identity_settings,
    refused_form,
    render,
)
from kakehashi.identity.service_layer import notifications
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.ui.navigation import N_
from kakehashi.shared.web import UowDep

PAGE = notifications.SETTINGS_PAGE
router = APIRouter(prefix=PAGE, include_in_schema=False)

# What each role is mailed, as the mail rules send it (domain/notifications.py): a centre hears
# of each step of its candidates; an employer only of proposals for its orders and their
# withdrawal. Promising an employer interviews and decisions it is never mailed misled them.
ABOUT_CENTRE = N_(
    "We mail you when something happens to your candidates: a candidate proposed for a job "
    "order, interviewed, selected or not chosen (with the reason), and when such news is "
    "corrected."
)
ABOUT_EMPLOYER = N_(
    "We mail you when a candidate is proposed for one of your job orders, and when such a "
    "proposal is withdrawn."
)
# Without mail, where to read the news: a centre's portal lists its notifications; the
# employer portal has no such page, the proposed candidates are on each order's page.
OFF_CENTRE = N_("read them on the portal's notifications page")
OFF_EMPLOYER = N_("the proposed candidates appear on each job order's page of the employer portal")


def choices(role: Role) -> tuple[tuple[Delivery, str, str], ...]:
    """The choices as the page offers them to `role`, in order."""
    off = OFF_EMPLOYER if role is Role.EMPLOYER else OFF_CENTRE
    return (
        (Delivery.EACH, N_("A mail for each event"), N_("as soon as it happens")),
        (Delivery.DAILY, N_("One mail a day"), N_("every event of the day in one digest")),
        (Delivery.OFF, N_("No mail"), off),
    )


SAVED = N_("Your choice is saved.")
UNKNOWN_CHOICE = N_("Choose one of the ways offered.")


def _page(
    request: Request,
    uow: UowDep,
    principal: Principal,
    *,
    messages: list[tuple[str, str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "notifications.html",
        principal,
        status_code=status_code,
        messages=messages or [],
        page_url=PAGE,
        about=ABOUT_EMPLOYER if principal.role is Role.EMPLOYER else ABOUT_CENTRE,
        choices=choices(principal.role),
        chosen=notifications.delivery_for(uow, principal.subject).value,
        digest_hour_utc=identity_settings(request).notify_digest_hour_utc,
    )


@router.get("")
def notifications_page(request: Request, principal: PagePrincipal, uow: UowDep) -> HTMLResponse:
    saved = request.query_params.get("saved") == "1"
    shown = [("ok", gettext(request)(SAVED))] if saved else []
    return _page(request, uow, principal, messages=shown)


@router.post("")
def choose(
    request: Request,
    principal: PagePrincipal,
    uow: UowDep,
    delivery: Annotated[str, Form(max_length=8)] = "",
    csrf_token: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Keep the user's choice; what is still pending follows it."""
    if not csrf_passes(request, csrf_token):
        return refused_form(request)
    if delivery not in {d.value for d in Delivery}:
        error = [("error", gettext(request)(UNKNOWN_CHOICE))]
        return _page(request, uow, principal, messages=error, status_code=422)
    notifications.choose_delivery(uow, ChooseDelivery(principal.subject, Delivery(delivery)))
    return RedirectResponse(f"{PAGE}?saved=1", status_code=status.HTTP_303_SEE_OTHER)
