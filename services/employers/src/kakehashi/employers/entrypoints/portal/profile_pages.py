"""The company profile page: what the 求人票 prints about the employer, read and changed with
the use cases of `/employers/me` and validated by its request model."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from kakehashi.employers.domain.employer import EmployerProfileData, IntermediaryKind
from kakehashi.employers.entrypoints.employer_profile import EmployerProfileIn
from kakehashi.employers.entrypoints.portal import forms
from kakehashi.employers.entrypoints.portal.forms import FieldErrors
from kakehashi.employers.entrypoints.portal.rendering import PREFIX, gettext, render
from kakehashi.employers.entrypoints.portal.session import EmployerUser, check_csrf
from kakehashi.employers.service_layer import employer_profile
from kakehashi.shared.auth import Principal
from kakehashi.shared.errors import DomainError
from kakehashi.shared.reference import PREFECTURES, Sector
from kakehashi.shared.ui.navigation import N_
from kakehashi.shared.ui.pages import flash
from kakehashi.shared.web import UowDep

router = APIRouter(prefix=PREFIX, include_in_schema=False)
FIELDS = (
    "company_name_ja",
    "company_name_romaji",
    "prefecture",
    "industry",
    "intermediary_kind",
    "intermediary_name",
)


def _page(
    request: Request,
    principal: Principal,
    values: dict[str, str],
    *,
    exists: bool,
    errors: FieldErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    messages = []
    if errors:
        messages.append(("error", gettext(request)(N_("Check the fields marked below."))))
    return render(
        request,
        "profile.html",
        principal,
        status_code=status_code,
        messages=messages,
        values=values,
        exists=exists,
        errors=errors or {},
        prefectures=PREFECTURES,
        sectors=[s.value for s in Sector],
        intermediary_kinds=[k.value for k in IntermediaryKind],
    )


@router.get("/profile")
def profile_page(request: Request, principal: EmployerUser, uow: UowDep) -> HTMLResponse:
    """The organisation's profile as the 求人票 prints it, in a form to change it."""
    row = employer_profile.get_profile(uow, principal)
    values = {name: str(getattr(row, name) or "") for name in FIELDS} if row else {}
    return _page(request, principal, values, exists=row is not None)


@router.post("/profile", dependencies=[Depends(check_csrf)])
async def save_profile(request: Request, principal: EmployerUser, uow: UowDep) -> Response:
    form = await request.form()
    values = {name: str(form.get(name, "")).strip() for name in FIELDS}
    body: dict[str, Any] = {name: value for name, value in values.items() if value}
    try:
        data = EmployerProfileData(**EmployerProfileIn.model_validate(body).model_dump())
        employer_profile.put_profile(uow, principal, data)
    except ValidationError as error:
        errors = forms.validation_errors(error, gettext(request))
    except DomainError as error:
        errors = forms.domain_errors(error, gettext(request))
    else:
        response = RedirectResponse(PREFIX + "/profile", status_code=status.HTTP_303_SEE_OTHER)
        flash(response, N_("The company profile was saved."))
        return response
    exists = employer_profile.get_profile(uow, principal) is not None
    return _page(request, principal, values, exists=exists, errors=errors, status_code=422)
