"""Matching's pair decisions read as candidate pipeline moves (pure rules)."""

from __future__ import annotations

import pytest

from kakehashi.candidates.domain.match_decisions import (
    LIVE,
    PairStatus,
    Plan,
    RefusalReason,
    plan_moves,
)
from kakehashi.candidates.domain.pipeline import TRANSITIONS, Status

P, S = PairStatus, Status
ELIGIBLE = ("ssw1",)


def plan(
    current: Status,
    decided: PairStatus,
    was: tuple[PairStatus, ...] = (),
    others: tuple[PairStatus, ...] = (),
    eligible: tuple[str, ...] = ELIGIBLE,
    training: Status | None = None,
) -> Plan:
    if training is None:
        training = current if current in (S.REGISTERED, S.IN_TRAINING) else S.READY
    return plan_moves(current, training, decided, set(was), list(others), eligible)


@pytest.mark.parametrize(
    ("decided", "steps"),
    [
        (P.SHORTLISTED, (S.SHORTLISTED,)),
        (P.PROPOSED, (S.SHORTLISTED,)),
        (P.INTERVIEWED, (S.SHORTLISTED, S.INTERVIEWED)),
        (P.SELECTED, (S.SHORTLISTED, S.INTERVIEWED, S.SELECTED)),
    ],
)
def test_a_live_decision_moves_a_ready_candidate_forward_through_each_stage(
    decided: PairStatus, steps: tuple[Status, ...]
) -> None:
    assert plan(S.READY, decided) == Plan(steps=steps)


def test_every_planned_step_is_one_the_pipeline_allows() -> None:
    for decided in LIVE:
        current = S.READY
        for step in plan(S.READY, decided).steps:
            assert step in TRANSITIONS[current]
            current = step


def test_a_decision_never_moves_a_candidate_back_along_the_matching_stages() -> None:
    assert plan(S.INTERVIEWED, P.SHORTLISTED) == Plan(note="already at interviewed")
    assert plan(S.SELECTED, P.PROPOSED, others=(P.SELECTED,)).steps == ()
    assert plan(S.SHORTLISTED, P.PROPOSED).steps == ()
    assert plan(S.SHORTLISTED, P.INTERVIEWED).steps == (S.INTERVIEWED,)


def test_an_undone_step_takes_the_candidate_back_as_far_as_no_other_order_holds_them() -> None:
    assert plan(S.SELECTED, P.INTERVIEWED, was=(P.SELECTED,)) == Plan(steps=(S.INTERVIEWED,))
    assert plan(S.INTERVIEWED, P.PROPOSED, was=(P.INTERVIEWED,)) == Plan(steps=(S.SHORTLISTED,))
    back = plan(S.SELECTED, P.SHORTLISTED, was=(P.SELECTED,))
    assert back.steps == (S.INTERVIEWED, S.SHORTLISTED)
    held = plan(S.INTERVIEWED, P.PROPOSED, was=(P.INTERVIEWED,), others=(P.INTERVIEWED,))
    assert held == Plan(note="still held at interviewed by another order")
    partly = plan(S.SELECTED, P.SHORTLISTED, was=(P.SELECTED,), others=(P.INTERVIEWED,))
    assert partly.steps == (S.INTERVIEWED,)


def test_every_step_back_is_one_the_pipeline_allows() -> None:
    for current, decided, was in [
        (S.SELECTED, P.SHORTLISTED, P.SELECTED),
        (S.INTERVIEWED, P.PROPOSED, P.INTERVIEWED),
    ]:
        for step in plan(current, decided, was=(was,)).steps:
            assert step in TRANSITIONS[current]
            current = step


@pytest.mark.parametrize("current", [S.REGISTERED, S.IN_TRAINING, S.READY])
@pytest.mark.parametrize(
    ("decided", "steps"),
    [
        (P.SHORTLISTED, (S.SHORTLISTED,)),
        (P.INTERVIEWED, (S.SHORTLISTED, S.INTERVIEWED)),
        (P.SELECTED, (S.SHORTLISTED, S.INTERVIEWED, S.SELECTED)),
    ],
)
def test_employers_interview_and_select_before_and_during_training(
    current: Status, decided: PairStatus, steps: tuple[Status, ...]
) -> None:
    moved = plan(current, decided)
    assert moved == Plan(steps=steps)
    for step in moved.steps:
        assert step in TRANSITIONS[current]
        current = step


@pytest.mark.parametrize(
    "current", [S.CONTRACTED, S.VISA_PROCESSING, S.DEPARTED, S.WORKING, S.RETURNED]
)
def test_a_live_decision_past_selected_is_refused_as_not_available(current: Status) -> None:
    refused = plan(current, P.SHORTLISTED)
    assert (refused.steps, refused.refusal) == ((), RefusalReason.NOT_AVAILABLE)
    assert refused.note is not None
    assert current.value in refused.note


@pytest.mark.parametrize("decided", sorted(LIVE))
def test_a_live_decision_on_a_withdrawn_candidate_is_refused(decided: PairStatus) -> None:
    refused = plan(S.WITHDRAWN, decided, was=(P.SELECTED,))
    assert refused == Plan(note="the candidate has withdrawn", refusal=RefusalReason.WITHDRAWN)


@pytest.mark.parametrize("decided", [P.REJECTED, P.WITHDRAWN, P.UNDECIDED])
def test_letting_go_of_a_withdrawn_candidate_changes_nothing(decided: PairStatus) -> None:
    assert plan(S.WITHDRAWN, decided, was=(P.SELECTED,)) == Plan(note="the candidate has withdrawn")


@pytest.mark.parametrize("decided", [P.SHORTLISTED, P.INTERVIEWED, P.SELECTED])
def test_a_live_decision_while_another_order_selected_the_candidate_is_refused(
    decided: PairStatus,
) -> None:
    refused = plan(S.SELECTED, decided, others=(P.SELECTED,))
    assert refused.refusal is RefusalReason.SELECTED_ELSEWHERE
    assert refused.steps == ()


@pytest.mark.parametrize("decided", [P.REJECTED, P.WITHDRAWN, P.UNDECIDED])
@pytest.mark.parametrize("current", [S.SHORTLISTED, S.INTERVIEWED])
def test_letting_go_returns_to_ready_when_no_other_order_holds_the_candidate(
    decided: PairStatus, current: Status
) -> None:
    assert plan(current, decided, was=(P.SHORTLISTED,)) == Plan(steps=(S.READY,))


@pytest.mark.parametrize("training", [S.REGISTERED, S.IN_TRAINING, S.READY])
def test_letting_go_returns_the_candidate_to_their_training_stage(training: Status) -> None:
    back = plan(S.SELECTED, P.REJECTED, was=(P.SELECTED,), training=training)
    assert back == Plan(steps=(training,))
    assert training in TRANSITIONS[S.SELECTED]


def test_an_undone_first_step_during_training_returns_to_training() -> None:
    back = plan(S.SHORTLISTED, P.UNDECIDED, was=(P.SHORTLISTED,), training=S.IN_TRAINING)
    assert back == Plan(steps=(S.IN_TRAINING,))


def test_letting_go_keeps_a_candidate_another_order_still_holds() -> None:
    kept = plan(S.INTERVIEWED, P.REJECTED, was=(P.SHORTLISTED,), others=(P.PROPOSED, P.INTERVIEWED))
    assert kept == Plan(note="still held at interviewed by another order")


def test_only_the_order_that_selected_the_candidate_can_send_them_back() -> None:
    assert plan(S.SELECTED, P.WITHDRAWN, was=(P.SELECTED,)) == Plan(steps=(S.READY,))
    other = plan(S.SELECTED, P.REJECTED, was=(P.PROPOSED,))
    assert (other.steps, other.refused) == ((), False)
    assert other.note == "left at selected: another order selected the candidate"


@pytest.mark.parametrize("current", [S.CONTRACTED, S.VISA_PROCESSING, S.WORKING])
def test_letting_go_never_moves_a_candidate_outside_the_matching_stages(current: Status) -> None:
    kept = plan(current, P.WITHDRAWN, was=(P.SELECTED,))
    assert (kept.steps, kept.refused) == ((), False)


def test_letting_go_of_a_candidate_already_ready_changes_nothing() -> None:
    assert plan(S.READY, P.REJECTED) == Plan(note="already at ready")


def test_back_to_ready_without_an_eligible_track_stays_and_says_why_but_is_no_refusal() -> None:
    kept = plan(S.SHORTLISTED, P.REJECTED, was=(P.SHORTLISTED,), eligible=())
    assert (kept.steps, kept.refused) == ((), False)
    assert kept.note is not None
    assert "eligibility" in kept.note
