"""Matching's decisions on a candidate's pairs (one per job order), read as pipeline moves.

A candidate may stand on several orders at once, so each decision is judged against the
candidate's other live pairs: a decision moves the candidate forward to the furthest stage it
reaches (from any training stage: employers interview before and during training), an undone
step moves them back only as far as no other order holds them, and an order letting the candidate
go sends them back to their training stage only when no other order still holds them. Moves past
`selected` (contract, visa, departure) and `withdrawn` are people's business; a decision never
undoes them.

A decision that places the candidate (shortlisted, proposed, interviewed, selected) but cannot be
followed is *refused* with a reason code: matching marks the pair and employers stop counting it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from kakehashi.candidates.domain.pipeline import (
    DECIDED_STAGES,
    TRAINING_STAGES,
    Status,
    TransitionNotAllowedError,
    check_transition,
)


class PairStatus(StrEnum):
    """Where a candidate stands for one order, as `match.status_changed` says."""

    SHORTLISTED = "shortlisted"
    PROPOSED = "proposed"
    INTERVIEWED = "interviewed"
    SELECTED = "selected"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    UNDECIDED = "undecided"  # the pair's only decision was undone


# Who takes each decision, by role, when `match.status_changed` does not say (matching's event
# carries `decided_by_role` since 2026-11; older events, and a producer that leaves it out, do
# not). Domain knowledge, not a guess from the event: the programme office's program managers
# shortlist, propose, reject (after a review) and withdraw or undo; the employer interviews and
# selects. An interview failed is a rejection the employer decided, which only the event can
# tell apart from a program manager's: without it, a rejection is the program manager's.
DECIDER_ROLE: dict[str, str] = {
    PairStatus.SHORTLISTED: "program_manager",
    PairStatus.PROPOSED: "program_manager",
    PairStatus.REJECTED: "program_manager",
    PairStatus.WITHDRAWN: "program_manager",
    PairStatus.UNDECIDED: "program_manager",
    PairStatus.INTERVIEWED: "employer",
    PairStatus.SELECTED: "employer",
}


class RefusalReason(StrEnum):
    """Why the candidate's pipeline cannot follow a placing decision (`candidate.match_refused`)."""

    WITHDRAWN = "withdrawn"
    ERASED = "erased"
    UNKNOWN_CANDIDATE = "unknown_candidate"
    SELECTED_ELSEWHERE = "selected_elsewhere"
    NOT_AVAILABLE = "not_available"  # contracted, visa, departed, working or returned
    PIPELINE = "pipeline"  # any other rule of the pipeline


P = PairStatus
S = Status
# The stage of the pipeline a live pair puts the candidate at.
STAGE: dict[PairStatus, Status] = {
    P.SHORTLISTED: S.SHORTLISTED,
    P.PROPOSED: S.SHORTLISTED,
    P.INTERVIEWED: S.INTERVIEWED,
    P.SELECTED: S.SELECTED,
}
LIVE = frozenset(STAGE)


@dataclass(frozen=True)
class Plan:
    """The moves a decision makes, in order; when there are none, `note` says why."""

    steps: tuple[Status, ...] = ()
    note: str | None = None
    refusal: RefusalReason | None = None  # a placing decision the pipeline cannot follow

    @property
    def refused(self) -> bool:
        return self.refusal is not None


def refused(reason: RefusalReason, note: str) -> Plan:
    return Plan(note=note, refusal=reason)


def _stages(training: Status) -> tuple[Status, ...]:
    """The part of the pipeline decisions drive, in order, starting at the training stage."""
    return (training, *DECIDED_STAGES)


def _rank(status: Status) -> int:
    return 0 if status in TRAINING_STAGES else DECIDED_STAGES.index(status) + 1


def _pipeline_refusal(
    current: Status, target: Status, eligible_tracks: tuple[str, ...], reason: RefusalReason
) -> Plan | None:
    try:
        check_transition(current, target, eligible_tracks)
    except TransitionNotAllowedError as error:
        return refused(reason, error.message)
    return None


def plan_moves(
    current: Status,
    training: Status,
    decided: PairStatus,
    pair_was: Collection[PairStatus],
    others_live: Collection[PairStatus],
    eligible_tracks: tuple[str, ...],
) -> Plan:
    """What the candidate's pipeline does with a decision on one pair.

    `training` is the candidate's training stage (where they return to when no order holds
    them), `pair_was` what the pair stood at before (as stored here and as matching says),
    `others_live` the statuses of the candidate's other live pairs.
    """
    if decided in LIVE:
        return _placing(current, training, STAGE[decided], pair_was, others_live, eligible_tracks)
    if current is S.WITHDRAWN:
        return Plan(note="the candidate has withdrawn")
    if others_live:
        held = max((STAGE[p] for p in others_live), key=_rank)
        return Plan(note=f"still held at {held.value} by another order")
    if current in TRAINING_STAGES:
        return Plan(note=f"already at {current.value}")
    if current in (S.SHORTLISTED, S.INTERVIEWED) or (
        current is S.SELECTED and P.SELECTED in pair_was
    ):
        blocked = _pipeline_refusal(current, training, eligible_tracks, RefusalReason.PIPELINE)
        # Leaving is never refused to matching; the note says why the candidate stays put.
        return Plan(note=blocked.note) if blocked else Plan(steps=(training,))
    if current is S.SELECTED:
        return Plan(note="left at selected: another order selected the candidate")
    return Plan(note=f"left at {current.value}: decisions move only up to selected")


def _placing(
    current: Status,
    training: Status,
    target: Status,
    pair_was: Collection[PairStatus],
    others_live: Collection[PairStatus],
    eligible_tracks: tuple[str, ...],
) -> Plan:
    if current is S.WITHDRAWN:
        return refused(RefusalReason.WITHDRAWN, "the candidate has withdrawn")
    if P.SELECTED in others_live:
        return refused(
            RefusalReason.SELECTED_ELSEWHERE, "the candidate is selected for another order"
        )
    if current not in TRAINING_STAGES and current not in DECIDED_STAGES:
        return refused(
            RefusalReason.NOT_AVAILABLE,
            f"the candidate is {current.value}; decisions move only candidates up to selected",
        )
    if _rank(current) > _rank(target):
        return _back(current, training, target, pair_was, others_live)
    if _rank(current) == _rank(target):
        return Plan(note=f"already at {current.value}")
    steps = _stages(training)[_rank(current) + 1 : _rank(target) + 1]
    return _pipeline_refusal(current, steps[0], eligible_tracks, RefusalReason.PIPELINE) or Plan(
        steps=steps
    )


def _back(
    current: Status,
    training: Status,
    target: Status,
    pair_was: Collection[PairStatus],
    others_live: Collection[PairStatus],
) -> Plan:
    """A pair stepped back (an undone decision): the candidate follows, step by step, if this
    pair had put them where they are, and no further back than another order holds them."""
    if not any(STAGE.get(status) is current for status in pair_was):
        return Plan(note=f"already at {current.value}")
    floor = max((target, *(STAGE[p] for p in others_live)), key=_rank)
    if floor is current:
        return Plan(note=f"still held at {current.value} by another order")
    stages = _stages(training)
    return Plan(steps=stages[_rank(floor) : _rank(current)][::-1])
