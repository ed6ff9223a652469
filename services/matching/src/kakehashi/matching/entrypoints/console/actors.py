"""Who took a decision, in words: the role and the organisation identity named ("program manager
— Kakehashi Program Office", "employer: Tanaka Kogyo"), never the user's id from the token."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from fastapi import Request

from kakehashi.matching.adapters.tables import MatchDecision
from kakehashi.matching.domain import events
from kakehashi.matching.entrypoints.console import labels
from kakehashi.matching.entrypoints.console.i18n import translations
from kakehashi.matching.entrypoints.console.rendering import PAGES, language_of


def actor_namer(
    request: Request, decisions: Iterable[MatchDecision]
) -> Callable[[MatchDecision], str]:
    """A namer for the decisions of one page, their organisations looked up in one query."""
    steps = list(decisions)
    language = language_of(request)
    gettext = translations(language).gettext
    names = PAGES.organisation_names(request, {s.decided_by_organisation_id for s in steps})

    def name(step: MatchDecision) -> str:
        if step.decided_by == events.SOURCE:  # matching itself (a candidate withdrew)
            return str(gettext(labels.BY_MATCHING))
        known = names.get(step.decided_by_organisation_id)
        template = labels.ACTORS.get(step.decided_by_role)
        if known is None or template is None:
            return str(gettext(labels.ACTOR_NOT_RECEIVED))
        return str(gettext(template) % {"name": known.in_language(language)})

    return name
