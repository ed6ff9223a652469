"""Between identity's rows and the domain's values."""

from __future__ import annotations

from kakehashi.identity.adapters.tables import Organisation, SigningKey, User
from kakehashi.identity.domain.keys import KeyState, KeyStatus, TokenSubject
from kakehashi.identity.domain.model import OrganisationKind, OrganisationProfile


def profile_of(row: Organisation) -> OrganisationProfile:
    return OrganisationProfile(
        kind=OrganisationKind(row.kind),
        name_latin=row.name_latin,
        name_vi=row.name_vi,
        name_ja=row.name_ja,
        province=row.province,
        prefecture=row.prefecture,
    )


def write_profile(row: Organisation, profile: OrganisationProfile) -> None:
    row.kind = profile.kind.value
    row.name_latin = profile.name_latin
    row.name_vi = profile.name_vi
    row.name_ja = profile.name_ja
    row.province = profile.province
    row.prefecture = profile.prefecture


def key_status_of(row: SigningKey) -> KeyStatus:
    return KeyStatus(kid=row.kid, state=KeyState(row.state), retiring_since=row.retiring_at)


def token_subject_of(user: User, organisation_id: str, role: str) -> TokenSubject:
    return TokenSubject(
        user_id=user.id,
        organisation_id=organisation_id,
        role=role,
        language=user.preferred_language,
        display_name=user.display_name,
    )
