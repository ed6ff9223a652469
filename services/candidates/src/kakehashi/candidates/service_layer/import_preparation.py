"""An import's rows made ready for writing, a chunk at a time: parsed, validated, judged, their
rows and event built (`prepare_registration`), or failed with their reason.

That is about two thirds of an import's CPU (py-spy), and none of it touches the database, so a
large import has it done in a helper process while the importing process writes the chunks
before (docs/operations.md, "Fourth round"). Chunks go to the helper and come back pickled:
about 0.07 ms a row both ways, against some 0.2 ms to prepare one. A small import is prepared
in place, since starting the helper (a fresh interpreter importing the service) costs a second
or two.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import date
from itertools import islice

from kakehashi.candidates.adapters.import_tables import ImportFailure
from kakehashi.candidates.adapters.spreadsheets import Row
from kakehashi.candidates.domain.commands import RegisterCandidate
from kakehashi.candidates.service_layer.bulk_gc import fewer_full_collections, for_a_bulk_helper
from kakehashi.candidates.service_layer.registration import Registration, prepare_registration
from kakehashi.shared.auth import Principal
from kakehashi.shared.errors import DomainError

RowParser = Callable[[str, Mapping[str, str | None]], RegisterCandidate]
Ready = tuple[int, Row, Registration]
Prepared = tuple[list[Ready], list[ImportFailure]]
# An import with at least this many rows left is prepared in a helper process (when the
# machine has a second core): below it, the helper's start costs more than it saves.
HELPER_FROM_ROWS = 20_000
# Chunks handed to the helper ahead of the one being written: enough that it never waits,
# few enough that the file is not copied into it whole. (The importing process preparing a chunk
# itself whenever the helper was behind was tried: no faster, since both cores were already busy,
# and it held more chunks at once.)
AHEAD = 2


class RowProblemsError(DomainError):
    """Every problem one row holds (column, message), so a centre fixes the row in one go
    rather than one refusal per upload; the first names the error's field."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(*problems[0])
        self.problems = problems


# A failure's reason lists its problems as `<path>: <message>`, joined by this.
REASON_SEPARATOR = "; "
REASON_MAX = 4000  # ImportFailure.reason's length


def reason_of(error: DomainError) -> str:
    """The stored reason of a row refused by `error`: each of its problems, joined."""
    problems = (
        error.problems if isinstance(error, RowProblemsError) else [(error.field, error.message)]
    )
    return REASON_SEPARATOR.join(f"{field}: {message}" for field, message in problems)


def failure(
    job_id: str, number: int, row: Row, reason: str, duplicate: bool = False
) -> ImportFailure:
    return ImportFailure(
        job_id=job_id, row_number=number, duplicate=duplicate, reason=reason[:REASON_MAX], data=row
    )


def prepare_chunk(
    job_id: str,
    principal: Principal,
    chunk: list[tuple[int, Row]],
    parse: RowParser,
    on: date,
) -> Prepared:
    """The chunk's rows ready to write, and the failures of those that cannot be."""
    ready, failures = [], []
    with fewer_full_collections():
        for number, row in chunk:
            try:
                command = parse(principal.organisation_id, row)
                ready.append((number, row, prepare_registration(principal, command, on)))
            except DomainError as error:
                failures.append(failure(job_id, number, row, reason_of(error)))
    return ready, failures


def chunks(rows: Iterator[tuple[int, Row]], size: int) -> Iterator[list[tuple[int, Row]]]:
    while chunk := list(islice(rows, size)):
        yield chunk


def prepared_chunks(
    job_id: str,
    principal: Principal,
    rows: Iterator[tuple[int, Row]],
    parse: RowParser,
    on: date,
    *,
    size: int,
    rows_left: int,
) -> Iterator[tuple[Prepared, int]]:
    """Each chunk of `rows` prepared, with its number of rows, in file order."""
    if rows_left < HELPER_FROM_ROWS or (os.cpu_count() or 1) < 2:
        for chunk in chunks(rows, size):
            yield prepare_chunk(job_id, principal, chunk, parse, on), len(chunk)
        return
    # spawn, not fork: the importing process has threads (the API's), which fork does not copy.
    helper = ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=for_a_bulk_helper,
    )
    pending: deque[tuple[Future[Prepared], int]] = deque()
    try:
        for chunk in chunks(rows, size):
            future = helper.submit(prepare_chunk, job_id, principal, chunk, parse, on)
            pending.append((future, len(chunk)))
            if len(pending) > AHEAD:
                done, count = pending.popleft()
                yield done.result(), count
        while pending:
            done, count = pending.popleft()
            yield done.result(), count
    finally:
        helper.shutdown(wait=True, cancel_futures=True)
