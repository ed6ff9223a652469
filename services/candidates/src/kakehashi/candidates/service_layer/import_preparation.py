"""An import's rows made ready for writing, a chunk at a time: parsed, validated, judged, their
rows and outbox row built (`prepare_registration`), or failed with their reason.

That is about two thirds of an import's CPU (py-spy), and none of it touches the database, so a
large import shares it with a helper process (docs/operations.md, "Fourth round" and "Fifth
round"). The helper always has a few chunks to prepare; the importing process writes the
chunks in file order and, while the one due next is still at the helper, prepares a later one
itself rather than wait. Chunks go to the helper as their rows and come back as what they write
(`RegistrationRows`, plain values): about 0.09 ms a row both ways, against some 0.35-0.45 ms
to prepare one. A small import is prepared in place, since starting the helper (a fresh
interpreter importing the service) costs a second or two.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import tempfile
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from functools import partial
from itertools import islice
from typing import Any

from kakehashi.candidates.adapters.import_tables import ImportFailure
from kakehashi.candidates.adapters.spreadsheets import Row
from kakehashi.candidates.domain.commands import RegisterCandidate
from kakehashi.candidates.service_layer.bulk_gc import fewer_full_collections, for_a_bulk_helper
from kakehashi.candidates.service_layer.registration import (
    RegistrationRows,
    prepare_registration,
)
from kakehashi.shared.auth import Principal
from kakehashi.shared.errors import DomainError

RowParser = Callable[[str, Mapping[str, str | None]], RegisterCandidate]
Chunk = list[tuple[int, Row]]  # (row number, row)
Ready = tuple[int, RegistrationRows]  # (row number, what it writes)
Prepared = tuple[list[Ready], list[ImportFailure]]
# An import with at least this many rows left is prepared in a helper process (when the
# machine has a second core): below it, the helper's start costs more than it saves.
HELPER_FROM_ROWS = 20_000
# Chunks the helper has to do at any time (one running, two waiting), so it never idles.
HELPER_QUEUE = 3
# Chunks read ahead of the one being written: the helper's and the importing process's work
# in hand, and few enough that the file is not held prepared whole.
READ_AHEAD = 8


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
    chunk: Chunk,
    parse: RowParser,
    on: date,
) -> Prepared:
    """The chunk's rows ready to write, and the failures of those that cannot be. A ready row
    comes back without its data, which the caller holds (it is sent once, not both ways)."""
    ready, failures = [], []
    with fewer_full_collections():
        for number, row in chunk:
            try:
                command = parse(principal.organisation_id, row)
                ready.append((number, prepare_registration(principal, command, on).rows()))
            except DomainError as error:
                failures.append(failure(job_id, number, row, reason_of(error)))
    return ready, failures


def chunks(rows: Iterator[tuple[int, Row]], size: int) -> Iterator[Chunk]:
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
) -> Iterator[tuple[Chunk, Prepared]]:
    """Each chunk of `rows`, and it prepared, in file order."""
    prepare = partial(prepare_chunk, job_id, principal, parse=parse, on=on)
    if rows_left < HELPER_FROM_ROWS or (os.cpu_count() or 1) < 2:
        for chunk in chunks(rows, size):
            yield chunk, prepare(chunk)
        return
    with tempfile.TemporaryDirectory(prefix="kakehashi-import-") as parcels:
        # spawn, not fork: the importing process has threads (the API's), which fork does not
        # copy. The helper is stopped before its parcels' directory goes.
        helper = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=for_a_bulk_helper,
        )
        try:
            yield from shared_preparation(helper, prepare, chunks(rows, size), parcels)
        finally:
            helper.shutdown(wait=True, cancel_futures=True)


# Chunks travel to the helper and back as files ("parcels"); only their paths go through the
# pool's pipes. A pipe moves a few kilobytes per read, and each read waits for the importing
# process's interpreter lock, which its own preparing and writing hold: a 2 MB chunk took
# seconds to arrive, and the helper stood idle a fifth of the import.
def _parcel(directory: str, value: object) -> str:
    """`value` pickled into a new file of `directory`; the file's path."""
    descriptor, path = tempfile.mkstemp(dir=directory)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return path


def _unparcel(path: str) -> Any:
    """What the parcel at `path` holds; the file is removed."""
    with open(path, "rb") as file:
        data = file.read()
    os.unlink(path)
    return pickle.loads(data)  # noqa: S301 (written by this import, in its own directory)


def _prepare_parcel(prepare: Callable[[Chunk], Prepared], path: str) -> str:
    """In the helper: the chunk parcelled at `path`, prepared, parcelled beside it."""
    chunk: Chunk = _unparcel(path)
    return _parcel(os.path.dirname(path), prepare(chunk))


@dataclass
class _Slot:
    """A chunk read ahead: at the helper (`future`), prepared here (`done`), or neither yet."""

    chunk: Chunk
    future: Future[str] | None = None  # the path of its prepared parcel
    done: Prepared | None = None

    @property
    def free(self) -> bool:
        return self.future is None and self.done is None

    def result(self, prepare: Callable[[Chunk], Prepared]) -> Prepared:
        if self.done is not None:
            return self.done
        if self.future is None:
            return prepare(self.chunk)
        prepared: Prepared = _unparcel(self.future.result())
        return prepared


def shared_preparation(
    helper: Executor,
    prepare: Callable[[Chunk], Prepared],
    chunks: Iterator[Chunk],
    parcels: str,
) -> Iterator[tuple[Chunk, Prepared]]:
    """The chunks prepared by the helper and by this process between them, in file order."""
    slots: deque[_Slot] = deque()

    def top_up() -> None:
        while len(slots) < READ_AHEAD and (chunk := next(chunks, None)) is not None:
            slots.append(_Slot(chunk))
        queued = sum(1 for slot in slots if slot.future is not None and not slot.future.done())
        for slot in slots:
            if queued >= HELPER_QUEUE:
                break
            if slot.free:
                slot.future = helper.submit(_prepare_parcel, prepare, _parcel(parcels, slot.chunk))
                queued += 1

    top_up()
    while slots:
        due = slots[0]
        spare = next((slot for slot in slots if slot.free), None)
        if due.future is not None and not due.future.done() and spare is not None:
            spare.done = prepare(spare.chunk)  # rather than wait for the helper
        else:
            slots.popleft()
            yield due.chunk, due.result(prepare)
        top_up()
