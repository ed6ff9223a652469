"""The words a reviewer reads: reasons that keep their message id, so pages can translate them."""

from __future__ import annotations

from functools import lru_cache

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


class Term(str):
    """A value inside a reason that each reader names in their own words: a skill, a track, a
    prefecture or a Japanese level. `str()` is the English form the API shows; `kind` and `code`
    let pages put the reader's label in its place (`skills.label`, the track's name, 愛知県).
    """

    kind: str
    code: str

    def __new__(cls, kind: str, code: str, english: str | None = None) -> Term:
        term = super().__new__(cls, code if english is None else english)
        term.kind, term.code = kind, code
        return term


# Terms are values, each made once (within reason): a list's reasons name the same few skills,
# tracks and places on every row.
@lru_cache(maxsize=1024)
def skill(code: str) -> Term:
    return Term("skill", code)


@lru_cache(maxsize=1024)
def track(code: str) -> Term:
    return Term("track", code, TRACK_NAMES[code])


@lru_cache(maxsize=1024)
def prefecture(name: str) -> Term:
    return Term("prefecture", name)


class Reason(str):
    """A reason in English that also keeps its template and values, so pages can translate it.

    The template is the message id in the console's catalogs; `str(reason)` is the English text.
    """

    template: str
    params: dict[str, object]
    plural: str | None = None  # the plural message id of a counted reason
    n: int = 1  # which of the two it takes (gettext's n)

    def __new__(cls, template: str, **params: object) -> Reason:
        reason = super().__new__(cls, template.format(**params))
        reason.template, reason.params = template, params
        return reason


class CountedReason(Reason):
    """A reason with a singular and a plural message id ("1 year", "2.5 years"), chosen by
    `count` as gettext's ngettext chooses (extracted with `-k CountedReason:1,2`)."""

    def __new__(cls, singular: str, plural: str, count: float, **params: object) -> CountedReason:
        n = plural_count(count)
        reason = str.__new__(cls, (singular if n == 1 else plural).format(**params))
        reason.template, reason.params = singular, params
        reason.plural, reason.n = plural, n
        return reason


def plural_count(value: float) -> int:
    """The integer gettext chooses a plural form by: the value itself when whole; a fraction
    (1.5 years) reads as plural in English, so it counts as 2."""
    return int(value) if float(value).is_integer() else 2


def level_name(rank: int) -> Term:
    """A rank on the shared Japanese scale as reviewers name it (N3; no certified level)."""
    return _LEVEL_NAMES[rank]


def _level_term(level: JapaneseLevel) -> Term:
    english = N_("no certified level") if level is JapaneseLevel.NONE else level.value
    return Term("level", level.value, english)


# By rank, made once: a list's reasons name two levels a row.
_LEVEL_NAMES = tuple(_level_term(level) for level in JapaneseLevel)
