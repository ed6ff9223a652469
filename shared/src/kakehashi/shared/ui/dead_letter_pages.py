"""The admin page of a consuming service's dead letters: list what waits, inspect one, replay one
or all after a fix, discard one with a reason (`kakehashi.shared.dead_letters`).

One generic router: each consuming service mounts it with `install(app, SPEC)` in its API
factory. Administrators only (the SSO cookie of the UI kit, verified as the API verifies a bearer
token); every POST passes the kit's CSRF checks. Rendered with the kit's layout and catalog.
Identity, which issues the tokens, passes its own `principal_of` (its key ring and its users,
read locally): it does not fetch its own JWKS over HTTP.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection, Mapping
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from kafka.errors import KafkaError

from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.dead_letters import DeadLetterError, DeadLetters, service_dead_letters
from kakehashi.shared.events import dead_letter_topic
from kakehashi.shared.organisations import OrganisationNames
from kakehashi.shared.runtime import ServiceSpec
from kakehashi.shared.ui import browser_session, navigation
from kakehashi.shared.ui.pages import (
    KIT,
    KIT_STATIC,
    OrganisationLookup,
    Pages,
    flash,
    from_directory,
)
from kakehashi.shared.web import runtime_of, settings_of

log = logging.getLogger(__name__)

PREFIX = "/admin/dead-letters"
STATIC = "/admin/static"


def _organisations(request: Request, ids: Collection[str]) -> Mapping[str, OrganisationNames]:
    """The header names the administrator's organisation as /admin does ("Kakehashi
    operator", not its id): by the lookup the service installed the pages with."""
    lookup: OrganisationLookup = request.app.state.dead_letter_organisations
    return lookup(request, ids)


PAGES = Pages(KIT / "templates", None, STATIC, organisations=_organisations)


def N_(message: str) -> str:  # noqa: N802 (gettext's marker: extracted, translated when shown)
    return message


class SignInRequired(Exception):  # noqa: N818 (a redirect, not an error)
    """No valid session: the page answers with a redirect to identity's sign-in."""


class Refused(Exception):  # noqa: N818 (answered with a 403 page)
    """Not an administrator, or a form that failed the CSRF checks; `why` is a msgid."""

    def __init__(self, why: str, principal: Principal | None = None) -> None:
        super().__init__(why)
        self.why = why
        self.principal = principal


# Who a request's browser session names, or None without a valid one.
PrincipalOf = Callable[[Request], Principal | None]


def signed_in(request: Request) -> Principal:
    principal_of: PrincipalOf = getattr(
        request.app.state, "dead_letter_principal_of", browser_session.principal_of
    )
    principal = principal_of(request)
    if principal is None:
        raise SignInRequired
    return principal


async def administrator(principal: Annotated[Principal, Depends(signed_in)]) -> Principal:
    """Dead letters are an operator's matter: administrators only."""
    if principal.role is not Role.ADMIN:
        raise Refused(N_("Dead letters are for administrators."), principal)
    return principal


Admin = Annotated[Principal, Depends(administrator)]


def _check_csrf(request: Request, token: object, principal: Principal) -> None:
    allowed = browser_session.origins_of(settings_of(request).web_urls.values())
    form_token = token if isinstance(token, str) else None
    if not browser_session.csrf_passes(request, form_token, allowed):
        raise Refused(N_("The form has expired or came from another site; reload it."), principal)


def _see_other(message: str, kind: str = "ok") -> Response:
    response = RedirectResponse(PREFIX, status_code=status.HTTP_303_SEE_OTHER)
    flash(response, message, kind)
    return response


def dead_letters_router(spec: ServiceSpec) -> APIRouter:
    """The pages of `spec`'s consumer group (its name)."""
    router = APIRouter(prefix=PREFIX, include_in_schema=False)

    def letters(request: Request) -> DeadLetters:
        return service_dead_letters(spec, runtime_of(request))

    @router.get("")
    def list_page(request: Request, principal: Admin) -> Response:
        """What waits in the group's dead-letter topic, and what was done lately."""
        found = letters(request)
        try:
            pending = found.pending()
        except KafkaError:
            log.warning("dead letters cannot be read: the broker does not answer", exc_info=True)
            return _unavailable(request, principal, spec, found)
        return PAGES.render(
            request,
            "kit/dead_letters.html",
            principal,
            group=spec.name,
            topic=dead_letter_topic(spec.name),
            pending=pending,
            history=found.history(),
        )

    @router.get("/{partition}/{offset}")
    def show_page(request: Request, principal: Admin, partition: int, offset: int) -> Response:
        """One dead letter: its origin, error, envelope and traceback."""
        try:
            record = letters(request).find(f"{partition}:{offset}")
        except DeadLetterError:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such pending dead letter") from None
        return PAGES.render(
            request, "kit/dead_letter.html", principal, group=spec.name, record=record
        )

    @router.post("/replay")
    async def replay(request: Request, principal: Admin) -> Response:
        """Replay one (`ref`) or every (`all`) pending dead letter through the applier."""
        form = await request.form()
        _check_csrf(request, form.get(browser_session.CSRF_FIELD), principal)
        ref, everything = str(form.get("ref") or ""), form.get("all") == "1"
        if bool(ref) == everything:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "give ref, or all=1")
        found = letters(request)
        if everything:
            _done, failed = found.replay_all(principal.subject)
            if failed:
                return _see_other(N_("Some dead letters failed again; they stay listed."), "error")
            return _see_other(N_("Dead letters replayed."))
        try:
            found.replay(ref, principal.subject)
        except DeadLetterError as error:
            log.warning("dead letter not replayed", extra={"ref": ref, "error": str(error)})
            return _see_other(N_("This dead letter cannot be replayed."), "error")
        except Exception:
            log.warning("dead letter failed again on replay", exc_info=True, extra={"ref": ref})
            return _see_other(N_("The event failed again; it stays listed."), "error")
        return _see_other(N_("Dead letter replayed."))

    @router.post("/discard")
    async def discard(request: Request, principal: Admin) -> Response:
        """Discard one pending dead letter; the reason is required and audited."""
        form = await request.form()
        _check_csrf(request, form.get(browser_session.CSRF_FIELD), principal)
        ref, reason = str(form.get("ref") or ""), str(form.get("reason") or "")
        if not reason.strip():
            detail = [{"loc": ["body", "reason"], "msg": "give a reason", "type": "missing"}]
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail)
        try:
            letters(request).discard(ref, principal.subject, reason)
        except DeadLetterError:
            return _see_other(N_("No such pending dead letter."), "error")
        return _see_other(N_("Dead letter discarded."))

    return router


def _unavailable(
    request: Request, principal: Principal, spec: ServiceSpec, found: DeadLetters
) -> Response:
    gettext = PAGES.translations(PAGES.language_of(request)).gettext
    return PAGES.render(
        request,
        "kit/dead_letters.html",
        principal,
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        messages=[("error", gettext("The broker does not answer; try again shortly."))],
        group=spec.name,
        topic=dead_letter_topic(spec.name),
        pending=[],
        history=found.history(),
    )


def _sign_in_handler(service: str) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def to_sign_in(request: Request, _error: Exception) -> Response:
        """To identity's refresh route, with this page (absolute, on this service) as `next`."""
        settings = settings_of(request)
        here = settings.web_urls[service] + request.url.path
        target = navigation.refresh_url(settings) + "?" + urlencode({"next": here})
        return RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)

    return to_sign_in


async def _refused(request: Request, error: Exception) -> Response:
    assert isinstance(error, Refused)
    return PAGES.render(
        request,
        "kit/refused.html",
        error.principal,
        status_code=status.HTTP_403_FORBIDDEN,
        why=error.why,
    )


def install(
    app: FastAPI,
    spec: ServiceSpec,
    principal_of: PrincipalOf = browser_session.principal_of,
    organisations: OrganisationLookup = from_directory,
) -> None:
    """Mount the dead-letter pages of `spec`'s consumer on `app`, with the kit's assets; the
    session is verified by `principal_of` (the shared token verifier unless the app says);
    organisations are named by `organisations` (the service's directory of identity's names,
    unless the app says: identity reads its own table)."""
    app.state.dead_letter_principal_of = principal_of
    app.state.dead_letter_organisations = organisations
    app.include_router(dead_letters_router(spec))
    app.mount(STATIC, StaticFiles(directory=KIT_STATIC), name="admin-static")
    app.add_exception_handler(SignInRequired, _sign_in_handler(spec.name))
    app.add_exception_handler(Refused, _refused)
