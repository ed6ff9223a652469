"""Import internals kept fast: statements reused across chunks, rows counted without being
built, and the garbage collector's setting put back however imports overlap."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from kakehashi.candidates.adapters.spreadsheets import FileFormat, count_rows, read_rows, write_csv
from kakehashi.candidates.adapters.tables import Candidate
from kakehashi.candidates.bootstrap import SPEC
from kakehashi.candidates.entrypoints.import_rows import command_of_row
from kakehashi.candidates.service_layer import import_preparation, imports
from kakehashi.candidates.service_layer.bulk_gc import (
    FULL_COLLECTION_EVERY,
    fewer_full_collections,
)
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.runtime import Runtime

HEADER = ["full_name", "date_of_birth", "province", "sector", "passport_number"]


def _people(count: int, passports: bool) -> list[list[str]]:
    born = date(1995, 1, 1)
    return [
        [
            f"Nguyen Van {i}",
            (born + timedelta(days=i)).isoformat(),
            "Tây Ninh",
            "construction",
            f"C{i:07d}" if passports else "",
        ]
        for i in range(count)
    ]


@pytest.fixture
def runtime(database_url: str) -> Iterator[Runtime]:
    settings = SPEC.settings_factory(  # type: ignore[call-arg]
        database_url=database_url, environment="development"
    )
    runtime = Runtime.build(settings, SPEC.migrations)
    runtime.migrate()
    yield runtime
    runtime.engine.dispose()


@pytest.mark.integration
@pytest.mark.parametrize("passports", [True, False])
def test_a_second_upload_finds_everyone_whatever_the_chunk_and_query_sizes(
    runtime: Runtime, passports: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 437 people in chunks of 230: name queries of 200 and 30 pairs, passport lists of 230
    # and 207, none of them a multiple of the statement size step.
    monkeypatch.setattr(imports, "CHUNK", 230)
    content = write_csv(HEADER, _people(437, passports))
    centre = Principal(subject="tc", role=Role.TRAINING_CENTRE, organisation_id="tc-1")
    counts = []
    for _ in range(2):
        job = imports.create_job(runtime.uow(), centre, "p.csv", FileFormat.CSV, content)
        job = imports.run_import(runtime.uow, job.id, command_of_row)
        counts.append((job.processed, job.created, job.duplicates, job.failed))
    assert counts == [(437, 437, 0, 0), (437, 0, 437, 0)]


@pytest.mark.integration
def test_a_helper_process_prepares_the_rows_as_the_importing_process_would(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows prepared in a helper process (large imports) are written in file order, with the
    same people registered, the same repeats found and the same failures as rows prepared in
    place."""
    monkeypatch.setattr(imports, "CHUNK", 40)
    people = _people(150, passports=True)
    people[7][3] = "mining"  # not a sector
    people[120] = list(people[3])  # the same person again, in a later chunk
    content = write_csv(HEADER, people)
    outcomes = []
    for centre_id, helper_from in (("tc-here", 10**9), ("tc-helper", 1)):
        monkeypatch.setattr(import_preparation, "HELPER_FROM_ROWS", helper_from)
        centre = Principal(subject="tc", role=Role.TRAINING_CENTRE, organisation_id=centre_id)
        if centre_id == "tc-helper":  # other people, so nobody repeats the first run's
            content = content.replace(b"Nguyen", b"Tran").replace(b",C0", b",D0")
        job = imports.create_job(runtime.uow(), centre, "p.csv", FileFormat.CSV, content)
        job = imports.run_import(runtime.uow, job.id, command_of_row)
        with runtime.uow() as uow:
            failures = imports.job_failures(uow, centre, job.id) or []
            names = uow.session.exec(
                select(Candidate.full_name)
                .where(Candidate.training_centre_id == centre_id)
                .order_by(Candidate.full_name)
            ).all()
        reasons = [(f.row_number, f.duplicate, f.reason.split(" (")[0]) for f in failures]
        names = [name.replace("Tran", "Nguyen") for name in names]
        outcomes.append(((job.processed, job.created, job.duplicates, job.failed), reasons, names))
    assert outcomes[0][0] == (150, 148, 1, 1)
    assert outcomes[1] == outcomes[0]


def test_the_importing_process_prepares_chunks_too_while_the_helper_is_behind(
    tmp_path: Path,
) -> None:
    """Chunks come back in file order whoever prepared them, the importing process takes some
    rather than wait, and no parcel is left behind."""
    here = threading.current_thread().name

    def prepare(chunk: import_preparation.Chunk) -> Any:
        time.sleep(0.02)  # the helper's queue is full while the first chunks are due
        return [(number, threading.current_thread().name) for number, _ in chunk], []

    chunks: list[import_preparation.Chunk] = [
        [(n, {"n": str(n)}) for n in range(start, start + 3)] for start in range(0, 60, 3)
    ]
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="helper") as helper:
        shared = import_preparation.shared_preparation(helper, prepare, iter(chunks), str(tmp_path))
        results: list[tuple[import_preparation.Chunk, Any]] = list(shared)
    assert [chunk for chunk, _ in results] == chunks
    done_by: list[str] = [name for _, (ready, _) in results for _, name in ready]
    assert [number for _, (ready, _) in results for number, _ in ready] == list(range(60))
    assert here in done_by
    assert any(name.startswith("helper") for name in done_by)
    assert list(tmp_path.iterdir()) == []


def test_rows_are_counted_as_they_are_read() -> None:
    content = (
        "full_name,province\n"
        "An,Tây Ninh\n"
        ",\n"  # blank: skipped
        "Binh,Nghệ An,extra cell\n"
        "\n"
        ",,only past the header\n"
    ).encode()
    assert count_rows(content, FileFormat.CSV) == len(list(read_rows(content, FileFormat.CSV)))
    assert count_rows(content, FileFormat.CSV) == 3


def test_overlapping_imports_put_the_collector_setting_back() -> None:
    before = gc.get_threshold()
    first, second = fewer_full_collections(), fewer_full_collections()
    first.__enter__()
    assert gc.get_threshold()[2] == max(before[2], FULL_COLLECTION_EVERY)
    second.__enter__()
    first.__exit__(None, None, None)  # the first to start finishes first
    assert gc.get_threshold()[2] == max(before[2], FULL_COLLECTION_EVERY)
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before
