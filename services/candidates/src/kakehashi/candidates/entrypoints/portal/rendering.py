"""How the portal's pages are rendered: its templates in the UI kit's layout, in the reader's
language (`kakehashi.shared.ui.pages`), with filters that name codes (statuses, sectors,
tracks, skills) and people as readers of that language expect."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from babel.support import NullTranslations
from fastapi import Request
from fastapi.responses import HTMLResponse

from kakehashi.candidates.adapters.tables import CandidateTransition
from kakehashi.candidates.domain.match_decisions import DECIDER_ROLE
from kakehashi.candidates.entrypoints.portal import labels
from kakehashi.candidates.service_layer.event_handlers import MATCHING, MATCHING_ORGANISATION
from kakehashi.candidates.service_layer.placements import KnownOrder
from kakehashi.shared import skills
from kakehashi.shared.auth import Principal
from kakehashi.shared.reference import PREFECTURE_NAMES_JA
from kakehashi.shared.ui import browser_session, i18n
from kakehashi.shared.ui.labels import skills_test_markup
from kakehashi.shared.ui.pages import Pages, from_directory, language_of
from kakehashi.shared.web import settings_of

HERE = Path(__file__).parent
LOCALES_DIR = HERE / "locales"
PREFIX = "/portal"

__all__ = ["PAGES", "PREFIX", "csrf_passes", "language_of", "render", "translations"]


def translations(language: str) -> NullTranslations:
    """The portal's catalog of `language` over the kit's (English has none)."""
    return i18n.translations(LOCALES_DIR, language)


def _named(table: dict[str, str], gettext: Callable[[str], str]) -> Callable[[object], str]:
    """A filter naming a code by `table` (a code outside it is shown as it is)."""

    def name(code: object) -> str:
        text = str(getattr(code, "value", code) or "")
        return gettext(table[text]) if text in table else text

    return name


def person_name(row: Any, language: str) -> str:
    """The name readers of `language` know the person by: the Vietnamese spelling for vi, the
    katakana with the passport name for ja, the passport name for en."""
    if language == "vi" and row.name_vi:
        return str(row.name_vi)
    if language == "ja" and row.name_katakana:
        return f"{row.name_katakana} ({row.full_name})"
    return str(row.full_name)


def other_names(row: Any, language: str) -> list[str]:
    """The person's other spellings, those `person_name` did not show (under the heading)."""
    shown = person_name(row, language)
    names = (row.full_name, row.name_vi, row.name_katakana)
    return [str(name) for name in names if name and str(name) not in shown]


def order_namer(
    request: Request, orders: Mapping[str, KnownOrder], language: str
) -> Callable[[str], str]:
    """How the page names a job order: its title with its employer's name, from the directories
    as they are now (an order whose event has not arrived yet is named neutrally, never by id)."""
    gettext = translations(language).gettext
    employer_ids = [o.employer_id for o in orders.values() if o.employer_id]
    employers = PAGES.organisation_names(request, employer_ids)

    def name(job_order_id: str) -> str:
        order = orders.get(job_order_id)
        if order is None or not order.title:
            return str(gettext(labels.ORDER_NOT_RECEIVED))
        employer = employers.get(order.employer_id or "")
        if employer is None:
            return order.title
        named = {"title": order.title, "employer": employer.in_language(language)}
        return str(gettext(labels.ORDER_OF_EMPLOYER) % named)

    return name


def actor_namer(
    request: Request,
    kinds: Mapping[str, str],
    language: str,
    orders: Mapping[str, KnownOrder] | None = None,
) -> Callable[[CandidateTransition], str]:
    """Who made a pipeline move, in words: the centre's name, "program manager (its office)",
    "employer: Tanaka Kogyo", never a user's or an organisation's id.

    A move that followed a match decision whose event named no organisation is still named by
    the role that decided it (recorded from the event, else `DECIDER_ROLE` of the decision):
    the employer by the order's employer (from the job-order directory), the program manager
    without an office (the event does not say which). "Matching" only when nothing says who."""
    gettext = translations(language).gettext
    orders = orders or {}
    employer_of_order = {oid: o.employer_id for oid, o in orders.items() if o.employer_id}
    organisations = PAGES.organisation_names(request, [*kinds, *employer_of_order.values()])

    def named_in_language(organisation: str | None) -> str | None:
        known = organisations.get(organisation or "")
        return known.in_language(language) if known is not None else None

    def by_decision(entry: CandidateTransition) -> str:
        found = labels.MATCH_MOVE.match(entry.reason or "")
        decision = found.group("status") if found else None
        role = entry.actor_role or DECIDER_ROLE.get(decision or "")
        if role == "employer":
            order = found.group("order") if found else ""
            employer = named_in_language(employer_of_order.get(order))
            if employer:
                return str(gettext(labels.EMPLOYER_NAMED) % {"name": employer})
        if role in labels.ACTOR_ROLES:
            return str(gettext(labels.ACTOR_ROLES[role]))
        return str(gettext(labels.BY_MATCHING))

    def name(entry: CandidateTransition) -> str:
        organisation = entry.actor_organisation_id
        if entry.actor == MATCHING and organisation == MATCHING_ORGANISATION:
            return by_decision(entry)
        role = entry.actor_role or labels.ROLE_OF_KIND.get(kinds.get(organisation, ""))
        named = named_in_language(organisation)
        if role == "training_centre" and named:
            return named  # the centre's own name
        if role == "employer" and named:
            return str(gettext(labels.EMPLOYER_NAMED) % {"name": named})
        if role == "program_manager" and named:
            return str(gettext(labels.MANAGER_OF_OFFICE) % {"office": named})
        if role in labels.ACTOR_ROLES:
            return str(gettext(labels.ACTOR_ROLES[role]))
        return named or str(gettext(labels.ACTOR_NOT_RECEIVED))

    return name


def _filters(language: str) -> dict[str, Callable[..., Any]]:
    gettext = translations(language).gettext
    tables = {"track": labels.TRACKS, "sector": labels.SECTORS}

    def name_of(kind: str, code: str) -> str:
        if kind == "test":
            return skills_test_markup(code, language)
        return _named(tables[kind], gettext)(code)

    def day_of(iso: str) -> str:
        try:
            return i18n.long_date(date.fromisoformat(iso), language)
        except ValueError:
            return iso

    return {
        "status": _named(labels.STATUSES, gettext),
        "pair_status": _named(labels.PAIR_STATUSES, gettext),
        "refusal": _named(labels.REFUSALS, gettext),
        "sector": _named(labels.SECTORS, gettext),
        "track": _named(labels.TRACKS, gettext),
        "level": _named(labels.LEVELS, gettext),
        "sex": _named(labels.SEXES, gettext),
        "education": _named(labels.EDUCATION, gettext),
        "health": _named(labels.HEALTH, gettext),
        "import_status": _named(labels.IMPORT_STATUSES, gettext),
        "needed": _named(labels.NEEDED_DATA, gettext),
        "skill": lambda code: skills.label(str(code), language),
        "reason": lambda text: labels.translate_reason(str(text), gettext, name_of, day_of),
        "person": lambda row: person_name(row, language),
        "other_names": lambda row: other_names(row, language),
        "history": lambda reason, order_name=None: labels.translate_history(
            reason, gettext, order_name
        ),
        "isoday": lambda text: day_of(str(text)) if text else "—",
        "prefecture": lambda name: (
            PREFECTURE_NAMES_JA.get(name, name) if language == "ja" else name
        ),
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
    messages: list[tuple[str, str]] | None = None,
    **context: Any,
) -> HTMLResponse:
    return PAGES.render(
        request, template, principal, status_code=status_code, messages=messages, **context
    )


def allowed_origins(request: Request) -> frozenset[str]:
    """The origins our services' pages are served from (a form may come from any of them)."""
    settings = settings_of(request)
    return browser_session.origins_of(settings.web_urls.values())


def csrf_passes(request: Request, form_token: object) -> bool:
    """The kit's two checks: an allowed Origin, and the form's token equal to the cookie."""
    token = form_token if isinstance(form_token, str) else None
    return browser_session.csrf_passes(request, token, allowed_origins(request))
