"""Rendering a service's pages with the kit: one Jinja2 environment per language over the
service's templates and the kit's, the shared layout's context, the static assets."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from kakehashi.shared.auth import Principal
from kakehashi.shared.organisations import OrganisationNames, display_name, organisation_names
from kakehashi.shared.ui import browser_session, labels, navigation
from kakehashi.shared.ui.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGE_COOKIE,
    LANGUAGE_NAMES,
    LANGUAGES,
    choose_language,
    long_date,
    long_moment,
    translations,
)
from kakehashi.shared.web import runtime_of, settings_of

KIT = Path(__file__).parent
KIT_STATIC = KIT / "static"
FLASH_KINDS = ("ok", "error")
USER_LANGUAGE = "kakehashi_user_language"  # request.state's note of the user's language
# Where a service finds organisations' names: (the request, the ids) -> names by id.
OrganisationLookup = Callable[[Request, Collection[str]], Mapping[str, OrganisationNames]]


def from_directory(request: Request, ids: Collection[str]) -> Mapping[str, OrganisationNames]:
    """The names in this service's organisation directory (`kakehashi.shared.organisations`):
    the lookup of every service that consumes identity-events."""
    with runtime_of(request).session_factory() as session:
        return organisation_names(session, ids)


def language_of(request: Request, default: str = DEFAULT_LANGUAGE) -> str:
    """?lang=, else the language cookie, else the signed-in user's language, else
    Accept-Language, else `default` (Vietnamese)."""
    return choose_language(
        request.query_params.get("lang"),
        request.cookies.get(LANGUAGE_COOKIE),
        request.headers.get("accept-language"),
        default,
        user=user_language(request),
    )


def user_language(request: Request) -> str | None:
    """The signed-in user's language, from their session's token (`lang` claim), once per
    request; None for a visitor, an unreadable token, or a service that verifies no tokens
    itself (identity tells it with `remember_user`)."""
    if hasattr(request.state, USER_LANGUAGE):
        known: str | None = getattr(request.state, USER_LANGUAGE)
        return known
    principal = None
    if browser_session.access_token(request) and hasattr(request.app.state, "token_verifier"):
        try:
            principal = browser_session.principal_of(request)
        except HTTPException:
            principal = None  # the keys cannot be fetched: the page answers that, not us
    remember_user(request, principal)
    return getattr(request.state, USER_LANGUAGE)  # type: ignore[no-any-return]


def remember_user(request: Request, principal: Principal | None) -> None:
    """Note who this request's user is, for the choice of language (a page knowing its
    principal saves verifying the token again)."""
    setattr(request.state, USER_LANGUAGE, principal.language if principal is not None else None)


def remember_language(response: Response, language: str) -> None:
    response.set_cookie(
        LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="lax", httponly=True
    )


def flash(response: Response, message: str, kind: str = "ok") -> None:
    """Show `message` (an English msgid) on the next page this browser renders."""
    response.set_cookie(
        browser_session.FLASH_COOKIE, f"{kind}|{message}"[:300], max_age=60, httponly=True,
        samesite="lax",
    )  # fmt: skip


class Pages:
    """A service's renderer: its templates over the kit's, its catalog over the kit's."""

    def __init__(
        self,
        templates: Path,
        locales: Path | None,
        static_path: str,
        *,
        filters: Callable[[str], Mapping[str, Callable[..., Any]]] | None = None,
        globals: Mapping[str, Any] | None = None,
        default_language: str = DEFAULT_LANGUAGE,
        organisations: OrganisationLookup | None = None,
    ) -> None:
        """`default_language`: the pages' language when neither ?lang=, the cookie nor the
        browser says one (the employer portal's is Japanese). `organisations` finds
        organisations' names for the header and the `organisation` filter (`from_directory` in
        a service that consumes identity-events); without it pages show organisation ids."""
        self.locales = locales
        self.default_language = default_language
        self.static_path = static_path
        self.organisations = organisations
        self.environments = {
            language: self._environment(templates, language, filters, globals or {})
            for language in LANGUAGES
        }

    def _environment(
        self,
        templates: Path,
        language: str,
        filters: Callable[[str], Mapping[str, Callable[..., Any]]] | None,
        globals: Mapping[str, Any],
    ) -> Environment:
        env = Environment(
            loader=FileSystemLoader([templates, KIT / "templates"]),
            autoescape=select_autoescape(["html"]),
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.install_gettext_translations(self.translations(language), newstyle=True)  # type: ignore[attr-defined]
        env.globals.update(
            languages=LANGUAGE_NAMES,
            kit_static=self.static_path,
            role_labels=navigation.ROLE_LABELS,
            service_names=navigation.SERVICE_NAMES,
            skills_test_codes=labels.skills_test_codes,
            **globals,
        )
        env.filters["day"] = lambda value: long_date(value, language)
        env.filters["moment"] = lambda value: long_moment(value, language)
        env.filters["organisation"] = self._organisation_filter(language)
        # `{{ code | skills_test }}`: a skills test (ssw1_construction) named for the reader.
        env.filters["skills_test"] = lambda code: labels.skills_test_markup(str(code), language)
        if filters is not None:
            env.filters.update(filters(language))
        return env

    def translations(self, language: str) -> Any:
        return translations(self.locales, language)

    def language_of(self, request: Request) -> str:
        """The reader's language on these pages (`default_language` when nothing says one)."""
        return language_of(request, self.default_language)

    def organisation_names(
        self, request: Request, ids: Collection[str]
    ) -> Mapping[str, OrganisationNames]:
        """The names of `ids`, looked up once per request: a page showing many organisations
        may ask for all of them first, so that its `organisation` filters make one query."""
        cache: dict[str, OrganisationNames | None] = _request_cache(request)
        missing = [i for i in ids if i not in cache]
        if missing and self.organisations is not None:
            found = self.organisations(request, missing)
            cache.update({i: found.get(i) for i in missing})
        return {i: names for i in ids if (names := cache.get(i)) is not None}

    def organisation_name(self, request: Request, organisation_id: str, language: str) -> str:
        """The organisation's name for a reader of `language`, or its id when unknown."""
        names = self.organisation_names(request, [organisation_id])
        return display_name(organisation_id, names, language)

    def _organisation_filter(self, language: str) -> Callable[..., str]:
        @pass_context
        def organisation(context: Context, organisation_id: str | None) -> str:
            """`{{ id | organisation }}`: the name to show in the page's language."""
            if not organisation_id:
                return ""
            return self.organisation_name(context["request"], organisation_id, language)

        return organisation

    def install_static(self, app: FastAPI) -> None:
        """Serve the kit's CSS and htmx under this service's static path."""
        app.mount(self.static_path, StaticFiles(directory=KIT_STATIC), name="kit-static")

    def render(
        self,
        request: Request,
        template: str,
        principal: Principal | None,
        *,
        status_code: int = 200,
        messages: list[tuple[str, str]] | None = None,
        page_url: str | None = None,
        **context: Any,
    ) -> HTMLResponse:
        """`template` in the reader's language inside the kit's layout. `messages` are
        (kind, already translated text) pairs shown above the page; `page_url` is the URL the
        language switcher reloads (a POST's answer names its form page)."""
        if principal is not None:
            remember_user(request, principal)
        language = self.language_of(request)
        settings = settings_of(request)
        shown = list(messages or [])
        flashed = request.cookies.get(browser_session.FLASH_COOKIE, "")
        kind, _, text = flashed.partition("|")
        gettext = self.translations(language).gettext
        if kind in FLASH_KINDS and text:
            shown.insert(0, (kind, gettext(text)))
        page = self.environments[language].get_template(template)
        nav = navigation.links(settings, principal)
        html = page.render(
            request=request,
            principal=principal,
            lang=language,
            path=request.url.path,
            language_links=_language_links(request, page_url),
            nav=nav,
            nav_current=navigation.current(nav, settings.service_name, request.url.path),
            csrf_token=browser_session.csrf_token(request),
            sign_out_url=navigation.sign_out_url(settings),
            messages=shown,
            **context,
        )
        response = HTMLResponse(html, status_code=status_code)
        if flashed:
            response.delete_cookie(browser_session.FLASH_COOKIE)
        browser_session.keep_csrf_cookie(request, response)
        if request.query_params.get("lang") in LANGUAGES:
            remember_language(response, language)
        return response


def _request_cache(request: Request) -> dict[str, OrganisationNames | None]:
    cache: dict[str, OrganisationNames | None] | None = getattr(
        request.state, "organisation_names", None
    )
    if cache is None:
        cache = request.state.organisation_names = {}
    return cache


def _language_links(request: Request, page_url: str | None) -> dict[str, str]:
    """Each language's link: this page (or `page_url`) again with ?lang=, other parameters kept."""
    if page_url is None:
        path, params = request.url.path, list(request.query_params.multi_items())
    else:
        parts = urlsplit(page_url)
        path, params = parts.path, parse_qsl(parts.query)
    kept = [(key, value) for key, value in params if key != "lang"]
    return {code: f"{path}?{urlencode([*kept, ('lang', code)])}" for code in LANGUAGES}
