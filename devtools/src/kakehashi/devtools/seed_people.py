"""The demo's organisations and one user for each, made through identity's public API.

The seed signs in as the development admin (`kakehashi dev` makes it with identity's
`add-admin`), registers each organisation, invites its user, reads the invitation from the mail
catcher's folder and accepts it with the demo password, as a person would. A second run finds
them all and changes nothing. DEVELOPMENT ONLY: the password is public.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from kakehashi.devtools.demo_organisations import DEMO_PASSWORD, ORGANISATIONS, DemoOrganisation
from kakehashi.devtools.mail_catcher import latest_link
from kakehashi.devtools.seed import Progress, no_progress
from kakehashi.devtools.seed_api import SeedError, wait_for
from kakehashi.devtools.seed_report import PeopleReport
from kakehashi.shared.auth import Role

LANGUAGE = {Role.TRAINING_CENTRE: "vi", Role.EMPLOYER: "ja", Role.PROGRAM_MANAGER: "vi"}


def _expect(response: httpx.Response, *accept: int) -> httpx.Response:
    if not response.is_success and response.status_code not in accept:
        raise SeedError(
            f"{response.request.method} {response.request.url} failed with "
            f"{response.status_code}: {response.text[:300]}"
        )
    return response


def sign_in(client: httpx.Client, email: str, password: str) -> dict[str, str]:
    """Bearer headers for `email`; SeedError naming who could not sign in."""
    response = client.post("/sign-in", json={"email": email, "password": password})
    if response.status_code != 200:
        raise SeedError(
            f"could not sign in at {client.base_url} as {email} ({response.status_code}: "
            f"{response.text[:200]}); is `kakehashi dev` running, with its admin?"
        )
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def _set_password(
    client: httpx.Client, organisation: DemoOrganisation, mail_dir: Path, password: str
) -> None:
    """Accept the invitation mailed to the user; if that link is spent or gone (an earlier run
    stopped half way), set the password through a reset link instead."""
    email = organisation.email
    link = latest_link(mail_dir, email, "/invitation")
    if link is not None:
        body = {"token": _token_of(link), "password": password}
        if client.post("/invitations/accept", json=body).status_code == 204:
            return
    _expect(client.post("/password-reset", json={"email": email}))
    found = wait_for(
        f"a password reset mail to {email} in {mail_dir}",
        lambda: latest_link(mail_dir, email, "/password-reset"),
        30,
    )
    body = {"token": _token_of(found), "password": password}
    _expect(client.post("/password-reset/confirm", json=body))


def seed_people(
    identity_url: str,
    *,
    admin_email: str,
    admin_password: str,
    mail_dir: Path,
    password: str = DEMO_PASSWORD,
    organisations: tuple[DemoOrganisation, ...] = ORGANISATIONS,
    progress: Progress = no_progress,
) -> PeopleReport:
    """Register each organisation and its one user (with `password`) unless already there."""
    report = PeopleReport()
    with httpx.Client(base_url=identity_url, timeout=60) as client:
        admin = sign_in(client, admin_email, admin_password)
        listed = _expect(client.get("/users", headers=admin)).json()
        users: dict[str, dict[str, Any]] = {u["email"].casefold(): u for u in listed}
        for organisation in progress(list(organisations), "people     "):
            created = client.post("/organisations", json=organisation.body(), headers=admin)
            if _expect(created, 409).status_code == 409:
                report.organisations_existing += 1
            else:
                report.organisations += 1
            user = users.get(organisation.email.casefold())
            if user is not None and user["has_password"]:
                report.users_existing += 1
                continue
            if user is None:
                invitation = {
                    "email": organisation.email,
                    "display_name": organisation.person,
                    "preferred_language": LANGUAGE[organisation.role],
                    "organisation_id": organisation.id,
                    "role": organisation.role.value,
                }
                _expect(client.post("/invitations", json=invitation, headers=admin))
            _set_password(client, organisation, mail_dir, password)
            report.users += 1
    return report
