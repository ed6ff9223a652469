"""The words a reviewer reads: reasons that keep their message id, so pages can translate them."""

from __future__ import annotations

from kakehashi.shared.reference import JapaneseLevel

TRACK_NAMES = {
    "titp": "TITP",
    "esd": "Employment for Skill Development",
    "ssw1": "SSW i",
    "ssw2": "SSW ii",
}


def N_(message: str) -> str:  # noqa: N802 (the gettext convention)
    """Marks a message id for extraction (`make translations`) without translating it here."""
    return message


class Reason(str):
    """A reason in English that also keeps its template and values, so pages can translate it.

    The template is the message id in the console's catalogs; `str(reason)` is the English text.
    """

    template: str
    params: dict[str, object]

    def __new__(cls, template: str, **params: object) -> Reason:
        reason = super().__new__(cls, template.format(**params))
        reason.template, reason.params = template, params
        return reason


def level_name(rank: int) -> str:
    """A rank on the shared Japanese scale as reviewers name it."""
    level = list(JapaneseLevel)[rank]
    return "no certified level" if level is JapaneseLevel.NONE else level.value
