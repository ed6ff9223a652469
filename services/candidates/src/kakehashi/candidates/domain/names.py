"""Name normalisation for search and duplicate detection: case and Vietnamese diacritics ignored.

The same passport number, or the same folded passport name and date of birth, is the same person.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# đ/Đ is a letter of its own, not d plus a combining mark, so NFD leaves it alone.
_LETTERS = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lower case, no diacritics (NFD, combining marks dropped, đ→d), single spaces."""
    decomposed = unicodedata.normalize("NFD", text.translate(_LETTERS))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", bare).strip().casefold()


def search_terms(query: str) -> list[str]:
    """The folded words of a search query; every word must occur in a matching name."""
    return [word for word in fold(query).split(" ") if word]


def passport_key(passport_number: str) -> str:
    """A passport number as compared for duplicates: upper case, no spaces or dashes."""
    return re.sub(r"[\s-]", "", passport_number).upper()


class DuplicateCandidateError(Exception):
    """The person is registered already; `existing_id` is set only when the caller may see it."""

    def __init__(self, existing_id: str | None) -> None:
        super().__init__("duplicate candidate")
        self.existing_id = existing_id
