"""Request and response bodies of the identity API (distinct from the tables)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, EmailStr, Field

from kakehashi.identity.adapters.tables import (
    AccountAudit,
    Membership,
    Organisation,
    SignInAudit,
    User,
)
from kakehashi.identity.domain.commands import (
    InviteUser,
    RegisterOrganisation,
    SignIn,
    UpdateOrganisation,
)
from kakehashi.identity.domain.model import Language, OrganisationKind, OrganisationProfile
from kakehashi.identity.domain.passwords import MAX_LENGTH
from kakehashi.shared.auth import Role
from kakehashi.shared.errors import DomainError
from kakehashi.shared.reference import Prefecture
from kakehashi.shared.schemas import RequestModel, Timestamp

OrganisationId = Annotated[
    str,
    Field(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$", examples=["tc-tay-ninh-01"], description="slug"),
]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Province = Annotated[str, Field(min_length=1, max_length=64, examples=["Tây Ninh"])]
Password = Annotated[str, Field(min_length=1, max_length=MAX_LENGTH)]
Token = Annotated[str, Field(min_length=16, max_length=128)]
TotpCode = Annotated[str, Field(pattern=r"^[0-9]{6}$")]
# A recovery code as printed (`abcde-fghjk`), typed with any case, spaces or dashes.
RecoveryCodeText = Annotated[str, Field(min_length=10, max_length=24, pattern=r"^[A-Za-z0-9 -]+$")]


# Organisations ----------------------------------------------------------------------------


class OrganisationFields(RequestModel):
    name_latin: Name = Field(examples=["Tay Ninh Training Centre"])
    name_vi: Name | None = Field(default=None, examples=["Trung tâm đào tạo Tây Ninh"])
    name_ja: Name | None = Field(default=None, examples=["タイニン研修センター"])
    province: Province | None = None
    prefecture: Prefecture | None = None


class OrganisationCreate(OrganisationFields):
    id: OrganisationId
    kind: OrganisationKind

    def command(self) -> RegisterOrganisation:
        fields = self.model_dump(exclude={"id"})
        return RegisterOrganisation(self.id, OrganisationProfile(**fields))


class OrganisationUpdate(RequestModel):
    """The fields to change; those left out stay. Sending null clears an optional one."""

    name_latin: Name | None = None
    name_vi: Name | None = None
    name_ja: Name | None = None
    province: Province | None = None
    prefecture: Prefecture | None = None

    def command(self, organisation_id: str) -> UpdateOrganisation:
        changes = self.model_dump(exclude_unset=True)
        if "name_latin" in changes and changes["name_latin"] is None:
            raise DomainError("name_latin", "an organisation keeps a Latin-script name")
        return UpdateOrganisation(organisation_id, changes)


class OrganisationPublic(BaseModel):
    id: str
    kind: OrganisationKind
    name_latin: str
    name_vi: str | None
    name_ja: str | None
    province: str | None
    prefecture: str | None
    version: int
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, row: Organisation) -> OrganisationPublic:
        return cls.model_validate(row, from_attributes=True)


# Users ------------------------------------------------------------------------------------


class InvitationCreate(RequestModel):
    email: EmailStr
    display_name: Name
    preferred_language: Language = Language.VI
    organisation_id: OrganisationId
    role: Role

    def command(self) -> InviteUser:
        return InviteUser(
            self.email, self.display_name, self.preferred_language, self.organisation_id, self.role
        )


class MembershipSet(RequestModel):
    role: Role


class MembershipPublic(BaseModel):
    organisation_id: str
    role: Role


class UserPublic(BaseModel):
    id: str
    email: str
    display_name: str
    preferred_language: Language
    active: bool
    has_password: bool
    totp_enabled: bool
    memberships: list[MembershipPublic]
    version: int
    created_at: Timestamp

    @classmethod
    def of(cls, row: User, memberships: list[Membership]) -> UserPublic:
        return cls(
            id=row.id,
            email=row.email,
            display_name=row.display_name,
            preferred_language=Language(row.preferred_language),
            active=row.active,
            has_password=row.password_hash is not None,
            totp_enabled=row.totp_confirmed,
            memberships=[
                MembershipPublic(organisation_id=m.organisation_id, role=Role(m.role))
                for m in memberships
            ],
            version=row.version,
            created_at=row.created_at,
        )


class LinkPassword(RequestModel):
    """A link's token (from the mailed URL) and the password to set."""

    token: Token
    password: Password


class PasswordResetRequest(RequestModel):
    email: EmailStr


# Sign-in and second factor ----------------------------------------------------------------


class SignInBody(RequestModel):
    email: Annotated[str, Field(min_length=3, max_length=254)]
    password: Password
    totp: TotpCode | None = None
    recovery_code: RecoveryCodeText | None = Field(
        default=None, description="instead of `totp` when the authenticator is lost; works once"
    )
    organisation_id: OrganisationId | None = Field(
        default=None, description="needed when the user has roles in several organisations"
    )

    def command(self, client_address: str, user_agent: str | None) -> SignIn:
        return SignIn(
            email=self.email,
            password=self.password,
            client_address=client_address,
            user_agent=user_agent,
            totp_code=self.totp,
            organisation_id=self.organisation_id,
            recovery_code=self.recovery_code,
        )


class TokenResponse(BaseModel):
    """RFC 6749's token response, with who the token speaks for."""

    access_token: str
    token_type: str = "Bearer"  # noqa: S105 - the RFC 6749 token type, not a secret
    expires_in: int
    user_id: str
    organisation_id: str
    role: Role


class SignInRefusal(BaseModel):
    detail: str
    code: str
    extra: dict[str, Any] = {}


class TotpEnrolment(BaseModel):
    provisioning_uri: str = Field(description="otpauth:// URI for an authenticator app")


class TotpConfirm(RequestModel):
    code: TotpCode


class RecoveryCodes(BaseModel):
    """Shown once: identity keeps only their SHA-256. Each signs in once instead of a TOTP code."""

    recovery_codes: list[str]


class AccountAuditPublic(BaseModel):
    id: int
    at: Timestamp
    user_id: str
    actor_id: str = Field(description="the user themself, or the admin who acted")
    action: str = Field(
        description="totp_enabled, totp_reset, recovery_codes_renewed, recovery_code_used"
    )

    @classmethod
    def of(cls, row: AccountAudit) -> AccountAuditPublic:
        return cls.model_validate(row, from_attributes=True)


class SignInAuditPublic(BaseModel):
    id: int
    at: Timestamp
    email: str
    user_id: str | None
    organisation_id: str | None
    client_address: str
    user_agent: str | None
    succeeded: bool
    reason: str

    @classmethod
    def of(cls, row: SignInAudit) -> SignInAuditPublic:
        return cls.model_validate(row, from_attributes=True)


class KeyPublic(BaseModel):
    kid: str
    state: str
    created_at: Timestamp


class KeyRotated(KeyPublic):
    """The key that signs from now on; `known_to_verifiers` is false after a rotation made
    `immediately`, before the key had been published for `key_publish_ahead_s`."""

    published_at: Timestamp
    known_to_verifiers: bool
