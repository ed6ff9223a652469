"""The integration events a job order causes and their data (see docs/events.md)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from kakehashi.employers.domain.lifecycle import JobOrderStatus
from kakehashi.employers.domain.model import JobOrderTerms

SOURCE = "kakehashi.employers"
JOB_ORDER_OPENED = "job_order.opened"
JOB_ORDER_UPDATED = "job_order.updated"
JOB_ORDER_FILLED = "job_order.filled"
JOB_ORDER_CLOSED = "job_order.closed"
JOB_ORDER_CANCELLED = "job_order.cancelled"

# The warnings an order may carry to matching (rules.warnings_for): codes, never values.
WARNING_CODES = frozenset({
    "below_minimum_wage",
    "sex_preference",
    "age_preference",
    "marital_status_preference",
    "overtime_above_standard_limit",
})  # fmt: skip

_STATUS_EVENTS = {
    JobOrderStatus.FILLED: JOB_ORDER_FILLED,
    JobOrderStatus.CLOSED: JOB_ORDER_CLOSED,
    JobOrderStatus.CANCELLED: JOB_ORDER_CANCELLED,
}


def snapshot_data(
    job_order_id: str,
    employer_id: str,
    version: int,
    status: JobOrderStatus,
    terms: JobOrderTerms,
    warning_codes: Sequence[str] = (),
) -> dict[str, Any]:
    """What matching needs of an open or interviewing order, in full (opened and updated).

    Built from the terms alone: preferences on sex, age and marital status cannot get in. Only
    the codes of the order's warnings travel (`sex_preference`, `below_minimum_wage`...), so the
    program manager reviewing in matching is warned too; never the preferences' values.
    """
    return {
        "job_order_id": job_order_id,
        "version": version,
        "employer_id": employer_id,
        "title": terms.title,
        "track": terms.track.value,
        "sector": terms.sector.value,
        "job_category": terms.job_category,
        "prefecture": terms.prefecture,
        "headcount": terms.headcount,
        "min_japanese_level": terms.min_japanese_level.value,
        "required_skills": [
            {"code": s.code, "min_level": s.min_level, "must_have": s.must_have}
            for s in terms.required_skills
        ],
        "experience_years_min": terms.experience_years_min,
        "monthly_base_pay_yen": terms.monthly_base_pay_yen,
        "expected_departure_date": _iso(terms.expected_departure_date),
        "application_deadline": _iso(terms.application_deadline),
        "status": status.value,
        "warnings": [code for code in warning_codes if code in WARNING_CODES],
    }


def status_data(job_order_id: str, version: int, status: JobOrderStatus) -> dict[str, Any]:
    return {"job_order_id": job_order_id, "version": version, "status": status.value}


def change_event_type(before: JobOrderStatus, after: JobOrderStatus) -> str | None:
    """The event a change from `before` to `after` causes; None while the order stays a draft.

    Becoming open is `opened`; a change that keeps the order matchable (an edit, or open →
    interviewing) is `updated` with a full snapshot; filled/closed/cancelled say only the status.
    A draft was never published, so cancelling one tells nobody.
    """
    if before is JobOrderStatus.DRAFT and after is not JobOrderStatus.OPEN:
        return None
    if after is JobOrderStatus.OPEN and before is not JobOrderStatus.OPEN:
        return JOB_ORDER_OPENED
    if after in (JobOrderStatus.OPEN, JobOrderStatus.INTERVIEWING):
        return JOB_ORDER_UPDATED
    return _STATUS_EVENTS[after]


def carries_snapshot(event_type: str) -> bool:
    return event_type in (JOB_ORDER_OPENED, JOB_ORDER_UPDATED)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None
