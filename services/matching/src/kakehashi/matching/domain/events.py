"""The events matching produces: their type names and payloads (the envelope is the service's)."""

from __future__ import annotations

SOURCE = "kakehashi.matching"
MATCH_STATUS_CHANGED = "match.status_changed"


def match_status_changed(
    *,
    match_id: str,
    job_order_id: str,
    candidate_id: str,
    status: str,
    previous_status: str | None,
    action: str,
    decided_by_role: str,
    version: int,
    reason_code: str | None = None,
    decided_by_organisation_id: str | None = None,
) -> dict[str, object]:
    """The payload of MATCH_STATUS_CHANGED: where a pair now stands, and which step got it there.

    `reason_code` is a rejection's code (never its note): the training centre is told why.
    `decided_by_organisation_id` names the decider's office or company (never the person), so
    the centre's history can say "program manager (<office>)"."""
    return {
        "match_id": match_id,
        "job_order_id": job_order_id,
        "candidate_id": candidate_id,
        "status": status,
        "previous_status": previous_status,
        "action": action,
        "decided_by_role": decided_by_role,
        "decided_by_organisation_id": decided_by_organisation_id,
        "version": version,
        "reason_code": reason_code,
    }
