"""The integration events identity publishes on `identity-events` (see docs/events.md).

They carry names, places and roles, so other services can show "Trung tâm đào tạo Tây Ninh"
rather than an id, never an email address, a password hash or a second factor.
"""

from __future__ import annotations

from typing import Any

from kakehashi.identity.domain.model import OrganisationProfile

SOURCE = "kakehashi.identity"
ORGANISATION_REGISTERED = "organisation.registered"
ORGANISATION_UPDATED = "organisation.updated"
USER_REGISTERED = "user.registered"
USER_MEMBERSHIPS_CHANGED = "user.memberships_changed"
USER_DEACTIVATED = "user.deactivated"


def organisation_data(
    organisation_id: str, version: int, profile: OrganisationProfile
) -> dict[str, Any]:
    """The full snapshot of an organisation (registered and updated carry the same fields)."""
    return {
        "organisation_id": organisation_id,
        "version": version,
        "kind": profile.kind.value,
        "name_latin": profile.name_latin,
        "name_vi": profile.name_vi,
        "name_ja": profile.name_ja,
        "province": profile.province,
        "prefecture": profile.prefecture,
    }


def user_data(
    user_id: str,
    version: int,
    display_name: str,
    language: str,
    active: bool,
    memberships: list[tuple[str, str]],
) -> dict[str, Any]:
    """A user's public snapshot: name, language, whether active, and (organisation, role) pairs."""
    return {
        "user_id": user_id,
        "version": version,
        "display_name": display_name,
        "preferred_language": language,
        "active": active,
        "memberships": [{"organisation_id": o, "role": r} for o, r in sorted(memberships)],
    }
