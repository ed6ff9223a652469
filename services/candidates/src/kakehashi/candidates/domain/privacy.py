"""Erasure and the audit vocabulary: what is kept of an erased candidate, what is logged."""

from __future__ import annotations

from enum import StrEnum

from kakehashi.candidates.domain.profile import CandidateProfile

ERASED_NAME = "erased"


class AuditAction(StrEnum):
    """What a caller did with a profile; each is one audit row per profile touched."""

    CREATE = "create"
    READ = "read"  # GET of the profile, its history or its consents
    SEARCH = "search"  # the profile was in a page of search results
    UPDATE = "update"
    MOVE = "move"
    CONSENT_GIVEN = "consent_given"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    EXPORT = "export"
    ERASE = "erase"
    IMPORT = "import"


class CandidateErasedError(Exception):
    """The candidate was erased; nothing more may be recorded about them (the API answers 409)."""

    def __init__(self, candidate_id: str) -> None:
        super().__init__(f"candidate {candidate_id} was erased")
        self.message = f"candidate {candidate_id} was erased"


def anonymise(profile: CandidateProfile) -> CandidateProfile:
    """What is kept after erasure: the sector and province only, for fill-rate statistics.

    Province and sector alone do not single a person out; everything that could (names,
    contacts, identity and health data, history, skills and tests) goes.
    """
    return CandidateProfile(
        full_name=ERASED_NAME,
        name_vi=ERASED_NAME,
        province=profile.province,
        province_code=profile.province_code,
        sector=profile.sector,
    )
