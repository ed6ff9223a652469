"""How the employer portal's pages are rendered: its templates in the UI kit's layout, in the
reader's language, Japanese unless ?lang=, the saved choice or the browser says otherwise."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from kakehashi.employers.entrypoints.portal import labels
from kakehashi.employers.service_layer.queries import Proposal
from kakehashi.shared import skills
from kakehashi.shared.auth import Principal
from kakehashi.shared.reference import PREFECTURE_NAMES_JA
from kakehashi.shared.ui.pages import Pages, from_directory

HERE = Path(__file__).parent
PREFIX = "/portal"
LOCALES_DIR = HERE / "locales"
DEFAULT_LANGUAGE = "ja"  # the employers are Japanese companies

__all__ = ["PAGES", "PREFIX", "gettext", "language_of", "render"]


def prefecture_name(name: str, language: str) -> str:
    """愛知県 for Japanese readers; others read the romaji the job order is written in."""
    return PREFECTURE_NAMES_JA.get(name, name) if language == "ja" else name


def candidate_name(proposal: Proposal, language: str) -> str | None:
    """A proposed candidate as the reader knows them: `Nguyễn Văn An` (vi), `グエン・ヴァン・アン
    (Nguyen Van An)` (ja: katakana with the passport's letters, which the visa papers carry),
    `Nguyen Van An` (en, and whenever the reader's spelling is missing); as matching's console
    and identity's mails name them. None while candidates' snapshot has not arrived."""
    if proposal.full_name is None:
        return None
    if language == "vi" and proposal.name_vi:
        return proposal.name_vi
    if language == "ja" and proposal.name_katakana:
        return f"{proposal.name_katakana} ({proposal.full_name})"
    return proposal.full_name


def yen(value: float | None) -> str:
    return "—" if value is None else f"¥{value:,.0f}"


def _filters(language: str) -> dict[str, Callable[..., Any]]:
    return {
        "prefecture": lambda name: prefecture_name(name, language),
        "candidate_name": lambda proposal: candidate_name(proposal, language),
        "skill": lambda code: skills.label(code, language),
        "yen": yen,
    }


PAGES = Pages(
    HERE / "templates",
    LOCALES_DIR,
    PREFIX + "/static",
    filters=_filters,
    globals={"labels": labels, "prefix": PREFIX},
    default_language=DEFAULT_LANGUAGE,
    organisations=from_directory,  # identity's names, kept from identity-events
)


def language_of(request: Request) -> str:
    """?lang=, else the saved choice, else the browser's, else Japanese."""
    return PAGES.language_of(request)


def gettext(request: Request) -> Callable[[str], str]:
    """The reader's gettext, for messages made in Python."""
    translate: Callable[[str], str] = PAGES.translations(language_of(request)).gettext
    return translate


def render(
    request: Request,
    template: str,
    principal: Principal | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    return PAGES.render(request, template, principal, status_code=status_code, **context)
