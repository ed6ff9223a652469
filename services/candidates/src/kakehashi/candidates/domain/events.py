"""The events a candidate causes: their type names and payloads (what matching needs, never
contacts, ID numbers, sex or health)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from kakehashi.candidates.domain.eligibility import (
    TrackEligibility,
    eligibility_windows,
    eligible_tracks,
)
from kakehashi.candidates.domain.japanese import effective_level
from kakehashi.candidates.domain.pipeline import Status
from kakehashi.candidates.domain.profile import CandidateProfile, experience_years

SOURCE = "kakehashi.candidates"
CANDIDATE_REGISTERED = "candidate.registered"
CANDIDATE_UPDATED = "candidate.updated"
CANDIDATE_STATUS_CHANGED = "candidate.status_changed"
# Matching drops its copy on both; only erasure is final (matching keeps a tombstone for it).
CANDIDATE_UNPUBLISHED = "candidate.unpublished"
CANDIDATE_ERASED = "candidate.erased"
# The candidate's pipeline cannot follow a placing decision of matching (the saga's compensation).
CANDIDATE_MATCH_REFUSED = "candidate.match_refused"


def snapshot_data(
    *,
    candidate_id: str,
    version: int,
    training_centre_id: str,
    status: Status,
    training_status: Status,
    profile: CandidateProfile,
    eligibility: tuple[TrackEligibility, ...],
    today: date,
) -> dict[str, Any]:
    """The full snapshot sent in `candidate.registered` and `candidate.updated`."""
    level, _ = effective_level(profile.japanese_tests, profile.declared_japanese_level)
    return {
        "candidate_id": candidate_id,
        "version": version,
        "training_centre_id": training_centre_id,
        "full_name": profile.full_name,
        # The name as Vietnamese and Japanese readers know the person (null where not given).
        "name_vi": profile.name_vi,
        "name_katakana": profile.name_katakana,
        "province": profile.province,
        "province_code": profile.province_code,
        "sector": profile.sector.value,
        "japanese_level": level.value,
        # {code, level, tests_passed}: the skills tests passed in each skill, as sorted codes
        # (additive in v1: matching reads them for the tracks' skills-test rules).
        "skills": [
            {"code": s.code, "level": s.level, "tests_passed": sorted(set(s.tests_passed))}
            for s in profile.skills
        ],
        "date_of_birth": profile.date_of_birth.isoformat() if profile.date_of_birth else None,
        "available_from": profile.available_from.isoformat() if profile.available_from else None,
        "desired_tracks": [t.value for t in profile.desired_tracks],
        "desired_sectors": [s.value for s in profile.desired_sectors],
        "desired_prefectures": list(profile.desired_prefectures),
        "eligible_tracks": list(eligible_tracks(eligibility)),
        # Eligibility by day, so that matching judges an order on its departure day.
        "eligible_windows": {
            track: [[_iso(first), _iso(last)] for first, last in windows]
            for track, windows in eligibility_windows(profile, today).items()
        },
        "experience_years": experience_years(profile.work_history, profile.sector, today),
        "status": status.value,
        "training_status": training_status.value,
    }


class MoveCause(StrEnum):
    """Why a candidate's pipeline moved, as `candidate.status_changed` says it."""

    TRAINING_CENTRE = "training_centre"  # moved by its training centre (the note stays here)
    MATCH_DECISION = "match_decision"  # followed a program manager's or employer's decision


def status_changed_data(
    candidate_id: str,
    version: int,
    status: Status,
    previous: Status,
    cause: MoveCause,
    training_status: Status,
) -> dict[str, Any]:
    """The payload of `candidate.status_changed`. It says what caused the move as a code, never
    the note the clerk typed (which may hold health or contact details): that stays in the
    candidate's history here."""
    return {
        "candidate_id": candidate_id,
        "version": version,
        "status": status.value,
        "previous_status": previous.value,
        "cause": cause.value,
        "training_status": training_status.value,
    }


def match_refused_data(
    *,
    match_id: str,
    job_order_id: str,
    candidate_id: str,
    match_version: int,
    status: str,
    reason_code: str,
    message: str,
) -> dict[str, Any]:
    """The payload of `candidate.match_refused`: which decision (pair and its version) the
    candidate's pipeline did not follow, and why (a code and a sentence without personal data)."""
    return {
        "match_id": match_id,
        "job_order_id": job_order_id,
        "candidate_id": candidate_id,
        "match_version": match_version,
        "status": status,
        "reason_code": reason_code,
        "message": message,
    }


def removal_data(candidate_id: str, version: int) -> dict[str, Any]:
    """The payload of `candidate.unpublished` and `candidate.erased`: matching drops its copy."""
    return {"candidate_id": candidate_id, "version": version}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
