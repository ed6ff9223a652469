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
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from babel import Locale
from babel.core import negotiate_locale
from babel.dates import format_date, format_time
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


# The one date format of every page, per language (Babel's "medium": 2027/04/01, 1 thg 4, 2027,
# Apr 1, 2027), and the one date-time format: that date, the time on a 24-hour clock, in UTC
# (every service's one clock). Pages format dates only through these (the kit's `day` and
# `moment` filters), so the console and the portals write a date alike.
DATE_FORMAT = "medium"
TIME_PATTERN = "HH:mm"


def long_date(value: object, language: str) -> str:
    """A date as people of `language` write it (e.g. 2027/04/01, 1 thg 4, 2027); a date-time is
    taken at its UTC date."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = _in_utc(value).date()
    return format_date(value, format=DATE_FORMAT, locale=Locale.parse(language))  # type: ignore[arg-type]


def long_moment(value: datetime | None, language: str) -> str:
    """A point in time as the kit writes it in `language`: its date as `long_date` writes it,
    then the time and UTC (30 thg 11, 2026 14:14 UTC; 2026/11/30 14:14 UTC)."""
    if value is None:
        return "—"
    moment = _in_utc(value)
    time = format_time(moment, TIME_PATTERN, locale=Locale.parse(language))
    return f"{long_date(moment.date(), language)} {time} UTC"


def _in_utc(value: datetime) -> datetime:
    """A naive date-time is taken as UTC (as the services store them)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
