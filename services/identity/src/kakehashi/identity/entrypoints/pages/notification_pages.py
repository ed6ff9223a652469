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
from kakehashi.shared.auth import Principal
from kakehashi.shared.ui.navigation import N_
from kakehashi.shared.web import UowDep

PAGE = notifications.SETTINGS_PAGE
router = APIRouter(prefix=PAGE, include_in_schema=False)

# The choices as the page offers them, in order.
CHOICES = (
    (Delivery.EACH, N_("A mail for each event"), N_("as soon as it happens")),
    (Delivery.DAILY, N_("One mail a day"), N_("every event of the day in one digest")),
    (Delivery.OFF, N_("No mail"), N_("read them on the portal's notifications page")),
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
        choices=CHOICES,
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
