"""What the import limits cost on hostile files: the time to refuse them and the peak memory.

    uv run python bench/import_limits.py

Two files from the security probe: an XLSX of five million blank rows (about 12 MB on disk),
and a CSV of one million invalid rows (about 23 MB). Each is checked by `check_limits` (what an
upload runs before a job is created) in a fresh process, and the peak of what Python allocates while
checking (tracemalloc; the uploaded bytes themselves aside) is printed. Before the limits the probe measured 5.5 min and 1,179 MB for the XLSX, and
182 s and 4,068 MB for the CSV's failures file.
"""

from __future__ import annotations

import io
import sys
import time
import tracemalloc
import zipfile
from multiprocessing import get_context

from kakehashi.candidates.adapters.spreadsheets import (
    FileFormat,
    FileLimits,
    UnreadableFileError,
    check_limits,
)
from kakehashi.candidates.entrypoints.import_rows import COLUMNS

SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><worksheet '
    'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="candidates" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}  # fmt: skip


def blank_rows_xlsx(rows: int) -> bytes:
    """A workbook whose only sheet has a header and `rows` empty rows, written as Excel would."""
    header = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{name}</t></is></c>'
        for i, name in enumerate(list(COLUMNS)[:20])
    )
    body = "".join(f'<row r="{r}" customHeight="1" ht="15"/>' for r in range(2, rows + 2))
    sheet = f'{SHEET_HEAD}<row r="1">{header}</row>{body}</sheetData></worksheet>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def invalid_rows_csv(rows: int) -> bytes:
    line = "Nguyen Van An,,2000-01-01,Tay Ninh,mining\n"
    return (",".join(COLUMNS) + "\n" + line * rows).encode()


def measure(kind: str) -> tuple[str, int, float, str, float]:
    sizes = {"xlsx": 5_000_000, "xlsx-under-unpacked-limit": 1_000_000}
    content = blank_rows_xlsx(sizes[kind]) if kind in sizes else invalid_rows_csv(1_000_000)
    file_format = FileFormat.CSV if kind == "csv" else FileFormat.XLSX
    tracemalloc.start()
    started = time.perf_counter()
    try:
        answer = f"accepted {check_limits(content, file_format, FileLimits()):,} rows"
    except UnreadableFileError as error:
        answer = f"refused: {error}"
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return kind, len(content), elapsed, answer, peak / 2**20


def main() -> int:
    with get_context("spawn").Pool(1, maxtasksperchild=1) as pool:
        for kind in ("xlsx", "xlsx-under-unpacked-limit", "csv"):
            name, size, elapsed, answer, grown = pool.apply(measure, (kind,))
            print(
                f"{name}: {size / 2**20:.1f} MiB file, {answer} in {elapsed:.2f} s; "
                f"peak Python memory while checking {grown:.1f} MiB (the file itself aside)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
