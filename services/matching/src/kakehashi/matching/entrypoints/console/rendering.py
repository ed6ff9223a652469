"""How the console's pages are rendered: its templates in the UI kit's layout, in the reader's
language (`kakehashi.shared.ui.pages`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from kakehashi.matching.domain.reasons import Reason
from kakehashi.matching.entrypoints.console import labels
from kakehashi.matching.entrypoints.console.i18n import LOCALES_DIR, translations
from kakehashi.shared.auth import Principal
from kakehashi.shared.reference import PREFECTURE_NAMES_JA
from kakehashi.shared.ui.pages import Pages, from_directory, language_of, remember_language

HERE = Path(__file__).parent
PREFIX = "/console"

__all__ = ["HERE", "PAGES", "PREFIX", "language_of", "remember_language", "render"]


def translate_reason(text: str, language: str) -> str:
    """A reason in `language`: its template translated, then filled with its values."""
    gettext = translations(language).gettext
    if isinstance(text, Reason):
        return gettext(text.template).format(**text.params)
    return gettext(text)


def prefecture_name(name: str, language: str) -> str:
    """愛知県 for Japanese readers; others read the romaji the job order was written in."""
    return PREFECTURE_NAMES_JA.get(name, name) if language == "ja" else name


def _filters(language: str) -> dict[str, Callable[..., Any]]:
    return {
        "reason": lambda text: translate_reason(text, language),
        "percent": lambda value: f"{value:.0%}",
        "prefecture": lambda name: prefecture_name(name, language),
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
