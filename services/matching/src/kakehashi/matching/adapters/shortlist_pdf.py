"""An order's shortlist as a PDF interview sheet: A4 landscape, a title, the date and one table.

The fonts are embedded TrueType files (subset): the first sets the text, Latin with Vietnamese
diacritics; the others fill in the glyphs it lacks, such as Japanese. The PDF core fonts know
neither, and a font the reader lacks would show as empty boxes.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from babel.dates import format_date
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from kakehashi.matching.adapters.shortlist_xlsx import COLUMNS, CellValue, Shortlist

PDF_MEDIA_TYPE = "application/pdf"
NOTES = "面接メモ (Notes)"
# Relative widths of COLUMNS, then the empty notes column the interviewer writes in.
COLUMN_WIDTHS = (24, 42, 12, 22, 18, 32, 22, 24, 36)


class FontMissingError(FileNotFoundError):
    """A configured font file is not on this machine (the API answers 503 naming it)."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"font file {path} is missing")
        self.path = path


@contextmanager
def _quiet_font_subsetting() -> Iterator[None]:
    """fontTools logs some 70 INFO lines per PDF while subsetting the fonts (fpdf2 embeds only
    the glyphs used): keep its warnings, drop the chatter, and restore its level afterwards."""
    logger = logging.getLogger("fontTools")
    before = logger.level
    logger.setLevel(max(before, logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(before)


def build_shortlist_pdf(shortlist: Shortlist, fonts: Sequence[Path]) -> bytes:
    """The interview sheet; `fonts` are TrueType files, the first for the text, then fallbacks."""
    for path in fonts:
        if not path.is_file():
            raise FontMissingError(path)
    with _quiet_font_subsetting():
        return _build(shortlist, fonts)


def _build(shortlist: Shortlist, fonts: Sequence[Path]) -> bytes:
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.set_title(_text(f"面接シート {shortlist.title}"))
    pdf.set_creator("Kakehashi")
    families = [f"font{i}" for i in range(len(fonts))]
    for family, path in zip(families, fonts, strict=True):
        pdf.add_font(family, fname=path)
    pdf.set_fallback_fonts(families[1:])
    body = families[0]

    pdf.add_page()
    pdf.set_font(body, size=14)
    pdf.multi_cell(
        0,
        8,
        _text(f"面接シート (Interview sheet): {shortlist.title}"),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_font(body, size=9)
    summary = (
        f"求人番号 (Job order no.) {shortlist.reference}  ·  "
        f"募集人数 (Headcount) {shortlist.headcount}  ·  内定 (Selected) {shortlist.selected}  ·  "
        f"作成日 (Date) {japanese_date(shortlist.exported_on)}"
    )
    pdf.multi_cell(0, 6, _text(summary), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    if not shortlist.rows:
        pdf.multi_cell(0, 6, "候補者なし (no candidates)", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return bytes(pdf.output())

    headings = FontFace(fill_color=(221, 229, 240))
    with pdf.table(
        col_widths=COLUMN_WIDTHS,
        headings_style=headings,
        line_height=5,
        text_align="LEFT",
        repeat_headings=1,
    ) as table:
        heading = table.row()
        for label in (*COLUMNS, NOTES):
            heading.cell(label)
        for entry in shortlist.rows:
            row = table.row()
            for value in entry.cells():
                row.cell(_text(_shown(value)))
            row.cell("")
    return bytes(pdf.output())


def _shown(value: CellValue) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return japanese_date(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def japanese_date(day: date) -> str:
    """2027/01/10: the date as the sheet's Japanese readers write it."""
    return format_date(day, format="medium", locale="ja")


def _text(text: str) -> str:
    # Composed characters: without a shaping engine a separate combining mark may sit badly.
    return unicodedata.normalize("NFC", text)
