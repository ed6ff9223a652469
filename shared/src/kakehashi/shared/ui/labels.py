"""Names of the sectors, tracks and skills tests every page shows (the shared reference's
codes), as message ids translated once in the kit's catalogs: the portals and the console name
them alike."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

from kakehashi.shared.ui.i18n import translations
from kakehashi.shared.ui.navigation import N_

# The SSW and ESD fields of `kakehashi.shared.reference.Sector`, by code.
SECTORS = {
    "nursing_care": N_("Nursing care"),
    "building_cleaning": N_("Building cleaning"),
    "industrial_products_manufacturing": N_("Industrial products manufacturing"),
    "construction": N_("Construction"),
    "shipbuilding": N_("Shipbuilding"),
    "automobile_maintenance": N_("Automobile maintenance"),
    "aviation": N_("Aviation"),
    "accommodation": N_("Accommodation"),
    "agriculture": N_("Agriculture"),
    "fisheries": N_("Fisheries"),
    "food_beverage_manufacturing": N_("Food and beverage manufacturing"),
    "food_service": N_("Food service"),
    "automobile_transport": N_("Automobile transport"),
    "railway": N_("Railway"),
    "forestry": N_("Forestry"),
    "wood_industry": N_("Wood industry"),
    "linen_supply": N_("Linen supply"),
    "logistics_warehouse": N_("Logistics warehousing"),
    "resource_circulation": N_("Resource circulation"),
}
# The routes to work in Japan (`kakehashi.shared.reference.Track`), by code.
TRACKS = {
    "titp": N_("Technical Intern Training"),
    "esd": N_("Employment for Skill Development"),
    "ssw1": N_("Specified Skilled Worker (i)"),
    "ssw2": N_("Specified Skilled Worker (ii)"),
}

# Skills tests, by the codes the eligibility rules name (`ssw1_{sector}`, `ssw2_{sector}`): the
# name composes the track's and the sector's names, so no test needs a message of its own.
SKILLS_TEST_TRACKS = ("ssw1", "ssw2")
SKILLS_TEST = N_("%(track)s skills test (%(sector)s)")
# Tests the rules name that are not a track's skills test.
OTHER_TESTS = {"nursing_care_japanese": N_("Nursing care Japanese evaluation test")}


def skills_test_codes(sector: str) -> tuple[str, ...]:
    """The skills tests a candidate of `sector` may pass, by code (e.g. ssw1_construction):
    the choices a form offers."""
    tests = tuple(f"{track}_{sector}" for track in SKILLS_TEST_TRACKS)
    return tests + (("nursing_care_japanese",) if sector == "nursing_care" else ())


def skills_test_name(code: str, gettext: Callable[[str], str]) -> str | None:
    """A test's name by `gettext` (a reader's catalog), or None for a code no rule names."""
    if code in OTHER_TESTS:
        return gettext(OTHER_TESTS[code])
    track, _, sector = code.partition("_")
    if track not in SKILLS_TEST_TRACKS or sector not in SECTORS:
        return None
    return gettext(SKILLS_TEST) % {
        "track": gettext(TRACKS[track]),
        "sector": gettext(SECTORS[sector]),
    }


def skills_test_label(code: str, language: str) -> str:
    """A test's name in `language` (e.g. "Kỳ thi Kỹ năng đặc định số 1: Xây dựng" for
    ssw1_construction), the code itself when no rule names it (a centre may record a test we
    do not know)."""
    return skills_test_name(code, translations(None, language).gettext) or code


def skills_test_markup(code: str, language: str) -> Markup:
    """`skills_test_label` for a page: an unknown code is marked as code, in English, so that
    it is read (and spoken) as the code it is."""
    name = skills_test_name(code, translations(None, language).gettext)
    if name is None:
        return Markup('<code lang="en">%s</code>') % code
    return escape(name)
