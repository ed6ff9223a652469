"""Languages of the pages: gettext catalogs (Babel .po files) and the choice of language.

English is the source language. Catalogs are read from .po files at start and compiled in memory
(no build step). A service's catalog is layered over the kit's, so the shared layout's messages
are translated once, in the kit. The language is the reader's explicit choice (?lang=, then the
switcher's cookie), else the signed-in user's language (chosen in identity, carried by the
token's `lang` claim: the one their mails are in), else the browser's Accept-Language, else the
portal's default (Vietnamese; the employer portal's is Japanese).
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel import Locale
from babel.core import negotiate_locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

KIT_LOCALES = Path(__file__).parent / "locales"
LANGUAGES = ("vi", "ja", "en")
DEFAULT_LANGUAGE = "vi"
LANGUAGE_COOKIE = "kakehashi_lang"
# The language names as their speakers write them, for the switcher.
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "ja": "日本語", "en": "English"}


def _compiled(locales: Path, language: str) -> Translations | None:
    po = locales / language / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return None
    with po.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


@cache
def translations(locales: Path | None, language: str) -> NullTranslations:
    """The kit's catalog of `language` with the service's (under `locales`) layered over it.
    English has none: it is the source."""
    if language == "en":
        return NullTranslations()
    merged = _compiled(KIT_LOCALES, language)
    own = _compiled(locales, language) if locales is not None else None
    if merged is None:
        return own or NullTranslations()
    if own is not None:
        merged.merge(own)
    return merged


def choose_language(
    requested: str | None,
    cookie: str | None,
    accept_language: str | None,
    default: str = DEFAULT_LANGUAGE,
    *,
    user: str | None = None,
) -> str:
    """The query parameter, else the saved choice, else the signed-in `user`'s language, else
    the browser's best match, else `default` (Vietnamese unless a portal says otherwise: the
    employer portal is Japanese). A Japanese employer on an English browser reads Japanese,
    as their mails are."""
    for choice in (requested, cookie, user):
        if choice in LANGUAGES:
            return choice
    preferred = [
        part.split(";")[0].strip().replace("-", "_")
        for part in (accept_language or "").split(",")
        if part.strip()
    ]
    best = negotiate_locale(preferred, list(LANGUAGES), sep="_") if preferred else None
    if best is None:
        # negotiate_locale matches "ja_JP" only against "ja_JP": try the language part too.
        for tag in preferred:
            if tag.split("_")[0] in LANGUAGES:
                return tag.split("_")[0]
    return best or default


def long_date(value: object, language: str) -> str:
    """A date as people of `language` write it (e.g. 2027年4月1日, 1 thg 4, 2027)."""
    if value is None:
        return "—"
    return format_date(value, format="medium", locale=Locale.parse(language))  # type: ignore[arg-type]
