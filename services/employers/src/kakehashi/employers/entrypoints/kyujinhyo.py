"""The 求人票 download, the same for the API and the portal: the order's terms, the employer's
profile, and the employer organisation's name from the organisation directory (a company with
no profile yet is still named on the sheet, as the page header names it)."""

from __future__ import annotations

from fastapi.responses import Response

from kakehashi.employers.adapters.kyujinhyo_xlsx import (
    XLSX_MEDIA_TYPE,
    build_kyujinhyo,
)
from kakehashi.employers.service_layer import queries
from kakehashi.shared.auth import Principal
from kakehashi.shared.clock import today
from kakehashi.shared.organisations import OrganisationNames, organisation_names
from kakehashi.shared.reference import order_number
from kakehashi.shared.unit_of_work import UnitOfWork
from kakehashi.shared.web import attachment


def sheet_name(names: OrganisationNames | None) -> str | None:
    """The company as a Japanese form names it: the Japanese name with the Latin one under it."""
    if names is None:
        return None
    if names.name_ja and names.name_ja != names.name_latin:
        return f"{names.name_ja}\n{names.name_latin}"
    return names.name_latin


def kyujinhyo_download(uow: UnitOfWork, principal: Principal, job_order_id: str) -> Response | None:
    """The workbook as an attachment, or None if the caller may not see the order."""
    order = queries.get_job_order(uow, principal, job_order_id)
    sheet = queries.job_order_sheet(uow, principal, job_order_id)
    if order is None or sheet is None:
        return None
    with uow:
        names = organisation_names(uow.session, [order.employer_id]).get(order.employer_id)
    terms, employer = sheet
    number = order_number(job_order_id)
    return attachment(
        build_kyujinhyo(job_order_id, terms, employer, today(), sheet_name(names)),
        XLSX_MEDIA_TYPE,
        f"kyujinhyo-{number}.xlsx",
        unicode_filename=f"求人票-{number}.xlsx",
    )
