"""Bulk import from the portal: upload a filled-in template (CSV or XLSX), watch the job's
progress (htmx polls the progress panel until the job ends), download the failed rows.

The same use cases as the JSON API (`service_layer/imports.py`): the job runs after the
response, in the API process, chunk by chunk.
"""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from kakehashi.candidates.entrypoints import imports_api
from kakehashi.candidates.entrypoints.import_rows import checked_format, command_of_row
from kakehashi.candidates.entrypoints.portal import import_reasons
from kakehashi.candidates.entrypoints.portal.forms import REFUSED
from kakehashi.candidates.entrypoints.portal.labels import N_
from kakehashi.candidates.entrypoints.portal.rendering import PREFIX, render, translations
from kakehashi.candidates.entrypoints.portal.session import Centre, PortalUser, check_csrf
from kakehashi.candidates.service_layer import imports
from kakehashi.shared.auth import Language, Principal
from kakehashi.shared.errors import DomainError
from kakehashi.shared.ui.pages import language_of
from kakehashi.shared.web import UowDep, runtime_of

router = APIRouter(prefix=PREFIX, include_in_schema=False)
FINISHED = (imports.JobStatus.DONE, imports.JobStatus.FAILED)
STILL_RUNNING = N_("Your previous import is still running; upload again when it is done.")


def _upload_page(
    request: Request,
    principal: Principal,
    error: str | None = None,
    status_code: int = 200,
    running_job: str | None = None,
) -> HTMLResponse:
    return render(
        request,
        "imports.html",
        principal,
        status_code=status_code,
        error=error,
        running_job=running_job,
        max_megabytes=imports_api.MAX_UPLOAD_BYTES // (1024 * 1024),
        page_url=PREFIX + "/imports",
    )


@router.get("/imports")
def imports_page(request: Request, principal: Centre) -> HTMLResponse:
    """The upload form and the templates to fill in."""
    return _upload_page(request, principal)


@router.post("/imports")
async def upload(
    request: Request, principal: Centre, uow: UowDep, background: BackgroundTasks
) -> Response:
    """Start the import and go to its progress page; a file that cannot be read comes back
    with the reason (422), before any job starts."""
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    gettext = translations(language_of(request)).gettext
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return _upload_page(request, principal, gettext("Choose a CSV or XLSX file."), 422)
    content = await file.read(imports_api.MAX_UPLOAD_BYTES + 1)
    if len(content) > imports_api.MAX_UPLOAD_BYTES:
        return _upload_page(request, principal, gettext("The file is too large."), 413)
    limits = imports_api.import_limits(runtime_of(request).settings)
    try:
        file_format = checked_format(file.filename, content)
        job = imports.create_job(uow, principal, file.filename, file_format, content, limits)
    except DomainError as error:
        message = gettext(REFUSED) % {"reason": error.message}
        return _upload_page(request, principal, message, 422)
    except imports.ImportRunningError as running:
        message = gettext(STILL_RUNNING)
        return _upload_page(request, principal, message, 409, running_job=running.job_id)
    background.add_task(imports.run_import, runtime_of(request).uow, job.id, command_of_row)
    return RedirectResponse(f"{PREFIX}/imports/{job.id}", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/imports/{job_id}")
def import_page(request: Request, job_id: str, principal: PortalUser, uow: UowDep) -> HTMLResponse:
    """The job's progress; htmx asks for the progress panel alone, every second until done."""
    job = imports.get_job(uow, principal, job_id)
    if job is None:
        return render(request, "not_found.html", principal, status_code=404)
    done = job.status in FINISHED
    percent = 100 if done else int(100 * job.processed / job.total) if job.total else 0
    partial = _is_poll(request)
    template = "_import_progress.html" if partial else "import.html"
    # The rows refused so far are explained as they fail, not only once the job is marked done.
    problems, shown = _problems(request, uow, principal, job_id)
    response = render(
        request,
        template,
        principal,
        job=job,
        done=done,
        percent=percent,
        problems=problems,
        shown_rows=shown,
        not_registered=job.failed + job.duplicates,
    )
    # One URL for the page and its panel: a browser must not show a kept panel as the page.
    response.headers["Vary"] = "HX-Request"
    if partial:
        response.headers["Cache-Control"] = "no-store"
    return response


def _is_poll(request: Request) -> bool:
    """htmx asking for the progress panel (a history restore wants the whole page)."""
    headers = request.headers
    return (
        headers.get("hx-request") == "true" and headers.get("hx-history-restore-request") != "true"
    )


def _problems(
    request: Request, uow: UowDep, principal: Principal, job_id: str
) -> tuple[list[import_reasons.RowProblem], int]:
    """The first failed rows of a finished job, explained in the reader's language (one line
    per problem of a row), and how many rows they are."""
    failures = imports.job_failures(uow, principal, job_id) or []
    gettext = translations(language_of(request)).gettext
    shown = failures[: import_reasons.SHOWN_ON_PAGE]
    return [p for f in shown for p in import_reasons.explain_all(f, gettext)], len(shown)


@router.get("/imports/{job_id}/failures.csv")
def failures_csv(request: Request, job_id: str, principal: PortalUser, uow: UowDep) -> Response:
    """The rows not registered, each with its reason (the API's file), explained in the
    language the page is read in."""
    try:
        readers: dict[str, Language] = {"vi": "vi", "ja": "ja", "en": "en"}
        reader = readers.get(language_of(request))
        return imports_api.failures_csv(job_id, principal, uow, reader)
    except HTTPException:
        return Response("import not found", status_code=404)
