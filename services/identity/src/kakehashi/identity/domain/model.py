"""Organisations, users and memberships: their vocabularies and the rules on their values."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kakehashi.shared.errors import DomainError
from kakehashi.shared.reference import PREFECTURES


class OrganisationKind(StrEnum):
    TRAINING_CENTRE = "training_centre"
    EMPLOYER = "employer"
    PROGRAM_OFFICE = "program_office"
    OPERATOR = "operator"


@dataclass(frozen=True)
class OperatorNames:
    latin: str
    vi: str
    ja: str


# The operator's organisation as pages name it (add-admin creates it with these names; the
# admin page renames it): the header shows a name, never the id kakehashi-operator.
OPERATOR_NAMES = OperatorNames(
    "Kakehashi operator", "Đơn vị vận hành Kakehashi", "架け橋 運営事務局"
)


class Language(StrEnum):
    VI = "vi"
    JA = "ja"
    EN = "en"


@dataclass(frozen=True)
class OrganisationProfile:
    """What an organisation is called and where it is: a Vietnamese province or a prefecture."""

    kind: OrganisationKind
    name_latin: str
    name_vi: str | None = None
    name_ja: str | None = None
    province: str | None = None
    prefecture: str | None = None


def check_profile(profile: OrganisationProfile) -> None:
    """Training centres are in a province, employers in a prefecture; nobody is in both."""
    if profile.province and profile.prefecture:
        raise DomainError("prefecture", "an organisation has a province or a prefecture, not both")
    if profile.kind is OrganisationKind.TRAINING_CENTRE and not profile.province:
        raise DomainError("province", "a training centre names its Vietnamese province")
    if profile.kind is OrganisationKind.EMPLOYER and not profile.prefecture:
        raise DomainError("prefecture", "an employer names its prefecture")
    if profile.prefecture is not None and profile.prefecture not in PREFECTURES:
        raise DomainError("prefecture", "not one of Japan's 47 prefectures")


def normalise_email(email: str) -> str:
    """The form emails are compared in: unique case-insensitively, surrounding spaces ignored."""
    return email.strip().casefold()
