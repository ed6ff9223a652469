"""Consent records (Vietnam PDPL 91/2025, Japan APPI): a purpose, a scope, the notice shown.

A candidate is published to matching only while a sharing consent is given and not withdrawn.
Records are never deleted or edited: a withdrawal is stamped on the record, and a new notice
version is a new record, so the history of what the person agreed to stays provable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from kakehashi.shared.errors import DomainError


class Purpose(StrEnum):
    MATCHING_IN_JAPAN = "matching_in_japan"


class Scope(StrEnum):
    SHARE_WITH_EMPLOYERS_IN_JAPAN = "share_with_employers_in_japan"  # APPI third-party sharing
    TRANSFER_ABROAD = "transfer_abroad"  # PDPL cross-border transfer


class NoticeLanguage(StrEnum):
    VI = "vi"
    JA = "ja"
    EN = "en"


class ConsentStatus(StrEnum):
    GIVEN = "given"
    WITHDRAWN = "withdrawn"


# Which scopes each purpose may ask for; a scope outside its purpose is not consent to anything.
PURPOSE_SCOPES: dict[Purpose, frozenset[Scope]] = {
    Purpose.MATCHING_IN_JAPAN: frozenset(Scope),
}
PUBLICATION_SCOPE = Scope.SHARE_WITH_EMPLOYERS_IN_JAPAN


@dataclass(frozen=True)
class ConsentTerms:
    """What the person agreed to, and under which notice (version and language)."""

    purpose: Purpose
    scope: Scope
    notice_version: str
    language: NoticeLanguage


@dataclass(frozen=True)
class ConsentRecord:
    id: str
    terms: ConsentTerms
    status: ConsentStatus
    given_at: datetime
    recorded_by: str
    recorded_by_organisation_id: str
    withdrawn_at: datetime | None = None
    withdrawn_by: str | None = None
    withdrawal_reason: str | None = None

    @property
    def active(self) -> bool:
        return self.status is ConsentStatus.GIVEN


class ConsentConflictError(Exception):
    """The consent change contradicts the records held (the API answers 409)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_terms(terms: ConsentTerms) -> None:
    """DomainError if the scope does not belong to the purpose or the notice version is blank."""
    if terms.scope not in PURPOSE_SCOPES[terms.purpose]:
        raise DomainError("scope", f"{terms.scope.value} is not a scope of {terms.purpose.value}")
    if not terms.notice_version.strip():
        raise DomainError("notice_version", "the version of the notice shown is required")


def check_new_consent(existing: Iterable[ConsentRecord], terms: ConsentTerms) -> None:
    """Refuse a record that repeats an active one with the same purpose, scope and notice."""
    check_terms(terms)
    for record in existing:
        same = (record.terms.purpose, record.terms.scope, record.terms.notice_version) == (
            terms.purpose,
            terms.scope,
            terms.notice_version,
        )
        if record.active and same:
            raise ConsentConflictError(
                f"consent {record.id} already covers {terms.scope.value} under notice "
                f"{terms.notice_version}"
            )


def withdraw(
    record: ConsentRecord, by: str, at: datetime, reason: str | None = None
) -> ConsentRecord:
    """The record stamped as withdrawn; withdrawing twice is a conflict, not a no-op."""
    if not record.active:
        raise ConsentConflictError(f"consent {record.id} was already withdrawn")
    return replace(
        record,
        status=ConsentStatus.WITHDRAWN,
        withdrawn_at=at,
        withdrawn_by=by,
        withdrawal_reason=reason,
    )


def may_publish(records: Iterable[ConsentRecord]) -> bool:
    """Matching may hold the candidate only while a sharing consent is given and not withdrawn."""
    return any(r.active and r.terms.scope is PUBLICATION_SCOPE for r in records)
