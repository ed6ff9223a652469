"""The console's languages: its gettext catalogs (Babel .po files) over the UI kit's.

English is the source language; the choice of language (cookie, else Accept-Language, else
Vietnamese) and the catalog loading are the kit's (`kakehashi.shared.ui.i18n`).
"""

from __future__ import annotations

from pathlib import Path

from babel.support import NullTranslations

from kakehashi.shared.ui import i18n
from kakehashi.shared.ui.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGE_COOKIE,
    LANGUAGE_NAMES,
    LANGUAGES,
    choose_language,
    long_date,
)

LOCALES_DIR = Path(__file__).parent / "locales"

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LANGUAGE_COOKIE",
    "LANGUAGE_NAMES",
    "LOCALES_DIR",
    "choose_language",
    "long_date",
    "translations",
]


def translations(language: str) -> NullTranslations:
    """The console's catalog of `language` over the kit's (English has none)."""
    return i18n.translations(LOCALES_DIR, language)
