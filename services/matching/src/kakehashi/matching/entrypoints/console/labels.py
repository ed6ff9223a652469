"""Names of codes (statuses, actions, reasons, sectors, tracks) as message ids for the catalogs;
those of score components and hard constraints come from their records in the domain."""

from __future__ import annotations

from kakehashi.matching.domain.components import COMPONENTS as SCORE_COMPONENTS
from kakehashi.matching.domain.constraints import HARD_CONSTRAINTS
from kakehashi.matching.domain.reasons import N_
from kakehashi.shared.ui.labels import SECTORS as SECTORS  # the kit's, named alike everywhere
from kakehashi.shared.ui.labels import TRACKS as TRACKS

STATUSES = {
    "registered": N_("registered"),
    "in_training": N_("in training"),
    "ready": N_("ready"),
    "shortlisted": N_("shortlisted"),
    "proposed": N_("proposed to employer"),
    "interviewed": N_("interviewed"),
    "selected": N_("selected"),
    "contracted": N_("contracted"),
    "visa_processing": N_("visa processing"),
    "departed": N_("departed"),
    "working": N_("working"),
    "returned": N_("returned"),
    "withdrawn": N_("withdrawn"),
    "rejected": N_("rejected"),
    "undecided": N_("no decision"),
    "unpublished": N_("unpublished"),
    "open": N_("open"),
    "interviewing": N_("interviewing"),
    "filled": N_("filled"),
    "closed": N_("closed"),
    "cancelled": N_("cancelled"),
}
ACTIONS = {
    "shortlist": N_("Shortlist"),
    "propose": N_("Propose to employer"),
    "select": N_("Select"),
    "reject": N_("Reject"),
    "withdraw": N_("Withdraw"),
    "interview": N_("Interview result"),
    "undo": N_("Undo"),
}
# Why a candidate's owner refused a decision (candidates' `candidate.match_refused`).
REFUSALS = {
    "withdrawn": N_("the candidate has withdrawn"),
    "erased": N_("the candidate's data was erased"),
    "unknown_candidate": N_("the candidates service does not know this candidate"),
    "selected_elsewhere": N_("the candidate is selected for another order"),
    "not_available": N_("the candidate is past selection (contract, visa, abroad or returned)"),
    "pipeline": N_("the candidate's pipeline does not allow the move"),
}
REJECTION_REASONS = {
    "japanese_level": N_("Japanese level"),
    "skills": N_("Skills"),
    "availability": N_("Availability"),
    "employer_preference": N_("Employer preference"),
    "candidate_declined": N_("Candidate declined"),
    "interview_failed": N_("Failed the interview"),
    "headcount_filled": N_("Headcount filled"),
    "other": N_("Other (write a note)"),
}
COMPONENTS = {c.name: c.label for c in SCORE_COMPONENTS}
CONSTRAINTS = {c.name: c.label for c in HARD_CONSTRAINTS}
# The dashboard's filters (service_layer.dashboard.Deadline and Fill).
DEADLINES = {
    "passed": N_("Passed"),
    "soon": N_("Within 14 days"),
    "later": N_("Later"),
    "none": N_("No deadline"),
}
FILLS = {
    "empty": N_("Nobody selected yet"),
    "partly": N_("Partly filled"),
    "filled": N_("Filled"),
}
# What became of a refit attempt of the learned ranking (`domain/refits.Outcome`).
REFIT_OUTCOMES = {
    "promoted": N_("better than the live model: lists rank with it"),
    "kept_live": N_("not better than the live model: kept for the record"),
    "not_enough_decisions": N_("not enough decisions to fit"),
    "failed": N_("the fit failed"),
}
# Who took a decision (a candidate's history, "By"): the role and the organisation's name from
# identity's directory, never a user's id; before identity's event on the organisation arrived,
# a neutral phrase.
ACTORS = {
    "program_manager": N_("program manager — %(name)s"),
    "admin": N_("administrator — %(name)s"),
    "employer": N_("employer: %(name)s"),
    "training_centre": N_("training centre: %(name)s"),
}
ACTOR_NOT_RECEIVED = N_("a user (organisation not yet received)")
BY_MATCHING = N_("matching (automatic)")
# Why a console page was refused, as its error page says it (the routes' English details).
ERROR_DETAILS = {
    "job order not found": N_("This job order does not exist, or it is not yours to see."),
    "candidate not found": N_("This candidate does not exist, or is no longer in matching."),
    "no such allocation run (it may be old)": N_(
        "This allocation is no longer kept: propose it again."
    ),
    "for program managers and admins": N_("This page is for program managers and administrators."),
    "only program managers decide": N_("Only program managers take decisions."),
    "interview results come from employers": N_("Interview results are recorded by employers."),
}
ERROR_TITLES = {
    403: N_("Not allowed"),
    404: N_("Page not found"),
}
ERROR_FALLBACKS = {
    403: N_("Your role cannot open this page."),
    404: N_("There is nothing at this address."),
}
