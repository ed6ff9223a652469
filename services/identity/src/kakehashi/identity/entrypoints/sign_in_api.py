"""Public routes: sign-in, the second factor, mailed links, and the discovery documents."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request, Response, status

from kakehashi.identity.adapters.mail import Mail
from kakehashi.identity.domain.commands import (
    AcceptInvitation,
    ConfirmTotp,
    RenewRecoveryCodes,
    RequestPasswordReset,
    ResetPassword,
)
from kakehashi.identity.domain.keys import ALGORITHM, CLAIMS
from kakehashi.identity.entrypoints.callers import (
    Caller,
    EnrollingDep,
    IdentityDep,
    client_address_of,
)
from kakehashi.identity.entrypoints.schemas import (
    LinkPassword,
    PasswordResetRequest,
    RecoveryCodes,
    SignInBody,
    SignInRefusal,
    TokenResponse,
    TotpConfirm,
    TotpEnrolment,
    UserPublic,
)
from kakehashi.identity.service_layer import keys, links, sign_in, totp, users
from kakehashi.identity.service_layer.context import Identity
from kakehashi.identity.service_layer.errors import MailNotSentError
from kakehashi.shared.auth import Role
from kakehashi.shared.web import UowDep

log = logging.getLogger(__name__)

router = APIRouter(tags=["sign-in"])
well_known = APIRouter(prefix="/.well-known", tags=["discovery"])

Responses = dict[int | str, dict[str, Any]]
REFUSALS: Responses = {
    401: {
        "model": SignInRefusal,
        "description": "invalid_credentials, totp_required, totp_invalid",
    },
    403: {"model": SignInRefusal, "description": "totp_enrolment_required, not_a_member"},
    409: {"model": SignInRefusal, "description": "organisation_required (choices in extra)"},
    429: {"model": SignInRefusal, "description": "locked (account or address); see Retry-After"},
}
LINK_REFUSED: Responses = {400: {"description": "the link is unknown, expired or already used"}}


@router.post("/sign-in", responses=REFUSALS)
def post_sign_in(
    body: SignInBody, request: Request, uow: UowDep, identity: IdentityDep
) -> TokenResponse:
    """Email and password (and a TOTP code when the user has one) for an access token."""
    address = client_address_of(request)
    command = body.command(address, request.headers.get("user-agent"))
    result = sign_in.sign_in(uow, identity, command)
    return TokenResponse(
        access_token=result.access_token,
        expires_in=result.expires_in,
        user_id=result.user_id,
        organisation_id=result.organisation_id,
        role=Role(result.role),
    )


@router.get("/me")
def get_me(principal: Caller, uow: UowDep) -> UserPublic:
    """The signed-in user, with every membership they hold."""
    return UserPublic.of(*users.get(uow, principal.subject))


@router.post("/me/totp", status_code=status.HTTP_201_CREATED)
def post_totp(caller: EnrollingDep, uow: UowDep, identity: IdentityDep) -> TotpEnrolment:
    """Start setting up a TOTP second factor: the secret as an otpauth:// URI to scan. The
    bearer is an access token, or the enrolment token a refused sign-in handed out."""
    return TotpEnrolment(provisioning_uri=totp.begin(uow, identity, caller.user_id))


@router.post("/me/totp/confirm")
def post_totp_confirm(
    body: TotpConfirm, caller: EnrollingDep, uow: UowDep, identity: IdentityDep
) -> RecoveryCodes:
    """A current code from the new secret turns the second factor on. The answer holds the
    recovery codes, shown this once."""
    command = ConfirmTotp(caller.user_id, body.code)
    return RecoveryCodes(
        recovery_codes=totp.confirm(uow, identity, command, caller.enrolment_token)
    )


@router.post("/me/totp/recovery-codes", responses={409: {"description": "no second factor"}})
def post_recovery_codes(
    body: TotpConfirm, caller: Caller, uow: UowDep, identity: IdentityDep
) -> RecoveryCodes:
    """New recovery codes for a current TOTP code; the previous ones stop working."""
    command = RenewRecoveryCodes(caller.subject, body.code)
    return RecoveryCodes(recovery_codes=totp.renew_recovery_codes(uow, identity, command))


@router.post("/invitations/accept", status_code=status.HTTP_204_NO_CONTENT, responses=LINK_REFUSED)
def accept_invitation(body: LinkPassword, uow: UowDep, identity: IdentityDep) -> Response:
    """The invited user sets their password through the mailed link (once, before it expires)."""
    users.accept_invitation(uow, identity, AcceptInvitation(body.token, body.password))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/password-reset", status_code=status.HTTP_202_ACCEPTED, response_class=Response)
def request_password_reset(
    body: PasswordResetRequest, uow: UowDep, identity: IdentityDep, background: BackgroundTasks
) -> Response:
    """Mail a reset link if an active user has this email. The answer is the same either way,
    and comes before the mail is sent."""
    mail = users.request_password_reset(uow, identity, RequestPasswordReset(body.email))
    if mail is not None:
        background.add_task(send_reset_mail, identity, mail)
    return Response(status_code=status.HTTP_202_ACCEPTED)


def send_reset_mail(identity: Identity, mail: Mail) -> None:
    """Send a reset mail after the answer; a failure is logged (nobody is waiting)."""
    try:
        links.send(identity, mail)
    except MailNotSentError:
        # Nobody is waiting for this answer; the requester may ask again.
        log.exception("password reset mail not sent")


@router.post(
    "/password-reset/confirm", status_code=status.HTTP_204_NO_CONTENT, responses=LINK_REFUSED
)
def confirm_password_reset(body: LinkPassword, uow: UowDep, identity: IdentityDep) -> Response:
    """A new password through the mailed link; ends the account's lockout."""
    users.reset_password(uow, identity, ResetPassword(body.token, body.password))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@well_known.get("/jwks.json")
def get_jwks(uow: UowDep, identity: IdentityDep, response: Response) -> dict[str, Any]:
    """The public keys that verify access tokens: the active key and any retiring one."""
    # Short enough that a rotation is seen well within a token's lifetime; verifiers also refetch
    # when a token names a kid they do not hold.
    response.headers["Cache-Control"] = "public, max-age=300"
    return {"keys": keys.jwks(uow, identity)}


@well_known.get("/openid-configuration")
def get_openid_configuration(identity: IdentityDep) -> dict[str, Any]:
    """OpenID Connect discovery (the parts identity implements)."""
    issuer = identity.settings.issuer.rstrip("/")
    return {
        "issuer": identity.settings.issuer,
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "token_endpoint": f"{issuer}/sign-in",
        "userinfo_endpoint": f"{issuer}/me",
        "grant_types_supported": ["password"],
        "response_types_supported": ["token"],
        "subject_types_supported": ["public"],
        "token_endpoint_auth_methods_supported": ["none"],
        "id_token_signing_alg_values_supported": [ALGORITHM],
        "access_token_signing_alg_values_supported": [ALGORITHM],
        "claims_supported": list(CLAIMS),
        # Where Kakehashi's own claims are; an external provider is configured with its names.
        "kakehashi_claims": {
            "role": "role",
            "organisation": "org",
            "language": "lang",
            "name": "name",
        },
        "kakehashi_audience": identity.settings.audience,
    }
