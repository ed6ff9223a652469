"""Bulk import: a job holds the uploaded file; rows are registered in chunks, one transaction
each (rows, consents, history, audit and outbox together), with the job's counters in it.

A chunk's commit moves `processed` forward exactly, so a job interrupted by a restart can be
resumed from where it stopped (`run_import` skips the rows already processed). Duplicates, by
the registration's rule, are found for a whole chunk in one query and reported per row.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from itertools import islice

from sqlalchemy import update
from sqlmodel import Session, col, select

from kakehashi.candidates.adapters.import_tables import ImportFailure, ImportFile, ImportJob
from kakehashi.candidates.adapters.spreadsheets import (
    FileFormat,
    FileLimits,
    UnreadableFileError,
    check_limits,
    count_rows,
    read_rows,
)
from kakehashi.candidates.domain.names import DuplicateCandidateError
from kakehashi.candidates.domain.privacy import AuditAction
from kakehashi.candidates.service_layer.bulk_gc import fewer_full_collections
from kakehashi.candidates.service_layer.handlers import commit, same_person
from kakehashi.candidates.service_layer.import_duplicates import (
    ChunkDuplicates,
    duplicate_reason,
)
from kakehashi.candidates.service_layer.import_preparation import (
    Chunk,
    Ready,
    RowParser,
    failure,
    prepared_chunks,
)
from kakehashi.candidates.service_layer.registration import (
    RegistrationRows,
    write_registrations,
)
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.clock import today, utcnow
from kakehashi.shared.errors import DomainError
from kakehashi.shared.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

Progress = Callable[[ImportJob], None]
UowFactory = Callable[[], UnitOfWork]
# Rows per transaction. A commit writes out every index page its chunk touched, and the
# candidate-keyed indexes are random, so larger chunks write each page fewer times: 100k rows on
# SQLite took 30.9 s in chunks of 1,000 and 28.9 s in chunks of 2,000 (docs/operations.md).
CHUNK = 2000
# The failures file lists this many rows; a file failing on more is counted, not listed (a
# million broken rows make a file nobody fixes row by row, and a 400 MB download).
MAX_LISTED_FAILURES = 10_000
# One import at a time per centre: a second upload while one runs is refused (409). A job
# left queued or running by a crash stops blocking after this long.
RUNNING_FOR_AT_MOST = timedelta(minutes=30)


class ImportRunningError(Exception):
    """The centre already has an import queued or running."""

    def __init__(self, job_id: str) -> None:
        super().__init__(f"import {job_id} is still running; upload again when it is done")
        self.job_id = job_id


class JobStatus:
    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


def create_job(
    uow: UnitOfWork,
    principal: Principal,
    filename: str,
    file_format: FileFormat,
    content: bytes,
    limits: FileLimits | None = None,
) -> ImportJob:
    """A queued job holding the file, counted within `limits` (DomainError on `file` naming
    the limit it exceeds); the caller checked its header. ImportRunningError while the
    centre's previous import runs."""
    try:
        total = check_limits(content, file_format, limits or FileLimits())
    except UnreadableFileError as error:
        raise DomainError("file", str(error)) from None
    running = _running_job(uow, principal.organisation_id)
    if running is not None:
        raise ImportRunningError(running)
    job = ImportJob(
        total=total,
        id=str(uuid.uuid4()),
        training_centre_id=principal.organisation_id,
        created_by=principal.subject,
        filename=filename[:255],
        file_format=file_format.value,
        status=JobStatus.QUEUED,
        created_at=utcnow(),
    )
    with uow:
        uow.session.add(job)
        uow.session.flush()  # no ORM relationship orders the two inserts
        uow.session.add(ImportFile(job_id=job.id, content=content))
        uow.commit()
    return job


def _running_job(uow: UnitOfWork, centre: str) -> str | None:
    since = utcnow() - RUNNING_FOR_AT_MOST
    with uow:
        return uow.session.exec(
            select(ImportJob.id).where(
                col(ImportJob.training_centre_id) == centre,
                col(ImportJob.status).in_([JobStatus.QUEUED, JobStatus.RUNNING]),
                col(ImportJob.created_at) >= since,
            )
        ).first()


def get_job(uow: UnitOfWork, principal: Principal, job_id: str) -> ImportJob | None:
    """The job if it is the caller's centre's (program managers and admins see all)."""
    with uow:
        job = uow.session.get(ImportJob, job_id)
        if job is None:
            return None
        if not principal.may_access(job.training_centre_id):
            return None
        return job


def job_failures(uow: UnitOfWork, principal: Principal, job_id: str) -> list[ImportFailure] | None:
    """The rows of a job that were not registered, in file order; None if not visible."""
    if get_job(uow, principal, job_id) is None:
        return None
    with uow:
        return list(
            uow.session.exec(
                select(ImportFailure)
                .where(col(ImportFailure.job_id) == job_id)
                .order_by(col(ImportFailure.row_number))
            ).all()
        )


@dataclass
class _Outcome:
    registered: list[RegistrationRows]
    failures: list[ImportFailure]


def _sort_out_duplicates(
    session: Session, job: ImportJob, principal: Principal, chunk: Chunk, ready: list[Ready]
) -> _Outcome:
    found = ChunkDuplicates(session, principal, [registration for _, registration in ready])
    outcome = _Outcome([], [])
    data = dict(chunk)
    for number, registration in ready:
        reason = found.reason(registration)
        if reason is None:
            outcome.registered.append(registration)
        else:
            outcome.failures.append(failure(job.id, number, data[number], reason, duplicate=True))
    return outcome


def _save_progress(
    uow: UnitOfWork, job: ImportJob, failures: list[ImportFailure], created: int, rows: int
) -> None:
    """Add the failures (up to MAX_LISTED_FAILURES per job) and move the job's counters in the
    chunk's transaction, then commit."""
    room = MAX_LISTED_FAILURES - (job.failed + job.duplicates)
    uow.session.add_all(failures[: max(room, 0)])
    duplicates = sum(1 for f in failures if f.duplicate)
    counters = {
        "processed": job.processed + rows,
        "created": job.created + created,
        "duplicates": job.duplicates + duplicates,
        "failed": job.failed + len(failures) - duplicates,
    }
    uow.session.execute(update(ImportJob).where(col(ImportJob.id) == job.id).values(**counters))
    commit(uow)
    job.sqlmodel_update(counters)  # only once committed: a failed chunk is retried from here


def _save_chunk(
    uow: UnitOfWork, job: ImportJob, principal: Principal, outcome: _Outcome, rows: int
) -> None:
    write_registrations(uow, principal, AuditAction.IMPORT, outcome.registered)
    _save_progress(uow, job, outcome.failures, len(outcome.registered), rows)


def _save_one_by_one(
    uow_factory: UowFactory,
    job: ImportJob,
    principal: Principal,
    chunk: Chunk,
    ready: list[Ready],
    failures: list[ImportFailure],
) -> None:
    """The slow path, after a concurrent registration made a chunk's commit fail."""
    created, data = 0, dict(chunk)
    for number, registration in ready:
        new = registration.candidate
        with uow_factory() as uow:
            seen = same_person(
                uow.session, new["full_name"], new["date_of_birth"], new["passport_number"], None
            )
            if seen is None:
                try:
                    write_registrations(uow, principal, AuditAction.IMPORT, [registration])
                    commit(uow)
                    created += 1
                    continue
                except DuplicateCandidateError:  # the passport index: a concurrent one won
                    pass
            reason = duplicate_reason(principal, seen)
            failures.append(failure(job.id, number, data[number], reason, duplicate=True))
    with uow_factory() as uow:
        _save_progress(uow, job, failures, created, len(chunk))


def run_import(
    uow_factory: UowFactory, job_id: str, parse: RowParser, on_progress: Progress | None = None
) -> ImportJob:
    """Register the job's rows from where it stopped; valid rows are saved whatever the others
    hold. An unexpected error marks the job failed (with the error) and is raised again."""
    with uow_factory() as uow:
        job = uow.session.get(ImportJob, job_id)
        if job is None:
            raise LookupError(f"no import job {job_id}")
        file = uow.session.get(ImportFile, job_id)
        if file is None:
            raise LookupError(f"import job {job_id} is finished; its file is gone")
        content, file_format = file.content, FileFormat(job.file_format)
        unreadable = None
        if job.total is None:  # a job queued before uploads were counted
            try:
                job.total = count_rows(content, file_format)
            except UnreadableFileError as error:
                unreadable = str(error)
        job.status = JobStatus.RUNNING
        uow.session.add(job)
        uow.commit()
    if unreadable is not None:  # never left queued: the job fails with the reason
        return _finish(uow_factory, job, JobStatus.FAILED, unreadable)
    principal = Principal(
        subject=job.created_by, role=Role.TRAINING_CENTRE, organisation_id=job.training_centre_id
    )

    def write(chunk: Chunk, ready: list[Ready], failures: list[ImportFailure]) -> None:
        try:
            with uow_factory() as uow:
                outcome = _sort_out_duplicates(uow.session, job, principal, chunk, ready)
                outcome.failures = sorted(failures + outcome.failures, key=lambda f: f.row_number)
                _save_chunk(uow, job, principal, outcome, len(chunk))
        except DuplicateCandidateError:
            _save_one_by_one(uow_factory, job, principal, chunk, ready, failures)
        if on_progress is not None:
            on_progress(job)

    try:
        # A writer thread overlapping the next chunk's parsing was tried: slower (both halves
        # hold the GIL most of the time).
        rows = islice(read_rows(content, file_format), job.processed, None)
        rows_left = (job.total or 0) - job.processed
        with fewer_full_collections():
            for chunk, (ready, failures) in prepared_chunks(
                job.id, principal, rows, parse, today(), size=CHUNK, rows_left=rows_left
            ):
                write(chunk, ready, failures)
    except Exception as error:
        _finish(uow_factory, job, JobStatus.FAILED, f"{type(error).__name__}: {error}")
        log.exception("import failed", extra={"job_id": job.id})
        raise
    return _finish(uow_factory, job, JobStatus.DONE, None)


def _finish(uow_factory: UowFactory, job: ImportJob, status: str, error: str | None) -> ImportJob:
    with uow_factory() as uow:
        stored = uow.session.get(ImportJob, job.id)
        assert stored is not None
        stored.status, stored.error, stored.finished_at = status, error, utcnow()
        if status == JobStatus.DONE:
            # The file holds personal data of every row; once done it is not needed (the failed
            # rows are kept apart for the centre to fix), so it is not kept.
            file = uow.session.get(ImportFile, job.id)
            if file is not None:
                uow.session.delete(file)
        uow.session.add(stored)
        uow.commit()
        return stored
