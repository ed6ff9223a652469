"""Between job order rows and the domain's terms and preferences."""

from __future__ import annotations

from kakehashi.employers.adapters.tables import EmployerProfile, JobOrder
from kakehashi.employers.domain.employer import EmployerProfileData, IntermediaryKind
from kakehashi.employers.domain.lifecycle import JobOrderStatus
from kakehashi.employers.domain.model import (
    Education,
    Housing,
    Interview,
    InterviewFormat,
    JobOrderTerms,
    JobOrderWarning,
    MaritalStatus,
    Preferences,
    RequiredSkill,
    Sex,
)
from kakehashi.shared.reference import JapaneseLevel, Sector, Track


def terms_of(row: JobOrder) -> JobOrderTerms:
    return JobOrderTerms(
        title=row.title,
        track=Track(row.track),
        sector=Sector(row.sector),
        job_category=row.job_category,
        prefecture=row.prefecture,
        headcount=row.headcount,
        min_japanese_level=JapaneseLevel(row.min_japanese_level),
        required_skills=tuple(
            RequiredSkill(code=s["code"], min_level=s["min_level"], must_have=s["must_have"])
            for s in row.required_skills
        ),
        experience_years_min=row.experience_years_min,
        education=Education(row.education),
        monthly_base_pay_yen=row.monthly_base_pay_yen,
        hours_per_week=row.hours_per_week,
        overtime_hours_per_month=row.overtime_hours_per_month,
        days_off_per_year=row.days_off_per_year,
        housing=(
            Housing(row.housing_provided, row.housing_monthly_cost_yen)
            if row.housing_provided is not None
            else None
        ),
        contract_months=row.contract_months,
        interview=(
            Interview(InterviewFormat(row.interview_format), row.interview_date)
            if row.interview_format is not None
            else None
        ),
        expected_departure_date=row.expected_departure_date,
        application_deadline=row.application_deadline,
    )


def preferences_of(row: JobOrder) -> Preferences:
    return Preferences(
        preferred_sex=Sex(row.preferred_sex) if row.preferred_sex else None,
        age_min=row.age_min,
        age_max=row.age_max,
        preferred_marital_status=(
            MaritalStatus(row.preferred_marital_status) if row.preferred_marital_status else None
        ),
    )


def profile_of(row: EmployerProfile) -> EmployerProfileData:
    return EmployerProfileData(
        company_name_ja=row.company_name_ja,
        company_name_romaji=row.company_name_romaji,
        prefecture=row.prefecture,
        industry=Sector(row.industry),
        intermediary_kind=(
            IntermediaryKind(row.intermediary_kind) if row.intermediary_kind else None
        ),
        intermediary_name=row.intermediary_name,
    )


def status_of(row: JobOrder) -> JobOrderStatus:
    return JobOrderStatus(row.status)


def write(
    row: JobOrder,
    terms: JobOrderTerms,
    preferences: Preferences,
    warnings: list[JobOrderWarning],
) -> None:
    """Copy terms, preferences and the warnings they raised onto the row."""
    row.title = terms.title
    row.track = terms.track.value
    row.sector = terms.sector.value
    row.job_category = terms.job_category
    row.prefecture = terms.prefecture
    row.headcount = terms.headcount
    row.min_japanese_level = terms.min_japanese_level.value
    row.required_skills = [
        {"code": s.code, "min_level": s.min_level, "must_have": s.must_have}
        for s in terms.required_skills
    ]
    row.experience_years_min = terms.experience_years_min
    row.education = terms.education.value
    row.monthly_base_pay_yen = terms.monthly_base_pay_yen
    row.hours_per_week = terms.hours_per_week
    row.overtime_hours_per_month = terms.overtime_hours_per_month
    row.days_off_per_year = terms.days_off_per_year
    row.housing_provided = terms.housing.provided if terms.housing else None
    row.housing_monthly_cost_yen = terms.housing.monthly_cost_yen if terms.housing else None
    row.contract_months = terms.contract_months
    row.interview_format = terms.interview.format.value if terms.interview else None
    row.interview_date = terms.interview.on if terms.interview else None
    row.expected_departure_date = terms.expected_departure_date
    row.application_deadline = terms.application_deadline
    row.preferred_sex = preferences.preferred_sex.value if preferences.preferred_sex else None
    row.age_min = preferences.age_min
    row.age_max = preferences.age_max
    row.preferred_marital_status = (
        preferences.preferred_marital_status.value if preferences.preferred_marital_status else None
    )
    row.warnings = [{"code": w.code, "message": w.message} for w in warnings]
