"""Every message of the training-centre portal, as `make translations` extracts it, is
translated, with the same placeholders, in each catalog: a page never falls back to English
text in a sentence. The domain's eligibility reasons are read by the portal's patterns."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from kakehashi.candidates.domain.eligibility import evaluate
from kakehashi.candidates.domain.profile import CandidateProfile, TradeSkill
from kakehashi.candidates.entrypoints.portal import labels
from kakehashi.shared.reference import JapaneseLevel, Sector

SERVICE = Path(__file__).resolve().parents[1]
LOCALES = SERVICE / "src/kakehashi/candidates/entrypoints/portal/locales"
KEYWORDS = DEFAULT_KEYWORDS | {"N_": None}  # as the Makefile's -k flag
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def extracted() -> set[str]:
    with (SERVICE / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)  # type: ignore[no-untyped-call]
    messages = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        SERVICE, method_map, options_map, keywords=KEYWORDS
    ):
        messages.add(message if isinstance(message, str) else message[0])
    return {m for m in messages if m}


@pytest.mark.parametrize("language", ["vi", "ja"])
def test_every_portal_message_is_translated(language: str) -> None:
    with (LOCALES / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=language)
    messages = extracted()
    assert len(messages) > 200  # the extraction found the templates and the Python sources
    missing, unsure, mismatched = [], [], []
    for text in sorted(messages):
        entry = catalog.get(text)
        if entry is None:
            missing.append(text)
            continue
        if "fuzzy" in entry.flags or not entry.string:
            unsure.append(text)
        if set(PLACEHOLDER.findall(str(entry.string))) != set(PLACEHOLDER.findall(text)):
            mismatched.append(text)
    assert (missing, unsure, mismatched) == ([], [], [])


def test_the_domains_eligibility_reasons_are_all_read_by_a_pattern() -> None:
    """Candidates who pass and fail each rule: every reason the domain writes for them is one
    the portal can say in another language (none is left in English)."""
    profiles = [
        CandidateProfile(full_name="A", province="x", province_code=None, sector=Sector.CONSTRUCTION),
        CandidateProfile(
            full_name="B", province="x", province_code=None, sector=Sector.CONSTRUCTION,
            date_of_birth=date(2000, 1, 1), declared_japanese_level=JapaneseLevel.N3,
            training_hours=500, skills=(TradeSkill("welding", 3, ("ssw1_construction",)),),
        ),
        CandidateProfile(
            full_name="C", province="x", province_code=None, sector=Sector.NURSING_CARE,
            date_of_birth=date(2012, 1, 1), training_hours=10,
        ),
    ]  # fmt: skip
    reasons = {
        reason
        for profile in profiles
        for on in (date(2026, 6, 1), date(2028, 6, 1))
        for track in evaluate(profile, on)
        for reason in track.reasons
    }
    assert len(reasons) > 10
    marker = "«translated»"
    unread = [
        r
        for r in reasons
        if marker not in labels.translate_reason(r, lambda _m: marker, lambda _k, c: c)
    ]
    assert unread == []
