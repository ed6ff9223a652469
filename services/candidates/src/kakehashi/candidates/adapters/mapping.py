"""Between the domain's CandidateProfile and the candidate table's columns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from kakehashi.candidates.adapters.tables import Candidate, CandidateConsent
from kakehashi.candidates.domain.consent import (
    ConsentRecord,
    ConsentStatus,
    ConsentTerms,
    NoticeLanguage,
    Purpose,
    Scope,
)
from kakehashi.candidates.domain.eligibility import TrackEligibility, eligible_tracks
from kakehashi.candidates.domain.japanese import JapaneseTest, JapaneseTestResult, effective_level
from kakehashi.candidates.domain.names import fold, passport_key
from kakehashi.candidates.domain.profile import (
    CandidateProfile,
    EarlierStay,
    Education,
    EducationLevel,
    HealthCheckStatus,
    Sex,
    TradeSkill,
    WorkPeriod,
)
from kakehashi.shared.auth import Principal
from kakehashi.shared.ids import new_id
from kakehashi.shared.reference import JapaneseLevel, Sector, Track


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def profile_columns(
    profile: CandidateProfile, eligibility: tuple[TrackEligibility, ...]
) -> dict[str, Any]:
    """Every column a profile sets, the derived search and duplicate columns included."""
    level, _ = effective_level(profile.japanese_tests, profile.declared_japanese_level)
    tracks = eligible_tracks(eligibility)
    name_key = fold(profile.full_name)
    return {
        "full_name": profile.full_name,
        "name_vi": profile.name_vi,
        "name_katakana": profile.name_katakana,
        "date_of_birth": profile.date_of_birth,
        "sex": profile.sex.value if profile.sex else None,
        "province": profile.province,
        "province_code": profile.province_code,
        "phone": profile.phone,
        "email": profile.email,
        "passport_number": profile.passport_number,
        "education": (
            None
            if profile.education is None
            else {
                "level": profile.education.level.value,
                "institution": profile.education.institution,
                "field_of_study": profile.education.field_of_study,
                "graduation_year": profile.education.graduation_year,
            }
        ),
        "work_history": [
            {
                "employer": p.employer,
                "role": p.role,
                "sector": p.sector.value if p.sector else None,
                "from": _iso(p.started_on),
                "to": _iso(p.ended_on),
            }
            for p in profile.work_history
        ],
        "sector": profile.sector.value,
        "skills": [
            {"code": s.code, "level": s.level, "tests_passed": list(s.tests_passed)}
            for s in profile.skills
        ],
        "japanese_tests": [
            {
                "test": r.test.value,
                "level": r.level.value if r.level else None,
                "score": r.score,
                "date": _iso(r.taken_on),
                "certificate_id": r.certificate_id,
            }
            for r in profile.japanese_tests
        ],
        "declared_japanese_level": (
            profile.declared_japanese_level.value if profile.declared_japanese_level else None
        ),
        "japanese_level": level.value,
        "japanese_rank": level.rank,
        "training_hours": profile.training_hours,
        "training_cohort": profile.training_cohort,
        "health_check_status": (
            profile.health_check_status.value if profile.health_check_status else None
        ),
        "desired_tracks": [t.value for t in profile.desired_tracks],
        "desired_sectors": [s.value for s in profile.desired_sectors],
        "desired_prefectures": list(profile.desired_prefectures),
        "available_from": profile.available_from,
        "earlier_stays": [
            {
                "track": s.track.value,
                "sector": s.sector.value if s.sector else None,
                "from": _iso(s.started_on),
                "to": _iso(s.ended_on),
                "titp_stage_completed": s.titp_stage_completed,
            }
            for s in profile.earlier_stays
        ],
        "name_key": name_key,
        "name_search": " ".join(
            [name_key, fold(profile.name_vi)] if profile.name_vi else [name_key]
        ),
        "passport_key": passport_key(profile.passport_number) if profile.passport_number else None,
        "eligible_tracks": "," + ",".join(tracks) + "," if tracks else "",
    }


def profile_of(row: Candidate) -> CandidateProfile:
    """The domain profile a stored candidate holds."""
    education = row.education
    return CandidateProfile(
        full_name=row.full_name,
        name_vi=row.name_vi,
        name_katakana=row.name_katakana,
        date_of_birth=row.date_of_birth,
        sex=Sex(row.sex) if row.sex else None,
        province=row.province,
        province_code=row.province_code,
        phone=row.phone,
        email=row.email,
        passport_number=row.passport_number,
        education=(
            None
            if not education
            else Education(
                level=EducationLevel(education["level"]),
                institution=education.get("institution"),
                field_of_study=education.get("field_of_study"),
                graduation_year=education.get("graduation_year"),
            )
        ),
        work_history=tuple(
            WorkPeriod(
                employer=p["employer"],
                role=p["role"],
                sector=Sector(p["sector"]) if p.get("sector") else None,
                started_on=date.fromisoformat(p["from"]),
                ended_on=_date(p.get("to")),
            )
            for p in row.work_history or []
        ),
        sector=Sector(row.sector),
        skills=tuple(
            TradeSkill(s["code"], s["level"], tuple(s.get("tests_passed", ()))) for s in row.skills
        ),
        japanese_tests=tuple(
            JapaneseTestResult(
                test=JapaneseTest(r["test"]),
                level=JapaneseLevel(r["level"]) if r.get("level") else None,
                score=r.get("score"),
                taken_on=date.fromisoformat(r["date"]),
                certificate_id=r.get("certificate_id"),
            )
            for r in row.japanese_tests or []
        ),
        declared_japanese_level=(
            JapaneseLevel(row.declared_japanese_level) if row.declared_japanese_level else None
        ),
        training_hours=row.training_hours,
        training_cohort=row.training_cohort,
        health_check_status=(
            HealthCheckStatus(row.health_check_status) if row.health_check_status else None
        ),
        desired_tracks=tuple(Track(t) for t in row.desired_tracks or []),
        desired_sectors=tuple(Sector(s) for s in row.desired_sectors or []),
        desired_prefectures=tuple(row.desired_prefectures or []),
        available_from=row.available_from,
        earlier_stays=tuple(
            EarlierStay(
                track=Track(s["track"]),
                sector=Sector(s["sector"]) if s.get("sector") else None,
                started_on=date.fromisoformat(s["from"]),
                ended_on=date.fromisoformat(s["to"]),
                titp_stage_completed=s.get("titp_stage_completed"),
            )
            for s in row.earlier_stays or []
        ),
    )


def consent_row(
    candidate_id: str, terms: ConsentTerms, principal: Principal, at: datetime
) -> CandidateConsent:
    """A new, given consent as stored."""
    return CandidateConsent(
        id=new_id(),
        candidate_id=candidate_id,
        purpose=terms.purpose.value,
        scope=terms.scope.value,
        notice_version=terms.notice_version,
        language=terms.language.value,
        status=ConsentStatus.GIVEN.value,
        given_at=at,
        recorded_by=principal.subject,
        recorded_by_organisation_id=principal.organisation_id,
    )


def consent_of(row: CandidateConsent) -> ConsentRecord:
    """The domain record a stored consent holds."""
    return ConsentRecord(
        id=row.id,
        terms=ConsentTerms(
            Purpose(row.purpose), Scope(row.scope), row.notice_version, NoticeLanguage(row.language)
        ),
        status=ConsentStatus(row.status),
        given_at=row.given_at,
        recorded_by=row.recorded_by,
        recorded_by_organisation_id=row.recorded_by_organisation_id,
        withdrawn_at=row.withdrawn_at,
        withdrawn_by=row.withdrawn_by,
        withdrawal_reason=row.withdrawal_reason,
    )
