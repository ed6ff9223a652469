"""The employer portal's job-order pages: my orders, posting and editing a 求人票 with live
checks, one order's page (terms, fill, the candidates proposed, downloads) and its lifecycle.

The pages call the same use cases as the API (`handlers`, `queries`) and validate with the same
request models (`JobOrderCreate`, `JobOrderUpdate`), so no rule lives here.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from kakehashi.employers.adapters import mapping
from kakehashi.employers.adapters.tables import JobOrder
from kakehashi.employers.domain.commands import TransitionJobOrder
from kakehashi.employers.domain.lifecycle import (
    ALLOWED,
    EDITABLE,
    JobOrderStatus,
    StatusConflictError,
)
from kakehashi.employers.domain.model import Education, InterviewFormat, MaritalStatus, Sex
from kakehashi.employers.domain.rules import STANDARD_HOURS_PER_WEEK
from kakehashi.employers.entrypoints.kyujinhyo import kyujinhyo_download
from kakehashi.employers.entrypoints.portal import forms, labels
from kakehashi.employers.entrypoints.portal.forms import FieldErrors, OrderForm
from kakehashi.employers.entrypoints.portal.rendering import PREFIX, gettext, language_of, render
from kakehashi.employers.entrypoints.portal.session import (
    EmployerUser,
    PortalUser,
    check_csrf,
    signed_in,
)
from kakehashi.employers.entrypoints.schemas import JobOrderUpdate
from kakehashi.employers.service_layer import handlers, queries
from kakehashi.shared import skills
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.clock import today
from kakehashi.shared.errors import DomainError
from kakehashi.shared.reference import PREFECTURES, JapaneseLevel, Sector, Track, order_number
from kakehashi.shared.ui.navigation import N_
from kakehashi.shared.ui.pages import flash
from kakehashi.shared.unit_of_work import UnitOfWork
from kakehashi.shared.web import UowDep, settings_of

router = APIRouter(prefix=PREFIX, include_in_schema=False)
PAGE_SIZE = 50
Csrf = Depends(check_csrf)


@router.get("")
def home() -> Response:
    return RedirectResponse(PREFIX + "/orders", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/orders")
def orders_page(
    request: Request,
    principal: PortalUser,
    uow: UowDep,
    status_: Annotated[JobOrderStatus | None, Query(alias="status")] = None,
    sort: queries.JobOrderSort = queries.JobOrderSort.NEWEST,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    """My job orders with status, fill and deadline; filtered by status, sorted."""
    filters = queries.JobOrderFilter(status=status_)
    orders, total = queries.list_job_orders(
        uow, principal, filters, limit=PAGE_SIZE, offset=offset, sort=sort
    )
    return render(
        request,
        "orders.html",
        principal,
        orders=orders,
        total=total,
        offset=offset,
        page_size=PAGE_SIZE,
        status=status_.value if status_ else "",
        sort=sort.value,
        today=today(),
        can_post=principal.role is Role.EMPLOYER,
    )


# Posting and editing ---------------------------------------------------------------------


def _form_page(
    request: Request,
    principal: Principal,
    form: OrderForm,
    *,
    order: JobOrder | None = None,
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The 求人票 form (new, or editing `order`), with the live checks as they stand."""
    action = f"{PREFIX}/orders/{order.id}" if order else f"{PREFIX}/orders"
    messages = []
    if errors:
        messages.append(("error", gettext(request)(N_("Check the fields marked below."))))
    return render(
        request,
        "order_form.html",
        principal,
        status_code=status_code,
        messages=messages,
        page_url=f"{PREFIX}/orders/{order.id}/edit" if order else f"{PREFIX}/orders/new",
        order=order,
        action=action,
        values=form.values,
        chosen=form.skills,
        errors=errors or {},
        **_checks_context(request, form),
        **_options(form.values.get("sector", "")),
    )


def _options(sector: str) -> dict[str, Any]:
    """The choices of the form's selects; the skills are the sector's, in the taxonomy's order."""
    sector_skills = [s.code for s in skills.taxonomy().of_sector(Sector(sector))] if sector else []
    return {
        "tracks": [t.value for t in Track],
        "sectors": [s.value for s in Sector],
        "prefectures": PREFECTURES,
        "levels": [level.value for level in JapaneseLevel],
        "education": [e.value for e in Education],
        "interview_formats": [f.value for f in InterviewFormat],
        "sexes": [s.value for s in Sex],
        "marital_statuses": [m.value for m in MaritalStatus],
        "sector_skills": sector_skills,
    }


def _checks_context(request: Request, form: OrderForm) -> dict[str, Any]:
    """What the live checks show for the form as typed so far."""
    draft = forms.lenient_draft(form)
    if draft is None:
        return {"check": None}
    command = draft.command()
    check = queries.check_draft(
        command.terms, command.preferences, today(), japanese_level_given=form.level_given()
    )
    return {
        "check": check,
        "codes": {w.code for w in check.warnings},
        "refusal_text": _refusal_text(request, check.refusal),
    }


def _refusal_text(request: Request, refusal: DomainError | None) -> str | None:
    """The rule saving would break, in the reader's words."""
    if refusal is None:
        return None
    return next(iter(forms.domain_errors(refusal, gettext(request)).values()))


@router.get("/orders/new")
def new_order_page(request: Request, principal: EmployerUser) -> HTMLResponse:
    return _form_page(request, principal, OrderForm({"track": Track.SSW1.value}))


@router.get("/orders/skills")
def skill_choices(request: Request, principal: EmployerUser) -> HTMLResponse:
    """The skills of the chosen sector (the sector select asks for them), the chosen kept."""
    form = OrderForm.read(request.query_params)
    return render(
        request,
        "_skills.html",
        principal,
        chosen=form.skills,
        errors={},
        **_options(form.values.get("sector", "")),
    )


@router.post("/orders/check", dependencies=[Csrf])
async def live_checks(request: Request, principal: EmployerUser) -> HTMLResponse:
    """The form as typed, checked against the rules: the answer is the checks fragment."""
    form = OrderForm.read(await request.form())
    return render(request, "_checks.html", principal, **_checks_context(request, form))


@router.post("/orders", dependencies=[Csrf])
async def post_order(request: Request, principal: EmployerUser, uow: UowDep) -> Response:
    """Post the 求人票; a refused field is shown next to its input, in the reader's language."""
    form = OrderForm.read(await request.form())
    translate = gettext(request)
    try:
        body = forms.validate_create(form)
        order = handlers.post_job_order(uow, principal, body.command(), today())
    except ValidationError as error:
        errors = forms.validation_errors(error, translate)
    except DomainError as error:
        errors = forms.domain_errors(error, translate)
    else:
        return _to_order(order.id, N_("The job order was saved."))
    return _form_page(request, principal, form, errors=errors, status_code=422)


def _to_order(job_order_id: str, message: str, kind: str = "ok") -> Response:
    response = RedirectResponse(
        f"{PREFIX}/orders/{job_order_id}", status_code=status.HTTP_303_SEE_OTHER
    )
    flash(response, message, kind)
    return response


class OrderNotFound(Exception):  # noqa: N818 (a 404 page)
    """No such order, or another employer's: the same page, never a 403."""


def _visible(uow: UnitOfWork, principal: Principal, job_order_id: str) -> JobOrder:
    order = queries.get_job_order(uow, principal, job_order_id)
    if order is None:
        raise OrderNotFound(job_order_id)
    return order


async def not_found(request: Request, _error: Exception) -> Response:
    """The same 404 page for a missing order and another employer's, in the portal's layout."""
    principal = signed_in(request)  # the route admitted it: the header shows who is signed in
    return render(request, "not_found.html", principal, status_code=status.HTTP_404_NOT_FOUND)


@router.get("/orders/{job_order_id}/edit")
def edit_order_page(
    request: Request, job_order_id: str, principal: EmployerUser, uow: UowDep
) -> Response:
    order = _visible(uow, principal, job_order_id)
    if mapping.status_of(order) not in EDITABLE:
        return _to_order(order.id, N_("This job order can no longer be changed."), "error")
    return _form_page(request, principal, OrderForm.of_order(order), order=order)


@router.post("/orders/{job_order_id}", dependencies=[Csrf])
async def change_order(
    request: Request, job_order_id: str, principal: EmployerUser, uow: UowDep
) -> Response:
    """Save the edited 求人票 with the same rules as posting."""
    order = _visible(uow, principal, job_order_id)
    form = OrderForm.read(await request.form())
    translate = gettext(request)
    try:
        body = JobOrderUpdate.model_validate(form.update_body())
        handlers.change_job_order(uow, principal, body.command(job_order_id), today())
    except ValidationError as error:
        errors = forms.validation_errors(error, translate)
    except DomainError as error:
        errors = forms.domain_errors(error, translate)
    except StatusConflictError:
        return _to_order(order.id, N_("This job order can no longer be changed."), "error")
    else:
        return _to_order(order.id, N_("The job order was saved."))
    return _form_page(request, principal, form, order=order, errors=errors, status_code=422)


# One order -------------------------------------------------------------------------------


@router.get("/orders/{job_order_id}")
def order_page(
    request: Request, job_order_id: str, principal: PortalUser, uow: UowDep
) -> HTMLResponse:
    """The order's terms, status and fill, the candidates proposed, downloads, lifecycle."""
    order = _visible(uow, principal, job_order_id)
    return _order_page(request, principal, uow, order)


def _order_page(
    request: Request,
    principal: Principal,
    uow: UnitOfWork,
    order: JobOrder,
    *,
    reason_error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    matching = settings_of(request).web_urls["matching"]
    terms, preferences = mapping.terms_of(order), mapping.preferences_of(order)
    check = queries.check_draft(terms, preferences, today(), japanese_level_given=True)
    proposals = queries.proposals_of(uow, principal, order.id) or []
    return render(
        request,
        "order.html",
        principal,
        status_code=status_code,
        page_url=f"{PREFIX}/orders/{order.id}",
        order=order,
        terms=terms,
        preferences=preferences,
        check=check,
        codes={w.code for w in check.warnings},
        refusal_text=_refusal_text(request, check.refusal),
        proposals=proposals,
        counts={s: sum(p.status == s for p in proposals) for s in queries.BEFORE_THE_EMPLOYER},
        history=queries.job_order_history(uow, principal, order.id) or [],
        actions=sorted(ALLOWED[mapping.status_of(order)], key=list(JobOrderStatus).index),
        editable=principal.role is Role.EMPLOYER and mapping.status_of(order) in EDITABLE,
        shortlist_view=f"{matching}/console/orders/{order.id}",
        reason_error=reason_error,
        lang_code=language_of(request),
        standard_hours=STANDARD_HOURS_PER_WEEK,  # what the rules use when the order gives none
        order_number=order_number(order.id),
    )


@router.get("/orders/{job_order_id}/kyujinhyo.xlsx")
def kyujinhyo(job_order_id: str, principal: PortalUser, uow: UowDep) -> Response:
    """The order as a 求人票 workbook, as the API's export gives it (the portal's session)."""
    download = kyujinhyo_download(uow, principal, job_order_id)
    if download is None:
        raise OrderNotFound(job_order_id)
    return download


@router.post("/orders/{job_order_id}/transitions", dependencies=[Csrf])
async def transition(
    request: Request, job_order_id: str, principal: PortalUser, uow: UowDep
) -> Response:
    """Open, start interviews, close or cancel (with a reason), as the lifecycle allows."""
    order = _visible(uow, principal, job_order_id)
    form = await request.form()
    to, reason = form.get("to", ""), form.get("reason", "")
    if not isinstance(to, str) or to not in JobOrderStatus.__members__.values():
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "to: not a job order status")
    reason_text = reason.strip()[:500] if isinstance(reason, str) and reason.strip() else None
    command = TransitionJobOrder(job_order_id, JobOrderStatus(to), reason_text)
    try:
        handlers.transition_job_order(uow, principal, command)
    except DomainError as error:
        message = forms.domain_errors(error, gettext(request))[forms.form_field((error.field,))]
        return _order_page(request, principal, uow, order, reason_error=message, status_code=422)
    except StatusConflictError:
        return _to_order(order.id, N_("The job order's status does not allow this."), "error")
    return _to_order(order.id, labels.DONE.get(to, N_("The job order was saved.")))
