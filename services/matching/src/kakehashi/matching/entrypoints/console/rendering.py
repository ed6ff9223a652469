"""How the console's pages are rendered: its templates in the UI kit's layout, in the reader's
language (`kakehashi.shared.ui.pages`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from kakehashi.matching.domain.names import display_name
from kakehashi.matching.domain.reasons import Reason, Term, level_name
from kakehashi.matching.entrypoints.console import labels
from kakehashi.matching.entrypoints.console.i18n import LOCALES_DIR, long_date, translations
from kakehashi.shared import skills
from kakehashi.shared.auth import Principal
from kakehashi.shared.reference import PREFECTURE_NAMES_JA, JapaneseLevel, order_number
from kakehashi.shared.ui.labels import skills_test_markup
from kakehashi.shared.ui.pages import Pages, from_directory, language_of, remember_language

HERE = Path(__file__).parent
PREFIX = "/console"

__all__ = ["HERE", "PAGES", "PREFIX", "language_of", "remember_language", "render"]


def translate_reason(text: str, language: str) -> str:
    """A reason in `language`: its template translated (by its count, if it has one), then
    filled with its values, each in the reader's words (skills, tracks, places, dates)."""
    catalog = translations(language)
    if not isinstance(text, Reason):
        return catalog.gettext(text)
    if text.plural is None:
        template = catalog.gettext(text.template)
    else:
        template = catalog.ngettext(text.template, text.plural, text.n)
    values = {name: localise(value, language) for name, value in text.params.items()}
    return template.format(**values)


def localise(value: object, language: str) -> object:
    """A reason's value as readers of `language` name it: a skill by the shared taxonomy's
    label, a track by its name (特定技能1号), a prefecture, a Japanese level, a date."""
    if isinstance(value, Term):
        return term_label(value, language)
    if isinstance(value, date):
        return long_date(value, language)
    return value


def term_label(term: Term, language: str) -> str:
    gettext = translations(language).gettext
    if term.kind == "skill":
        return skills.label(term.code, language)
    if term.kind == "track":
        return gettext(labels.TRACKS.get(term.code, str(term)))
    if term.kind == "prefecture":
        return prefecture_name(term.code, language)
    return gettext(str(term))  # a level: "N3", or the message id "no certified level"


def prefecture_name(name: str, language: str) -> str:
    """愛知県 for Japanese readers; others read the romaji the job order was written in."""
    return PREFECTURE_NAMES_JA.get(name, name) if language == "ja" else name


def level_label(level: str, language: str) -> str:
    """A Japanese level as stored (N3, none) for the reader: "none" is said in words."""
    return term_label(level_name(JapaneseLevel(level).rank), language) if level else "—"


def short_reference(job_order_id: str) -> str:
    """The few characters of an id a person reads out (the XLSX and PDF print the same)."""
    return order_number(job_order_id)


def tests_passed(skills_held: list[dict[str, Any]]) -> list[str]:
    """The codes of the skills tests a candidate passed, over all their skills, each once and in
    the order given; none from a snapshot that did not carry them (older producers)."""
    codes: dict[str, None] = {}
    for held in skills_held:
        codes.update(dict.fromkeys(str(code) for code in held.get("tests_passed") or []))
    return list(codes)


def _filters(language: str) -> dict[str, Callable[..., Any]]:
    return {
        "reason": lambda text: translate_reason(text, language),
        "percent": lambda value: f"{value:.0%}",
        "prefecture": lambda name: prefecture_name(name, language),
        "skill": lambda code: skills.label(code, language),
        "skills_test": lambda code: skills_test_markup(code, language),
        "tests_passed": tests_passed,
        "track": lambda code: term_label(Term("track", code), language),
        "level": lambda value: level_label(value, language),
        "ref": short_reference,
        "name": lambda candidate: display_name(candidate, language),
    }


PAGES = Pages(
    HERE / "templates",
    LOCALES_DIR,
    PREFIX + "/static",
    filters=_filters,
    globals={"labels": labels, "prefix": PREFIX},
    organisations=from_directory,  # identity's names, kept from identity-events
)


def render(
    request: Request,
    template: str,
    principal: Principal | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    return PAGES.render(request, template, principal, status_code=status_code, **context)
