"""Names of the codes a 求人票 carries (statuses, tracks, sectors, options), as message ids for
the portal's catalogs; skills are named by the shared taxonomy (`kakehashi.shared.skills`)."""

from __future__ import annotations

from kakehashi.shared.ui.labels import SECTORS as SECTORS  # the kit's, named alike everywhere
from kakehashi.shared.ui.labels import TRACKS as TRACKS
from kakehashi.shared.ui.navigation import N_

STATUSES = {
    "draft": N_("draft"),
    "open": N_("open"),
    "interviewing": N_("interviewing"),
    "filled": N_("filled"),
    "closed": N_("closed"),
    "cancelled": N_("cancelled"),
    # Where a proposed candidate stands (matching's decisions, as employers counts them).
    "proposed": N_("proposed to you"),
    "interviewed": N_("interviewed"),
    "selected": N_("selected"),
}
# The lifecycle actions, by the status they lead to.
ACTIONS = {
    "open": N_("Open for matching"),
    "interviewing": N_("Start interviews"),
    "filled": N_("Mark as filled"),
    "closed": N_("Close"),
    "cancelled": N_("Cancel the order"),
}
# What the order page says after each of them.
DONE = {
    "open": N_("The job order is open: matching proposes candidates for it."),
    "interviewing": N_("The job order is in interviews."),
    "filled": N_("The job order is filled."),
    "closed": N_("The job order is closed."),
    "cancelled": N_("The job order was cancelled."),
}
EDUCATION = {
    "none": N_("No requirement"),
    "lower_secondary": N_("Lower secondary school"),
    "upper_secondary": N_("Upper secondary school"),
    "vocational": N_("Vocational school"),
    "college": N_("College"),
    "university": N_("University"),
}
INTERVIEW_FORMATS = {
    "online": N_("Online"),
    "in_person": N_("In person"),
    "video_recorded": N_("Recorded video"),
}
SEXES = {"male": N_("Male"), "female": N_("Female")}
MARITAL_STATUSES = {"single": N_("Single"), "married": N_("Married")}
INTERMEDIARY_KINDS = {
    "supervising_organisation": N_("Supervising organisation (監理団体)"),
    "registered_support_organisation": N_("Registered support organisation (登録支援機関)"),
}
SORTS = {
    "newest": N_("Newest first"),
    "deadline": N_("Application deadline"),
    "fill": N_("Least filled first"),
    "title": N_("Title"),
}
SKILL_LEVELS = {
    1: N_("1 basic"),
    2: N_("2"),
    3: N_("3 independent"),
    4: N_("4"),
    5: N_("5 expert"),
}
