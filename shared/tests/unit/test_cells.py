"""Spreadsheet cells never carry a live formula or a character XLSX forbids."""

from __future__ import annotations

import pytest

from kakehashi.shared.cells import as_typed, safe_cell


@pytest.mark.parametrize(
    "typed", ['=HYPERLINK("http://x")', "=cmd|' /C calc'!A0", "@SUM(A1)", "+1+2", "-3", "\t=1"]
)
def test_formula_triggers_are_written_as_text(typed: str) -> None:
    assert safe_cell(typed) == "'" + typed


def test_plain_text_numbers_and_empties_pass_unchanged() -> None:
    assert safe_cell("Nguyễn Văn An") == "Nguyễn Văn An"
    assert safe_cell("溶接工 = welder") == "溶接工 = welder"
    assert safe_cell(230000) == 230000
    assert safe_cell(None) is None
    assert safe_cell("") == ""


def test_forbidden_control_characters_are_dropped_line_breaks_kept() -> None:
    assert safe_cell("Welder\u0019 team\nline two") == "Welder team\nline two"
    assert safe_cell("\x00=1") == "'=1"


@pytest.mark.parametrize("typed", ["+84 912 345 678", "=1", "plain", "'quoted"])
def test_what_was_written_safe_reads_back_as_typed(typed: str) -> None:
    assert as_typed(str(safe_cell(typed))) == typed
