"""The candidate pipeline: which status may follow which, and the record of each move."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    REGISTERED = "registered"
    IN_TRAINING = "in_training"
    READY = "ready"  # eligible for at least one track
    SHORTLISTED = "shortlisted"
    INTERVIEWED = "interviewed"
    SELECTED = "selected"
    CONTRACTED = "contracted"
    VISA_PROCESSING = "visa_processing"
    DEPARTED = "departed"
    WORKING = "working"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"


S = Status
# The training stages: where a candidate stands while no order holds them, and where they return
# to when the orders that held them let them go. The candidate's `training_status` keeps the last
# of them, so interviews and selections during training do not forget how far training got.
TRAINING_STAGES = (S.REGISTERED, S.IN_TRAINING, S.READY)
# Placement stages that an order's decision can still undo (contract onwards is people's work).
DECIDED_STAGES = (S.SHORTLISTED, S.INTERVIEWED, S.SELECTED)
_BACK_TO_TRAINING = frozenset(TRAINING_STAGES)
# Forward along the pipeline. Employers interview and select before or during training, so
# shortlisting is open from every training stage. One step back from interviewed or selected when
# a program manager undoes that decision; back to a training stage when an employer passes on the
# candidate or a visa is refused; a returnee may go again. Withdrawn is reachable from everywhere
# and is final.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.REGISTERED: frozenset({S.IN_TRAINING, S.READY, S.SHORTLISTED}),
    S.IN_TRAINING: frozenset({S.READY, S.SHORTLISTED}),
    S.READY: frozenset({S.SHORTLISTED, S.IN_TRAINING}),
    S.SHORTLISTED: frozenset({S.INTERVIEWED}) | _BACK_TO_TRAINING,
    S.INTERVIEWED: frozenset({S.SELECTED, S.SHORTLISTED}) | _BACK_TO_TRAINING,
    S.SELECTED: frozenset({S.CONTRACTED, S.INTERVIEWED}) | _BACK_TO_TRAINING,
    S.CONTRACTED: frozenset({S.VISA_PROCESSING, S.READY}),
    S.VISA_PROCESSING: frozenset({S.DEPARTED, S.READY}),
    S.DEPARTED: frozenset({S.WORKING, S.RETURNED}),
    S.WORKING: frozenset({S.RETURNED}),
    S.RETURNED: frozenset({S.IN_TRAINING, S.READY}),
    S.WITHDRAWN: frozenset(),
}
for _status in Status:
    if _status is not S.WITHDRAWN:
        TRANSITIONS[_status] = TRANSITIONS[_status] | {S.WITHDRAWN}


class TransitionNotAllowedError(Exception):
    """The move breaks the pipeline (the API answers 409)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class HeldByMatchError(TransitionNotAllowedError):
    """A person tried to take a candidate whom an order holds in matching back to training (the
    API answers 409 naming the field `status`)."""

    field = "status"
    code = "held_by_match"


HELD_BY_MATCH = (
    "the candidate is {status} for {orders} job order(s) in matching: a training stage would "
    "take them out of it behind matching's back. To release them, the program manager rejects "
    "or withdraws them in matching (the candidate then returns to their training stage), or "
    "withdraw the candidate, which ends every order's pair"
)


def check_manual_move(current: Status, target: Status, live_pairs: int) -> None:
    """Raise HeldByMatchError when a person (not a decision of matching) would move a candidate
    whom `live_pairs` orders still hold (shortlisted, proposed, interviewed or selected) below
    the matching stage: only matching's decisions release them, or a withdrawal."""
    if live_pairs and current in DECIDED_STAGES and target in TRAINING_STAGES:
        raise HeldByMatchError(HELD_BY_MATCH.format(status=current.value, orders=live_pairs))


def training_after(training: Status, target: Status) -> Status:
    """The training stage once the candidate moves to `target`: a training stage replaces it."""
    return target if target in TRAINING_STAGES else training


def check_transition(current: Status, target: Status, eligible_tracks: tuple[str, ...]) -> None:
    """Raise TransitionNotAllowedError unless `target` may follow `current` for this candidate."""
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current])) or "none (final)"
        raise TransitionNotAllowedError(
            f"cannot go from {current.value} to {target.value}; allowed: {allowed}"
        )
    if target is S.READY and not eligible_tracks:
        raise TransitionNotAllowedError(
            "ready needs eligibility for at least one track; see the profile's eligibility"
        )
