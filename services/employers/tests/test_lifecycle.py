"""The job order lifecycle and the events each change causes, without a database."""

from __future__ import annotations

import pytest

from kakehashi.employers.domain.events import (
    JOB_ORDER_CANCELLED,
    JOB_ORDER_CLOSED,
    JOB_ORDER_FILLED,
    JOB_ORDER_OPENED,
    JOB_ORDER_UPDATED,
    change_event_type,
    snapshot_data,
)
from kakehashi.employers.domain.lifecycle import (
    ALLOWED,
    JobOrderStatus,
    StatusConflictError,
    check_editable,
    check_transition,
    steps_to_filled,
)
from kakehashi.employers.domain.model import JobOrderTerms
from kakehashi.shared.errors import DomainError
from kakehashi.shared.reference import JapaneseLevel, Sector

S = JobOrderStatus
ALLOWED_PAIRS = [
    (S.DRAFT, S.OPEN),
    (S.DRAFT, S.CANCELLED),
    (S.OPEN, S.INTERVIEWING),
    (S.OPEN, S.CANCELLED),
    (S.INTERVIEWING, S.FILLED),
    (S.INTERVIEWING, S.CANCELLED),
    (S.FILLED, S.CLOSED),
]


def test_exactly_the_documented_transitions_are_allowed() -> None:
    assert {(a, b) for a, targets in ALLOWED.items() for b in targets} == set(ALLOWED_PAIRS)


@pytest.mark.parametrize(("current", "to"), ALLOWED_PAIRS)
def test_allowed_transitions_pass(current: JobOrderStatus, to: JobOrderStatus) -> None:
    check_transition(current, to, "budget withdrawn")


@pytest.mark.parametrize(
    ("current", "to"),
    [(a, b) for a in S for b in S if (a, b) not in ALLOWED_PAIRS],
)
def test_every_other_transition_is_a_conflict(current: JobOrderStatus, to: JobOrderStatus) -> None:
    with pytest.raises(StatusConflictError) as raised:
        check_transition(current, to, "because")
    assert raised.value.current is current


def test_cancelling_needs_a_reason() -> None:
    with pytest.raises(DomainError) as raised:
        check_transition(S.OPEN, S.CANCELLED, "  ")
    assert raised.value.field == "reason"


@pytest.mark.parametrize("status", list(S))
def test_only_draft_open_and_interviewing_orders_can_be_edited(status: JobOrderStatus) -> None:
    if status in (S.DRAFT, S.OPEN, S.INTERVIEWING):
        check_editable(status)
    else:
        with pytest.raises(StatusConflictError):
            check_editable(status)


@pytest.mark.parametrize(
    ("before", "after", "event"),
    [
        (S.DRAFT, S.DRAFT, None),  # editing a draft tells nobody
        (S.DRAFT, S.CANCELLED, None),  # nor does cancelling one
        (S.DRAFT, S.OPEN, JOB_ORDER_OPENED),
        (S.OPEN, S.OPEN, JOB_ORDER_UPDATED),
        (S.OPEN, S.INTERVIEWING, JOB_ORDER_UPDATED),
        (S.INTERVIEWING, S.INTERVIEWING, JOB_ORDER_UPDATED),
        (S.INTERVIEWING, S.FILLED, JOB_ORDER_FILLED),
        (S.FILLED, S.CLOSED, JOB_ORDER_CLOSED),
        (S.OPEN, S.CANCELLED, JOB_ORDER_CANCELLED),
        (S.INTERVIEWING, S.CANCELLED, JOB_ORDER_CANCELLED),
    ],
)
def test_each_change_causes_the_agreed_event(
    before: JobOrderStatus, after: JobOrderStatus, event: str | None
) -> None:
    assert change_event_type(before, after) == event


def test_the_snapshot_has_the_agreed_fields_and_nothing_personal() -> None:
    terms = JobOrderTerms(
        title="介護 / Care worker",
        sector=Sector.NURSING_CARE,
        prefecture="Osaka",
        headcount=2,
        min_japanese_level=JapaneseLevel.N4,
    )
    data = snapshot_data("jo-1", "emp-1", 3, S.OPEN, terms)
    assert set(data) == {
        "job_order_id", "version", "employer_id", "title", "track", "sector", "job_category",
        "prefecture", "headcount", "min_japanese_level", "required_skills",
        "experience_years_min", "monthly_base_pay_yen", "expected_departure_date",
        "application_deadline", "status", "warnings",
    }  # fmt: skip
    assert data["warnings"] == []
    assert (data["track"], data["version"], data["status"]) == ("ssw1", 3, "open")


def test_the_snapshot_carries_warning_codes_and_nothing_else_of_them() -> None:
    terms = JobOrderTerms(
        title="Welder",
        sector=Sector.CONSTRUCTION,
        prefecture="Aichi",
        headcount=1,
        min_japanese_level=JapaneseLevel.N4,
    )
    codes = ["sex_preference", "below_minimum_wage", "preferred_sex=male"]
    data = snapshot_data("jo-1", "emp-1", 1, S.OPEN, terms, codes)
    assert data["warnings"] == ["sex_preference", "below_minimum_wage"]


def test_an_order_fills_at_headcount_and_reopens_when_a_selection_is_released() -> None:
    s = JobOrderStatus
    assert steps_to_filled(s.OPEN, 2, 2) == [s.INTERVIEWING, s.FILLED]
    assert steps_to_filled(s.INTERVIEWING, 1, 2) == []
    assert steps_to_filled(s.FILLED, 1, 2) == [s.INTERVIEWING]
    assert steps_to_filled(s.CLOSED, 1, 2) == []
