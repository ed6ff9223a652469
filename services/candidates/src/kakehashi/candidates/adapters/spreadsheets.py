"""Reading and writing the spreadsheets users fill in: CSV (UTF-8, with or without BOM) and XLSX.

Rows are streamed (openpyxl's read-only mode for XLSX), so a 100k-row file is never held as
Python objects all at once. Every cell comes out as a stripped string or None.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import openpyxl

from kakehashi.shared.cells import as_typed, safe_cell

Row = dict[str, str | None]


class FileFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"

    @classmethod
    def of(cls, filename: str) -> FileFormat | None:
        """The format a file name says, or None if it is neither."""
        suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        return cls(suffix) if suffix in {f.value for f in cls} else None


class UnreadableFileError(ValueError):
    """The bytes are not a readable file of the format claimed, or exceed a limit."""


@dataclass(frozen=True)
class FileLimits:
    """What an uploaded file may hold, checked before any row is parsed into a candidate: a
    12 MB workbook of five million blank rows or a shared-string bomb is refused in moments,
    with the reason, instead of filling the API's memory for minutes."""

    max_rows: int = 50_000  # rows of the sheet, blank ones included
    max_cell_chars: int = 4_096  # no field of a profile is longer
    max_uncompressed_bytes: int = 200 * 1024 * 1024  # what an XLSX unpacks to
    max_shared_strings_bytes: int = 64 * 1024 * 1024  # XLSX's table of distinct texts


def check_limits(content: bytes, file_format: FileFormat, limits: FileLimits) -> int:
    """The number of data rows (header and blank rows not counted), or UnreadableFileError
    naming the limit the file exceeds. Reads the file once, streaming, and stops at the first
    excess."""
    if file_format is FileFormat.XLSX:
        _check_archive(content, limits)
    raw_rows = _raw_rows(content, file_format, limits.max_cell_chars)
    data_rows = 0
    try:
        for number, raw in enumerate(raw_rows, start=1):
            if number > limits.max_rows + 1:
                raise UnreadableFileError(
                    f"more than {limits.max_rows:,} rows: split the file (blank rows count too)"
                )
            values = [_cell(v) for v in raw]
            if any(value and len(value) > limits.max_cell_chars for value in values):
                raise UnreadableFileError(
                    f"row {number}: a cell longer than {limits.max_cell_chars:,} characters"
                )
            if number > 1 and any(values):
                data_rows += 1
    finally:
        raw_rows.close()
    return data_rows


def _check_archive(content: bytes, limits: FileLimits) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as error:
        raise UnreadableFileError(f"not an XLSX workbook: {error}") from None
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.max_uncompressed_bytes:
        raise UnreadableFileError(
            f"the workbook unpacks to {unpacked // 2**20:,} MiB, more than the "
            f"{limits.max_uncompressed_bytes // 2**20:,} MiB allowed"
        )
    strings = sum(m.file_size for m in members if m.filename.endswith("sharedStrings.xml"))
    if strings > limits.max_shared_strings_bytes:
        raise UnreadableFileError(
            f"the workbook's text table is {strings // 2**20:,} MiB, more than the "
            f"{limits.max_shared_strings_bytes // 2**20:,} MiB allowed"
        )
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        rows = _sheet_rows(archive, stop_after=limits.max_rows + 1)
    if rows > limits.max_rows + 1:
        raise UnreadableFileError(
            f"more than {limits.max_rows:,} rows: split the file (blank rows count too)"
        )


def _sheet_rows(archive: zipfile.ZipFile, stop_after: int) -> int:
    """The `<row` elements of the workbook's sheets, counted on the compressed stream (openpyxl
    skips rows without cells only by parsing them all), stopping once past `stop_after`."""
    found, tail = 0, b""
    sheets = [
        m for m in archive.namelist() if m.startswith("xl/worksheets/") and m.endswith(".xml")
    ]
    for name in sheets:
        with archive.open(name) as stream:
            while chunk := stream.read(1 << 20):
                window = tail + chunk
                found += window.count(b"<row ") + window.count(b"<row>")
                tail = window[-5:]
                found -= tail.count(b"<row ") + tail.count(b"<row>")  # counted with the next
                if found > stop_after:
                    return found
        found += tail.count(b"<row ") + tail.count(b"<row>")
        tail = b""
    return found


def _cell(value: Any) -> str | None:
    if type(value) is str:  # every CSV cell: the fast path
        return as_typed(value.strip()) or None
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _raw_rows(
    content: bytes, file_format: FileFormat, max_cell_chars: int = FileLimits.max_cell_chars
) -> Generator[Sequence[Any], None, None]:
    if file_format is FileFormat.CSV:
        # Decoded as it is read: a large file is never held twice (bytes and text).
        text = io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline="")
        reader = csv.reader(text)
        _cells_up_to(max_cell_chars)
        try:
            yield from reader
        except UnicodeDecodeError as error:
            raise UnreadableFileError(f"not UTF-8 text: {error}") from None
        except csv.Error as error:
            raise UnreadableFileError(
                f"row {reader.line_num}: {error} (a cell may hold {max_cell_chars:,} characters)"
            ) from None
        return
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a damaged file
        raise UnreadableFileError(f"not an XLSX workbook: {error}") from None
    try:
        yield from book.worksheets[0].iter_rows(values_only=True)
    finally:
        book.close()


def _cells_up_to(characters: int) -> None:
    """The csv module's cell limit is process-wide; the longest any reader here needs wins (a
    longer cell is still refused by check_limits, with its row)."""
    if csv.field_size_limit() < characters + 1:
        csv.field_size_limit(characters + 1)


def _header(raw: Sequence[Any]) -> list[str]:
    header = [(_cell(v) or "").lower() for v in raw]
    while header and not header[-1]:
        header.pop()
    return header


def read_header(content: bytes, file_format: FileFormat) -> list[str]:
    """The column names of the first row, lower-cased (empty trailing cells dropped)."""
    raw_rows = _raw_rows(content, file_format)
    try:
        return _header(next(raw_rows, ()))
    finally:
        raw_rows.close()


def read_rows(content: bytes, file_format: FileFormat) -> Iterator[tuple[int, Row]]:
    """Each data row as (its row number, header being 1; {column: value}). Blank rows are
    skipped: they are not candidates."""
    raw_rows = _raw_rows(content, file_format)
    header = _header(next(raw_rows, ()))
    for number, raw in enumerate(raw_rows, start=2):
        values = [_cell(v) for v in raw]
        if not any(values):
            continue
        yield (
            number,
            {name: values[i] if i < len(values) else None for i, name in enumerate(header)},
        )


def count_rows(content: bytes, file_format: FileFormat) -> int:
    """How many rows `read_rows` yields, without building them."""
    raw_rows = _raw_rows(content, file_format)
    next(raw_rows, None)  # the header
    return sum(1 for raw in raw_rows if any(_cell(v) for v in raw))


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a BOM, so Excel opens Vietnamese names correctly; every cell made safe
    (no live formula, no forbidden character: shared/cells.py)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([safe_cell(v) for v in header])
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def write_xlsx(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("candidates")
    sheet.append([safe_cell(v) for v in header])
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
