"""Bulk import endpoints: upload a CSV or XLSX, follow the job, download failed rows, templates.

The job runs in the API process after the response (FastAPI BackgroundTasks, in its thread
pool): fine for files of up to ~100k rows, but a restart stops it midway. It is left `running`
and can be finished with `kakehashi-candidates import --resume JOB_ID` (chunks commit their
progress, so nothing is registered twice). A worker queue would lift that limit.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request, UploadFile, status
from fastapi.responses import Response
from pydantic import BaseModel

from kakehashi.candidates.adapters.import_tables import ImportJob
from kakehashi.candidates.adapters.spreadsheets import (
    FileLimits,
    write_csv,
    write_xlsx,
)
from kakehashi.candidates.config import CandidatesSettings
from kakehashi.candidates.entrypoints.deps import Reader, TrainingCentre
from kakehashi.candidates.entrypoints.import_rows import (
    COLUMNS,
    FAILURE_COLUMNS,
    checked_format,
    command_of_row,
    template_rows,
)
from kakehashi.candidates.service_layer import imports
from kakehashi.shared.auth import Language
from kakehashi.shared.schemas import Timestamp
from kakehashi.shared.settings import ServiceSettings
from kakehashi.shared.web import UowDep, attachment, runtime_of

router = APIRouter(prefix="/imports", tags=["imports"])

MAX_UPLOAD_BYTES = 32 * 1024 * 1024  # ~150k rows of CSV
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


class ImportJobPublic(BaseModel):
    id: str
    status: str
    filename: str
    total: int | None
    processed: int
    created: int
    duplicates: int
    failed: int
    error: str | None
    created_at: Timestamp
    finished_at: Timestamp | None


def job_public(job: ImportJob) -> ImportJobPublic:
    return ImportJobPublic.model_validate(
        job.model_dump()
        | {
            "created_at": job.created_at,
            "finished_at": job.finished_at,
        }
    )


CSV_FILE: dict[int | str, dict[str, Any]] = {
    200: {"content": {CSV_TYPE: {}}, "description": "a CSV file (UTF-8 with BOM)"}
}
XLSX_FILE: dict[int | str, dict[str, Any]] = {
    200: {"content": {XLSX_TYPE: {}}, "description": "an XLSX workbook"}
}


@router.get("/template.csv", response_class=Response, responses=CSV_FILE)
def template_csv() -> Response:
    """An empty import file with one example row (UTF-8 with BOM, for Excel)."""
    header, rows = template_rows()
    return attachment(write_csv(header, rows), CSV_TYPE, "candidates-template.csv")


@router.get("/template.xlsx", response_class=Response, responses=XLSX_FILE)
def template_xlsx() -> Response:
    header, rows = template_rows()
    return attachment(write_xlsx(header, rows), XLSX_TYPE, "candidates-template.xlsx")


@router.post("", status_code=status.HTTP_202_ACCEPTED, responses={409: {}, 413: {}, 422: {}})
def upload(
    file: UploadFile,
    principal: TrainingCentre,
    uow: UowDep,
    request: Request,
    background: BackgroundTasks,
) -> ImportJobPublic:
    """Start importing a filled-in template; follow it at GET /imports/{id}."""
    content = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, detail="file too large")
    filename = file.filename or "upload"
    file_format = checked_format(filename, content)
    limits = import_limits(runtime_of(request).settings)
    try:
        job = imports.create_job(uow, principal, filename, file_format, content, limits)
    except imports.ImportRunningError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(error)) from None
    background.add_task(imports.run_import, runtime_of(request).uow, job.id, command_of_row)
    return job_public(job)


def import_limits(settings: ServiceSettings) -> FileLimits:
    """The candidates service's limits on an uploaded file, from its settings."""
    assert isinstance(settings, CandidatesSettings)
    return FileLimits(
        max_rows=settings.import_max_rows,
        max_cell_chars=settings.import_max_cell_chars,
        max_uncompressed_bytes=settings.import_max_uncompressed_bytes,
        max_shared_strings_bytes=settings.import_max_shared_strings_bytes,
    )


@router.get("/{job_id}")
def get_job(job_id: str, principal: Reader, uow: UowDep) -> ImportJobPublic:
    job = imports.get_job(uow, principal, job_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="import not found")
    return job_public(job)


@router.get("/{job_id}/failures.csv", response_class=Response, responses=CSV_FILE)
def failures_csv(
    job_id: str, principal: Reader, uow: UowDep, language: Language | None = None
) -> Response:
    """The rows not registered, each with its reason; fix them and upload this file again.

    `reason` is the service's own wording (kept for programs that read it); `explanation` says
    it in the reader's language (`language`, else the token's, else English), with the column
    by its label and what to write instead."""
    # The portal's catalogs explain; imported here, as the portal's pages import this module.
    from kakehashi.candidates.entrypoints.portal.import_reasons import explanation_of

    failures = imports.job_failures(uow, principal, job_id)
    if failures is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="import not found")
    reader = language or principal.language or "en"
    explain = explanation_of(reader)
    header = [*FAILURE_COLUMNS, *COLUMNS]
    rows = [
        [f.row_number, f.reason, explain(f), *(f.data.get(c) or "" for c in COLUMNS)]
        for f in failures
    ]
    job = imports.get_job(uow, principal, job_id)
    unlisted = (job.failed + job.duplicates - len(failures)) if job else 0
    if unlisted > 0:
        rows.append(["", f"{unlisted:,} more rows failed and are not listed: fix these first"])
    return attachment(write_csv(header, rows), CSV_TYPE, f"import-{job_id}-failures.csv")
