"""Names of codes (statuses, sectors, tracks, levels, reasons) as message ids for the portal's
catalogs, and the eligibility reasons of the domain put into the reader's language."""

from __future__ import annotations

import re
from collections.abc import Callable

from markupsafe import Markup, escape

from kakehashi.shared.ui.labels import SECTORS as SECTORS  # the kit's, named alike everywhere
from kakehashi.shared.ui.labels import TRACKS as TRACKS


def N_(message: str) -> str:  # noqa: N802 (gettext's marker: extracted, translated when shown)
    return message


STATUSES = {
    "registered": N_("registered"),
    "in_training": N_("in training"),
    "ready": N_("ready"),
    "shortlisted": N_("shortlisted"),
    "interviewed": N_("interviewed"),
    "selected": N_("selected"),
    "contracted": N_("contracted"),
    "visa_processing": N_("visa processing"),
    "departed": N_("departed"),
    "working": N_("working"),
    "returned": N_("returned"),
    "withdrawn": N_("withdrawn"),
}
# Where a candidate stands for one job order, as matching decided (`match.status_changed`).
PAIR_STATUSES = {
    "shortlisted": N_("shortlisted"),
    "proposed": N_("proposed to employer"),
    "interviewed": N_("interviewed"),
    "selected": N_("selected"),
    "rejected": N_("rejected"),
    "withdrawn": N_("withdrawn"),
    "undecided": N_("no decision"),
}
REFUSALS = {
    "withdrawn": N_("the candidate has withdrawn"),
    "erased": N_("the candidate's data was erased"),
    "unknown_candidate": N_("the candidates service does not know this candidate"),
    "selected_elsewhere": N_("the candidate is selected for another order"),
    "not_available": N_("the candidate is past selection (contract, visa, abroad or returned)"),
    "pipeline": N_("the candidate's pipeline does not allow the move"),
}
LEVELS = {"none": N_("no certified level")}
# The Japanese tests of reference_data/japanese_tests.json, by their full names (a test type
# added there without a name here is shown by its short name).
JAPANESE_TESTS = {
    "jlpt": N_("JLPT (Japanese-Language Proficiency Test)"),
    "jft_basic": N_("JFT-Basic (Japan Foundation Test for Basic Japanese)"),
    "nat_test": N_("NAT-TEST (Japanese Language NAT-TEST)"),
    "j_test": N_("J.TEST (Test of Practical Japanese)"),
}
SEXES = {"female": N_("female"), "male": N_("male"), "other": N_("other")}
EDUCATION = {
    "primary": N_("primary school"),
    "lower_secondary": N_("lower secondary school"),
    "upper_secondary": N_("upper secondary school"),
    "vocational": N_("vocational school"),
    "college": N_("college"),
    "university": N_("university"),
}
HEALTH = {
    "not_done": N_("not done"),
    "pending": N_("pending"),
    "fit": N_("fit"),
    "unfit": N_("unfit"),
}
NOTICE_LANGUAGES = {"vi": "Tiếng Việt", "ja": "日本語", "en": "English"}
SORTS = {
    "newest": N_("newest first"),
    "oldest": N_("oldest first"),
    "name": N_("name"),
    "japanese_level": N_("Japanese level"),
    "status": N_("status"),
    "updated": N_("recently changed"),
}
IMPORT_STATUSES = {
    "queued": N_("waiting to start"),
    "running": N_("importing"),
    "done": N_("finished"),
    "failed": N_("stopped by an error"),
}
# What an unsettled eligibility needs (TrackEligibility.needs_data).
NEEDED_DATA = {
    "date_of_birth": N_("date of birth"),
    "training_hours": N_("training hours"),
}

# The domain's eligibility reasons (domain/eligibility.py), as message templates: the pattern
# reads the values out of the English reason, the template says it in the reader's language.
REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), template)
    for pattern, template in (
        (
            r"^(?P<track>\w+) takes entrants on (?P<day>[\d-]+)$",
            N_("%(track)s takes entrants on %(day)s"),
        ),
        (
            r"^(?P<track>\w+) does not take (?P<sector>\w+) on (?P<day>[\d-]+)$",
            N_("%(track)s does not take %(sector)s on %(day)s"),
        ),
        (
            r"^(?P<track>\w+) takes no entrants on (?P<day>[\d-]+)$",
            N_("%(track)s takes no entrants on %(day)s"),
        ),
        (r"^age unknown$", N_("age unknown")),
        (
            r"^age (?P<age>\d+) on (?P<day>[\d-]+) \(min (?P<min>\d+)\)$",
            N_("age %(age)s on %(day)s (at least %(min)s)"),
        ),
        (
            r"^Japanese (?P<level>\w+) \(needs (?P<needed>\w+)\)$",
            N_("Japanese %(level)s (needs %(needed)s)"),
        ),
        (r"^training hours unknown$", N_("training hours unknown")),
        (
            r"^(?P<hours>\d+) training hours \(needs (?P<needed>\d+)\)$",
            N_("%(hours)s training hours (needs %(needed)s)"),
        ),
        # The test is named by the kit (a skills test: its track and sector, translated).
        (r"^test (?P<test>\S+) passed$", N_("%(test)s passed")),
        (r"^test (?P<test>\S+) not passed$", N_("%(test)s not passed")),
        (
            r"^TITP stage (?P<stage>\d+) in (?P<sector>\w+) completed$",
            N_("TITP stage %(stage)s in %(sector)s completed"),
        ),
        (
            r"^TITP stage (?P<stage>\d+) in (?P<sector>\w+) not completed$",
            N_("TITP stage %(stage)s in %(sector)s not completed"),
        ),
    )
)
OR = N_("%(first)s or %(second)s")


def translate_reason(
    reason: str,
    gettext: Callable[[str], str],
    name_of: Callable[[str, str], str],
    day_of: Callable[[str], str] = str,
) -> Markup:
    """One eligibility reason in the reader's language; alternatives ("a or b") one by one. A
    reason no pattern reads is shown as the domain wrote it. `name_of(kind, code)` names a
    track, sector or test (markup, e.g. an unknown test marked as code, is kept; text is
    escaped), `day_of` writes an ISO date as the reader does."""
    parts = reason.split(" or ")
    if len(parts) > 1:
        translated = [translate_reason(part, gettext, name_of, day_of) for part in parts]
        text = translated[0]
        for part in translated[1:]:
            text = escape(gettext(OR)) % {"first": text, "second": part}
        return text
    for pattern, template in REASONS:
        found = pattern.match(reason)
        if found is None:
            continue
        values = found.groupdict()
        named: dict[str, str] = dict(values)
        for kind in ("track", "sector", "test"):
            if kind in values:
                named[kind] = name_of(kind, values[kind])
        if "day" in values:
            named["day"] = day_of(values["day"])
        return escape(gettext(template)) % named
    return escape(reason)


# Why a pipeline move was made, as the service writes it in the history.
HISTORY_REASONS = {
    "registered": N_("registered"),
    "erased at the person's request": N_("erased at the person's request"),
}
MATCH_MOVE = re.compile(r"^match (?P<status>\w+) for job order (?P<order>\S+)$")
MATCH_MOVE_TEXT = N_("matching: %(status)s for %(order)s")
# A job order as the portal names it (its title, its employer's name), or before employers'
# event on it has arrived: never its id.
ORDER_OF_EMPLOYER = N_("%(title)s (%(employer)s)")
ORDER_NOT_RECEIVED = N_("order (title not yet received)")
# Who made a pipeline move (the history's "By"), by role; an organisation's kind stands for the
# role on entries that did not record one.
ROLE_OF_KIND = {
    "training_centre": "training_centre",
    "employer": "employer",
    "program_office": "program_manager",
    "operator": "admin",
}
EMPLOYER_NAMED = N_("employer: %(name)s")
MANAGER_OF_OFFICE = N_("program manager (%(office)s)")
ACTOR_ROLES = {
    "training_centre": N_("training centre"),
    "employer": N_("employer"),
    "program_manager": N_("program manager"),
    "admin": N_("administrator"),
}
BY_MATCHING = N_("matching")
ACTOR_NOT_RECEIVED = N_("a user (organisation not yet received)")


def translate_history(
    reason: str | None,
    gettext: Callable[[str], str],
    order_name: Callable[[str], str] | None = None,
) -> str:
    """A history entry's reason in the reader's language (free text is shown as written); a
    job order named by `order_name` (its title), else neutrally, never by its id."""
    if not reason:
        return ""
    if reason in HISTORY_REASONS:
        return gettext(HISTORY_REASONS[reason])
    found = MATCH_MOVE.match(reason)
    if found is not None:
        status = found.group("status")
        named = gettext(PAIR_STATUSES[status]) if status in PAIR_STATUSES else status
        order = order_name(found.group("order")) if order_name else gettext(ORDER_NOT_RECEIVED)
        return gettext(MATCH_MOVE_TEXT) % {"status": named, "order": order}
    return reason
