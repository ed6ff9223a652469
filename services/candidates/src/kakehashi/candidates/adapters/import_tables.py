"""Tables of bulk imports: the job, its uploaded file (kept until done, so a job can be
resumed) and the rows that could not be registered."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from kakehashi.shared.db import UTCDateTime


class ImportJob(SQLModel, table=True):
    __tablename__ = "import_job"

    id: str = Field(primary_key=True, max_length=36)
    training_centre_id: str = Field(index=True, max_length=100)
    created_by: str = Field(max_length=200)
    filename: str = Field(max_length=255)
    file_format: str = Field(max_length=8)  # csv | xlsx
    status: str = Field(max_length=16)  # queued | running | done | failed
    total: int | None = None  # known once the file has been counted
    processed: int = 0  # rows handled so far, in file order: a resumed job skips them
    created: int = 0
    duplicates: int = 0
    failed: int = 0
    error: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ImportFile(SQLModel, table=True):
    """The uploaded bytes, apart from the job: updating the job's counters after every chunk
    must not rewrite a many-megabyte row. Deleted once the job is done."""

    __tablename__ = "import_file"

    job_id: str = Field(foreign_key="import_job.id", primary_key=True, max_length=36)
    content: bytes = Field(sa_type=sa.LargeBinary)


class ImportFailure(SQLModel, table=True):
    """A row not registered: a broken rule, or a person already registered (`duplicate`)."""

    __tablename__ = "import_failure"

    id: int | None = Field(default=None, primary_key=True)
    job_id: str = Field(foreign_key="import_job.id", index=True, max_length=36)
    row_number: int  # as the spreadsheet numbers it: the header is row 1
    duplicate: bool = False
    reason: str = Field(max_length=4000)  # every problem of the row, joined
    data: dict[str, Any] = Field(sa_type=sa.JSON)
