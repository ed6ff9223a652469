"""Every message of the console, as `make translations` extracts it, is translated, with the same
placeholders, in each catalog: a page never falls back to English text in a sentence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

SERVICE = Path(__file__).resolve().parents[1]
LOCALES = SERVICE / "src/kakehashi/matching/entrypoints/console/locales"
# As the Makefile's -k flags.
KEYWORDS = DEFAULT_KEYWORDS | {"N_": None, "Reason": None, "CountedReason": (1, 2)}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def extracted() -> set[str]:
    with (SERVICE / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)  # type: ignore[no-untyped-call]
    messages = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        SERVICE, method_map, options_map, keywords=KEYWORDS
    ):
        messages.add(message if isinstance(message, str) else message[0])  # a plural's singular
    return {m for m in messages if m}


@pytest.mark.parametrize("language", ["vi", "ja"])
def test_every_console_message_is_translated(language: str) -> None:
    with (LOCALES / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=language)
    messages = extracted()
    assert len(messages) > 150  # the extraction found the templates and the Python sources
    missing, unsure, mismatched = [], [], []
    for text in sorted(messages):
        entry = catalog.get(text)
        if entry is None:
            missing.append(text)
            continue
        if "fuzzy" in entry.flags or not entry.string:
            unsure.append(text)
        translations = entry.string if isinstance(entry.string, tuple | list) else (entry.string,)
        for translation in translations:
            if set(PLACEHOLDER.findall(translation or "")) != set(PLACEHOLDER.findall(text)):
                mismatched.append(text)
    assert (missing, unsure, mismatched) == ([], [], [])
