"""Between API bodies and the domain: request fields to profile fields, details to responses."""

from __future__ import annotations

from typing import Any

from kakehashi.candidates.adapters.tables import CandidateConsent
from kakehashi.candidates.domain.commands import RegisterCandidate
from kakehashi.candidates.domain.consent import ConsentTerms
from kakehashi.candidates.domain.japanese import JapaneseTestResult, effective_level
from kakehashi.candidates.domain.profile import (
    CandidateProfile,
    EarlierStay,
    Education,
    TradeSkill,
    WorkPeriod,
)
from kakehashi.candidates.entrypoints.schemas import (
    CandidateCreate,
    CandidatePatch,
    CandidatePublic,
    ConsentIn,
    ConsentPublic,
    EarlierStayIn,
    EducationIn,
    JapaneseTestIn,
    TrackEligibilityPublic,
    TradeSkillIn,
    WorkPeriodIn,
)
from kakehashi.candidates.service_layer.publication import CandidateDetails

# API field -> CandidateProfile field, where they differ.
_RENAMED = {"japanese_level": "declared_japanese_level"}


def _skill(s: TradeSkillIn) -> TradeSkill:
    return TradeSkill(s.code, s.level, tuple(dict.fromkeys(s.tests_passed)))


def _test(r: JapaneseTestIn) -> JapaneseTestResult:
    return JapaneseTestResult(r.test, r.taken_on, r.level, r.score, r.certificate_id)


def _period(p: WorkPeriodIn) -> WorkPeriod:
    return WorkPeriod(p.employer, p.role, p.started_on, p.sector, p.ended_on)


def _stay(s: EarlierStayIn) -> EarlierStay:
    return EarlierStay(s.track, s.started_on, s.ended_on, s.sector, s.titp_stage_completed)


def _education(e: EducationIn) -> Education:
    return Education(e.level, e.institution, e.field_of_study, e.graduation_year)


_CONVERTERS: dict[str, Any] = {
    "skills": lambda v: tuple(_skill(s) for s in v),
    "japanese_tests": lambda v: tuple(_test(r) for r in v),
    "work_history": lambda v: tuple(_period(p) for p in v),
    "earlier_stays": lambda v: tuple(_stay(s) for s in v),
    "education": _education,
}


def _value(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in _CONVERTERS:
        return _CONVERTERS[name](value)
    if isinstance(value, list):
        return tuple(value)
    return value


def profile_changes(body: CandidatePatch) -> dict[str, Any]:
    """The profile fields a PATCH body sets (explicit nulls included)."""
    changes = {}
    for name in body.model_fields_set:
        value = _value(name, getattr(body, name))
        if value is None and name in ("skills", "japanese_tests", "work_history", "earlier_stays"):
            value = ()
        if value is None and name.startswith("desired_"):
            value = ()
        changes[_RENAMED.get(name, name)] = value
    return changes


# (API field, profile field) of every profile field a body may carry; an import asks for it
# once per row, so it is worked out once.
_PROFILE_FIELDS = tuple((name, _RENAMED.get(name, name)) for name in CandidatePatch.model_fields)


def new_profile(body: CandidateCreate) -> CandidateProfile:
    """The profile a registration body describes (province still to be resolved)."""
    fields: dict[str, Any] = {"province": "", "province_code": None}
    for name, field in _PROFILE_FIELDS:
        value = getattr(body, name)
        if value is not None:
            fields[field] = _value(name, value)
    return CandidateProfile(**fields)


def consent_terms(body: ConsentIn) -> ConsentTerms:
    return ConsentTerms(body.purpose, body.scope, body.notice_version, body.language)


def register_command(training_centre_id: str, body: CandidateCreate) -> RegisterCandidate:
    """The registration a body asks for: the profile and the consents given with it."""
    return RegisterCandidate(
        training_centre_id, new_profile(body), tuple(consent_terms(c) for c in body.consents)
    )


def consent_public(row: CandidateConsent) -> ConsentPublic:
    return ConsentPublic.model_validate(
        row.model_dump()
        | {
            "given_at": row.given_at,
            "withdrawn_at": row.withdrawn_at,
        }
    )


def candidate_public(found: CandidateDetails) -> CandidatePublic:
    """The full profile for the centre that owns it and for program managers."""
    row, profile = found.row, found.profile
    _, source = effective_level(profile.japanese_tests, profile.declared_japanese_level)
    values = row.model_dump() | {
        "created_at": row.created_at,
        "erased_at": row.erased_at,
        "updated_at": row.updated_at,
        "japanese_level_source": source,
        "eligibility": [
            TrackEligibilityPublic(
                track=e.track,
                eligible=e.eligible,
                reasons=list(e.reasons),
                needs_data=list(e.needs_data),
            )
            for e in found.eligibility
        ],
    }
    return CandidatePublic.model_validate(values)
