"""Every message of identity's pages and of the UI kit's layout, as `make translations`
extracts them, is translated, with the same placeholders, in each catalog."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
IDENTITY = ROOT / "services/identity"
SHARED = ROOT / "shared"
CATALOGS = {
    "identity": (IDENTITY, IDENTITY / "src/kakehashi/identity/entrypoints/pages/locales"),
    "ui kit": (SHARED, SHARED / "src/kakehashi/shared/ui/locales"),
}
KEYWORDS = DEFAULT_KEYWORDS | {"N_": None}  # as the Makefile's -k flags
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def extracted(source: Path) -> set[str]:
    with (source / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)  # type: ignore[no-untyped-call]
    messages = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        source, method_map, options_map, keywords=KEYWORDS
    ):
        messages.add(message if isinstance(message, str) else message[0])
    return {m for m in messages if m}


@pytest.mark.parametrize("language", ["vi", "ja"])
@pytest.mark.parametrize("name", list(CATALOGS))
def test_every_page_message_is_translated(name: str, language: str) -> None:
    source, locales = CATALOGS[name]
    with (locales / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=language)
    messages = extracted(source)
    assert len(messages) >= 5
    missing, unsure, mismatched = [], [], []
    for text in sorted(messages):
        entry = catalog.get(text)
        if entry is None:
            missing.append(text)
            continue
        if "fuzzy" in entry.flags or not entry.string:
            unsure.append(text)
        assert isinstance(entry.string, str)
        if set(PLACEHOLDER.findall(entry.string)) != set(PLACEHOLDER.findall(text)):
            mismatched.append(text)
    assert (missing, unsure, mismatched) == ([], [], [])
