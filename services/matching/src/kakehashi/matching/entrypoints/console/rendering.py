"""How the console's pages are rendered: Jinja2 templates, in the reader's language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from kakehashi.matching.domain.reasons import Reason
from kakehashi.matching.entrypoints.console import labels
from kakehashi.matching.entrypoints.console.i18n import (
    LANGUAGE_COOKIE,
    LANGUAGE_NAMES,
    LANGUAGES,
    choose_language,
    long_date,
    translations,
)
from kakehashi.shared.auth import Principal
from kakehashi.shared.reference import PREFECTURE_NAMES_JA

HERE = Path(__file__).parent
PREFIX = "/console"


def _environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(labels=labels, languages=LANGUAGE_NAMES, prefix=PREFIX)
    env.filters["reason"] = lambda text: translate_reason(text, language)
    env.filters["day"] = lambda value: long_date(value, language)
    env.filters["percent"] = lambda value: f"{value:.0%}"
    env.filters["prefecture"] = lambda name: prefecture_name(name, language)
    return env


ENVIRONMENTS = {language: _environment(language) for language in LANGUAGES}


def translate_reason(text: str, language: str) -> str:
    """A reason in `language`: its template translated, then filled with its values."""
    gettext = translations(language).gettext
    if isinstance(text, Reason):
        return gettext(text.template).format(**text.params)
    return gettext(text)


def prefecture_name(name: str, language: str) -> str:
    """愛知県 for Japanese readers; others read the romaji the job order was written in."""
    return PREFECTURE_NAMES_JA.get(name, name) if language == "ja" else name


def language_of(request: Request) -> str:
    return choose_language(
        request.query_params.get("lang"),
        request.cookies.get(LANGUAGE_COOKIE),
        request.headers.get("accept-language"),
    )


def render(
    request: Request,
    template: str,
    principal: Principal | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    language = language_of(request)
    page = ENVIRONMENTS[language].get_template(template)
    html = page.render(
        request=request, principal=principal, lang=language, path=request.url.path, **context
    )
    response = HTMLResponse(html, status_code=status_code)
    if request.query_params.get("lang") in LANGUAGES:
        remember_language(response, language)
    return response


def remember_language(response: Response, language: str) -> None:
    response.set_cookie(
        LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="lax", httponly=True
    )
