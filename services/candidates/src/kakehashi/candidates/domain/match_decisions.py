"""Matching's decisions on a candidate's pairs (one per job order), read as pipeline moves.

A candidate may stand on several orders at once, so each decision is judged against the
candidate's other live pairs: a decision moves the candidate forward to the furthest stage it
reaches, an undone step moves them back only as far as no other order holds them, and an order
letting the candidate go sends them back to `ready` only when no other
order still holds them. Moves past `selected` (contract, visa, departure) and `withdrawn` are
people's business; a decision never undoes them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from kakehashi.candidates.domain.pipeline import Status, TransitionNotAllowedError, check_transition


class PairStatus(StrEnum):
    """Where a candidate stands for one order, as `match.status_changed` says."""

    SHORTLISTED = "shortlisted"
    PROPOSED = "proposed"
    INTERVIEWED = "interviewed"
    SELECTED = "selected"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


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
# The part of the pipeline matching's decisions drive, in order.
MATCHING_STAGES = (S.READY, S.SHORTLISTED, S.INTERVIEWED, S.SELECTED)


@dataclass(frozen=True)
class Plan:
    """The moves a decision makes, in order; when there are none, `note` says why."""

    steps: tuple[Status, ...] = ()
    note: str | None = None
    refused: bool = False  # the pipeline does not allow the move (worth a warning)


def _stage(status: Status) -> int:
    return MATCHING_STAGES.index(status)


def _refusal(current: Status, target: Status, eligible_tracks: tuple[str, ...]) -> Plan | None:
    try:
        check_transition(current, target, eligible_tracks)
    except TransitionNotAllowedError as error:
        return Plan(note=error.message, refused=True)
    return None


def plan_moves(
    current: Status,
    decided: PairStatus,
    pair_was: Collection[PairStatus],
    others_live: Collection[PairStatus],
    eligible_tracks: tuple[str, ...],
) -> Plan:
    """What the candidate's pipeline does with a decision on one pair.

    `pair_was` holds what the pair stood at before (as stored here and as matching says),
    `others_live` the statuses of the candidate's other live pairs.
    """
    if current is S.WITHDRAWN:
        return Plan(note="the candidate has withdrawn")
    if decided in LIVE:
        target = STAGE[decided]
        if current in MATCHING_STAGES and _stage(current) > _stage(target):
            return _back(current, target, pair_was, others_live)
        return _forward(current, target, eligible_tracks)
    if others_live:
        held = max((STAGE[p] for p in others_live), key=_stage)
        return Plan(note=f"still held at {held.value} by another order")
    if current is S.READY:
        return Plan(note="already at ready")
    if current in (S.SHORTLISTED, S.INTERVIEWED) or (
        current is S.SELECTED and P.SELECTED in pair_was
    ):
        return _refusal(current, S.READY, eligible_tracks) or Plan(steps=(S.READY,))
    if current is S.SELECTED:
        return Plan(note="left at selected: another order selected the candidate")
    return Plan(note=f"left at {current.value}: decisions move only ready to selected")


def _back(
    current: Status,
    target: Status,
    pair_was: Collection[PairStatus],
    others_live: Collection[PairStatus],
) -> Plan:
    """A pair stepped back (an undone decision): the candidate follows, step by step, if this
    pair had put them where they are, and no further back than another order holds them."""
    if not any(STAGE.get(status) is current for status in pair_was):
        return Plan(note=f"already at {current.value}")
    floor = max((target, *(STAGE[p] for p in others_live)), key=_stage)
    if floor is current:
        return Plan(note=f"still held at {current.value} by another order")
    return Plan(steps=MATCHING_STAGES[_stage(floor) : _stage(current)][::-1])


def _forward(current: Status, target: Status, eligible_tracks: tuple[str, ...]) -> Plan:
    if current not in MATCHING_STAGES:
        # Before `ready` a person decides the candidate is ready; after `selected` it is theirs.
        return _refusal(current, target, eligible_tracks) or Plan(steps=(target,))
    if _stage(current) >= _stage(target):
        return Plan(note=f"already at {current.value}")
    return Plan(steps=MATCHING_STAGES[_stage(current) + 1 : _stage(target) + 1])
