"""Consent rules in the domain: scopes belong to purposes, withdrawal, what publication needs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from kakehashi.candidates.domain.consent import (
    ConsentConflictError,
    ConsentRecord,
    ConsentStatus,
    ConsentTerms,
    NoticeLanguage,
    Purpose,
    Scope,
    check_new_consent,
    may_publish,
    withdraw,
)
from kakehashi.candidates.domain.privacy import ERASED_NAME, anonymise
from kakehashi.candidates.domain.profile import CandidateProfile, Sex
from kakehashi.shared.errors import DomainError
from kakehashi.shared.reference import Sector

AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SHARING = ConsentTerms(
    Purpose.MATCHING_IN_JAPAN, Scope.SHARE_WITH_EMPLOYERS_IN_JAPAN, "2026-01", NoticeLanguage.VI
)
ABROAD = replace(SHARING, scope=Scope.TRANSFER_ABROAD)


def _record(terms: ConsentTerms = SHARING, id: str = "c1") -> ConsentRecord:
    return ConsentRecord(id, terms, ConsentStatus.GIVEN, AT, "user@tc", "tc")


def test_only_a_given_sharing_consent_allows_publication() -> None:
    assert not may_publish([])
    assert not may_publish([_record(ABROAD)])
    assert may_publish([_record(ABROAD), _record(SHARING, "c2")])
    assert not may_publish([withdraw(_record(), "user@tc", AT)])
    # A second sharing consent (say, under a newer notice) keeps the candidate published.
    newer = _record(replace(SHARING, notice_version="2026-07"), "c2")
    assert may_publish([withdraw(_record(), "user@tc", AT), newer])


def test_withdrawal_is_stamped_and_cannot_happen_twice() -> None:
    withdrawn = withdraw(_record(), "user@tc", AT, "changed her mind")
    assert (withdrawn.status, withdrawn.withdrawn_at, withdrawn.withdrawn_by) == (
        ConsentStatus.WITHDRAWN,
        AT,
        "user@tc",
    )
    assert withdrawn.withdrawal_reason == "changed her mind"
    assert withdrawn.given_at == AT  # the original record stays provable
    with pytest.raises(ConsentConflictError):
        withdraw(withdrawn, "user@tc", AT)


def test_the_same_active_consent_is_not_recorded_twice_but_a_new_notice_is() -> None:
    with pytest.raises(ConsentConflictError):
        check_new_consent([_record()], replace(SHARING, language=NoticeLanguage.JA))
    check_new_consent([_record()], replace(SHARING, notice_version="2026-07"))
    check_new_consent([withdraw(_record(), "u", AT)], SHARING)  # consent given again
    with pytest.raises(DomainError) as error:
        check_new_consent([], replace(SHARING, notice_version="  "))
    assert error.value.field == "notice_version"


def test_anonymising_keeps_only_sector_and_province() -> None:
    profile = CandidateProfile(
        full_name="Nguyen Van An",
        name_vi="Nguyễn Văn An",
        province="Tây Ninh",
        province_code="M72",
        sector=Sector.CONSTRUCTION,
        sex=Sex.MALE,
        phone="+84 912 345 678",
        passport_number="C1234567",
    )
    erased = anonymise(profile)
    assert (erased.full_name, erased.name_vi) == (ERASED_NAME, ERASED_NAME)
    assert (erased.sector, erased.province_code) == (Sector.CONSTRUCTION, "M72")
    assert (erased.sex, erased.phone, erased.passport_number, erased.date_of_birth) == (
        None,
        None,
        None,
        None,
    )
    assert erased.skills == ()
    assert erased.japanese_tests == ()
