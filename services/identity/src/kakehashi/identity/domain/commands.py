"""Commands the identity service carries out (named imperatively)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kakehashi.identity.domain.model import Language, OrganisationProfile
from kakehashi.identity.domain.notifications import Delivery
from kakehashi.shared.auth import Role


@dataclass(frozen=True)
class RegisterOrganisation:
    organisation_id: str
    profile: OrganisationProfile


@dataclass(frozen=True)
class UpdateOrganisation:
    """Change some of an organisation's names or place; the rest stay."""

    organisation_id: str
    changes: dict[str, Any]


@dataclass(frozen=True)
class InviteUser:
    """Create a user with one membership and mail them a link to choose a password."""

    email: str
    display_name: str
    language: Language
    organisation_id: str
    role: Role


@dataclass(frozen=True)
class AcceptInvitation:
    token: str
    password: str


@dataclass(frozen=True)
class SetMembership:
    """Give a user a role in an organisation (or change the one they have there)."""

    user_id: str
    organisation_id: str
    role: Role


@dataclass(frozen=True)
class RemoveMembership:
    user_id: str
    organisation_id: str


@dataclass(frozen=True)
class DeactivateUser:
    user_id: str


@dataclass(frozen=True)
class RequestPasswordReset:
    email: str


@dataclass(frozen=True)
class ResetPassword:
    token: str
    password: str


@dataclass(frozen=True)
class SignIn:
    email: str
    password: str
    client_address: str
    user_agent: str | None = None
    totp_code: str | None = None
    organisation_id: str | None = None
    recovery_code: str | None = None  # instead of a TOTP code, once


@dataclass(frozen=True)
class ConfirmTotp:
    user_id: str
    code: str


@dataclass(frozen=True)
class RenewRecoveryCodes:
    """New recovery codes for a user, proven by a current TOTP code; the old ones stop working."""

    user_id: str
    code: str


@dataclass(frozen=True)
class ResetTotp:
    """An admin turns a user's second factor off (a lost phone and no recovery code left)."""

    user_id: str
    admin_id: str


@dataclass(frozen=True)
class ChooseDelivery:
    """How a user wants their notification mails: each event, a daily digest, or none."""

    user_id: str
    delivery: Delivery
