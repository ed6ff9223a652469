"""A candidate's name as each reader knows it: the Vietnamese spelling, the katakana, the passport's.

Candidates keep three spellings of one name. A Vietnamese reader knows "Nguyễn Văn An"; a Japanese
reader reads katakana but must match the person to their passport and visa papers, so gets both;
everyone else (and any reader whose spelling was not given) reads the passport's Latin letters.
"""

from __future__ import annotations

from typing import Protocol


class Named(Protocol):
    """Anything that carries the three spellings (a read-model row, a placement, an export row)."""

    @property
    def full_name(self) -> str: ...
    @property
    def name_vi(self) -> str | None: ...
    @property
    def name_katakana(self) -> str | None: ...


def display_name(candidate: Named, language: str) -> str:
    """The name for readers of `language`: `Nguyễn Văn An` (vi), `グエン・ヴァン・アン (Nguyen Van
    An)` (ja), `Nguyen Van An` (en, and whenever the reader's own spelling is missing)."""
    if language == "vi" and candidate.name_vi:
        return candidate.name_vi
    if language == "ja" and candidate.name_katakana:
        return f"{candidate.name_katakana} ({candidate.full_name})"
    return candidate.full_name
