"""Text written into spreadsheets (XLSX, CSV) a user will open: never a live formula, never a
character the format forbids.

A cell whose text starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (`=HYPERLINK(…)`, `=cmd|' /C calc'!A0`, `@SUM(…)`),
so user-supplied text starting so is written with a leading apostrophe, which shows the text as
typed (the OWASP rule against CSV injection). Control characters other than tab and line breaks
are dropped: XLSX cannot hold them and openpyxl refuses the whole file.
"""

from __future__ import annotations

import re
from typing import TypeVar

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")

V = TypeVar("V")


def safe_cell(value: V) -> V | str:
    """`value` as a spreadsheet may hold it: text neutralised, anything else unchanged."""
    if not isinstance(value, str):
        return value
    text = FORBIDDEN.sub("", value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def as_typed(text: str) -> str:
    """What the user typed into a cell `safe_cell` wrote: the apostrophe before a formula
    trigger dropped, so a failures file or template fixed and uploaded again reads as typed
    (`'+84 912 345 678` is the phone number `+84 912 345 678`)."""
    if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text
