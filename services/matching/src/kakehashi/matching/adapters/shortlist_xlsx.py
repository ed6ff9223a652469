"""An order's shortlist as an XLSX workbook for the employer's interview, and the rows it is made of.

Presentation only. A `ShortlistRow` holds the employer-safe fields and nothing else (no contacts,
ID numbers or health data), so neither this workbook nor the PDF built from the same rows can
show more. Labels are Japanese with English in brackets, like the employers' 求人票.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kakehashi.shared import skills as taxonomy
from kakehashi.shared.cells import safe_cell

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERASED = "(削除済み / data erased)"

# The columns of both exports, in order.
COLUMNS = (
    "状況 (Status)",
    "氏名 (Name)",
    "年齢 (Age)",
    "出身省 (Province)",
    "日本語 (Japanese)",
    "技能 (Skills)",
    "経験年数 (Experience, years)",
    "就業可能日 (Available from)",
)
STATUS_NAMES = {
    "shortlisted": "候補 (shortlisted)",
    "proposed": "推薦 (proposed)",
    "interviewed": "面接合格 (passed interview)",
    "selected": "内定 (selected)",
    "rejected": "不採用 (rejected)",
    "withdrawn": "取下げ (withdrawn)",
}

CellValue = str | int | float | date | None


@dataclass(frozen=True)
class ShortlistRow:
    """One candidate of the shortlist, employer-safe fields only; None where unknown."""

    status: str
    # As a Japanese employer reads it: katakana with the passport's Latin letters, which the
    # visa papers carry (`domain.names.display_name` for "ja").
    name: str
    age: int | None
    province: str
    japanese_level: str
    skills: str  # "溶接 (Welding) 3, とび (Scaffolding) 2"
    experience_years: float | None
    available_from: date | None

    def cells(self) -> tuple[CellValue, ...]:
        """The row's values in `COLUMNS` order."""
        return (
            STATUS_NAMES.get(self.status, self.status),
            self.name,
            self.age,
            self.province,
            japanese_level_name(self.japanese_level),
            self.skills,
            self.experience_years,
            self.available_from,
        )


@dataclass(frozen=True)
class Shortlist:
    job_order_id: str
    title: str
    reference: str  # a short reference the employer can quote (the id's first characters)
    headcount: int
    selected: int
    exported_on: date
    rows: Sequence[ShortlistRow]


def skills_text(skills: Sequence[tuple[str, int]]) -> str:
    """`溶接 (Welding) 3, とび (Scaffolding) 2`: each skill's label, Japanese with English, and
    its level (the shared taxonomy's labels, as on the employers' 求人票)."""
    return ", ".join(f"{skill_name(code)} {level}" for code, level in skills)


def skill_name(code: str) -> str:
    japanese, english = taxonomy.label(code, "ja"), taxonomy.label(code, "en")
    return japanese if japanese == english else f"{japanese} ({english})"


def japanese_level_name(level: str) -> str:
    return "認定なし (none)" if level == "none" else level


_BOLD = Font(bold=True)
_HEADING_FILL = PatternFill("solid", start_color="DDE5F0")
_TOP = Alignment(vertical="top", wrap_text=True)
DATE_FORMAT = "yyyy/mm/dd"  # as Japanese readers write dates
MIN_WIDTH, MAX_WIDTH = 8, 48


def build_shortlist_xlsx(shortlist: Shortlist) -> bytes:
    """One sheet: the order's header, then a frozen, bold heading row and a row per candidate."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "候補者 (Shortlist)"
    workbook.properties.title = f"候補者リスト {shortlist.title}"
    workbook.properties.creator = "Kakehashi"

    title = _write(sheet, 1, 1, f"候補者リスト (Shortlist): {shortlist.title}")
    title.font = Font(bold=True, size=14)
    header: list[tuple[str, CellValue]] = [
        ("求人 (Job order)", shortlist.title),
        ("求人番号 (Job order no.)", shortlist.reference),
        ("募集人数 (Headcount)", shortlist.headcount),
        ("内定 (Selected)", shortlist.selected),
        ("作成日 (Exported on)", shortlist.exported_on),
    ]
    for row, (label, value) in enumerate(header, start=2):
        _write(sheet, row, 1, label).font = _BOLD
        _write(sheet, row, 2, value).alignment = Alignment(horizontal="left")

    heading_row = len(header) + 3
    for column, label in enumerate(COLUMNS, start=1):
        cell = _write(sheet, heading_row, column, label)
        cell.font = _BOLD
        cell.fill = _HEADING_FILL
        cell.alignment = _TOP
    for row, entry in enumerate(shortlist.rows, start=heading_row + 1):
        for column, value in enumerate(entry.cells(), start=1):
            _write(sheet, row, column, value).alignment = _TOP

    # The order's header and the column headings stay in view while scrolling.
    sheet.freeze_panes = sheet.cell(heading_row + 1, 1)
    last = get_column_letter(len(COLUMNS))
    sheet.auto_filter.ref = f"A{heading_row}:{last}{heading_row + len(shortlist.rows)}"
    _fit_columns(sheet, first_row=2)
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_title_rows = f"{heading_row}:{heading_row}"

    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write(sheet: Worksheet, row: int, column: int, value: CellValue) -> Cell:
    if isinstance(value, str):
        # Never a live formula, even once the reader edits the cell (shared/cells.py), and
        # nothing XLSX forbids.
        value = ILLEGAL_CHARACTERS_RE.sub("", str(safe_cell(value)))
    cell: Cell = sheet.cell(row, column, value)
    if isinstance(value, str):
        # openpyxl stores a text starting with "=" as a formula: a name must never run as one.
        cell.data_type = "s"
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    return cell


def _fit_columns(sheet: Worksheet, first_row: int) -> None:
    """Each column as wide as its longest text (a wide Japanese character counts twice)."""
    widths: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=first_row):
        for cell in row:
            if cell.value is None:
                continue
            text = cell.value.isoformat() if isinstance(cell.value, date) else str(cell.value)
            widths[cell.column] = max(widths.get(cell.column, 0), _display_width(text))
    for column, width in widths.items():
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
