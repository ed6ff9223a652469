"""Which candidates and job orders take part in matching at all."""

from __future__ import annotations

# A candidate already selected for an order (or further along, or withdrawn) is not matched again.
MATCHABLE_CANDIDATE_STATUSES = frozenset(
    {"registered", "in_training", "ready", "shortlisted", "interviewed"}
)
# Not a pipeline state: the status matching gives a candidate whose sharing consent was withdrawn
# (nobody outside the program office sees their profile then).
UNPUBLISHED = "unpublished"
# Only open and interviewing orders are matched.
MATCHABLE_ORDER_STATUSES = frozenset({"open", "interviewing"})
