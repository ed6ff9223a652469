"""People sign in at identity and use its tokens on the three services, through real processes.

The services trust identity alone and fetch its keys (discovery, then the JWKS) as `kakehashi
dev` has them. Users are made as the seed makes them: an admin registers organisations and
invites their users, who accept the invitation mailed to the dev SMTP catcher.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, timedelta
from functools import partial
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlmodel import Session

from conftest import wait_until
from kakehashi.candidates.bootstrap import SPEC as CANDIDATES
from kakehashi.devtools.demo_organisations import ADMIN_EMAIL, BY_ID, DEMO_PASSWORD
from kakehashi.devtools.mail_catcher import CaughtMail, caught, latest_link
from kakehashi.devtools.seed_people import seed_people
from kakehashi.devtools.supervisor import Supervisor
from kakehashi.employers.bootstrap import SPEC as EMPLOYERS
from kakehashi.shared.db import make_engine
from kakehashi.shared.organisations import OrganisationNames, organisation_names
from kakehashi.shared.runtime import ServiceSpec
from kakehashi.shared.ui.browser_session import SESSION_COOKIE
from tests.e2e.conftest import register_welder

pytestmark = pytest.mark.e2e

# Two of each kind, to see one organisation's data hidden from the other.
CENTRE, OTHER_CENTRE = "tc-tay-ninh-01", "tc-nghe-an-01"
EMPLOYER, OTHER_EMPLOYER = "emp-aichi-tanaka-kogyo", "emp-osaka-naniwa-kensetsu"
MANAGER = "pm-office"
Headers = dict[str, str]
EVENTS_S = 90.0  # events cross a relay, the broker and a consumer on a busy 2-core machine


def sign_in(identity: str, email: str, password: str = DEMO_PASSWORD) -> httpx.Response:
    return httpx.post(f"{identity}/sign-in", json={"email": email, "password": password})


def bearer(identity: str, email: str) -> Headers:
    response = sign_in(identity, email)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture(scope="module")
def people(identity_system: Supervisor) -> dict[str, Headers]:
    """The seed's users for five organisations, signed in: headers by organisation id."""
    identity = identity_system.url("identity")
    chosen = tuple(BY_ID[i] for i in (CENTRE, OTHER_CENTRE, EMPLOYER, OTHER_EMPLOYER, MANAGER))
    made = seed_people(
        identity,
        admin_email=ADMIN_EMAIL,
        admin_password=DEMO_PASSWORD,
        mail_dir=identity_system.mail_dir,
        organisations=chosen,
    )
    assert (made.organisations, made.users) == (5, 5)
    again = seed_people(
        identity,
        admin_email=ADMIN_EMAIL,
        admin_password=DEMO_PASSWORD,
        mail_dir=identity_system.mail_dir,
        organisations=chosen,
    )
    assert again.already_seeded
    assert (again.organisations_existing, again.users_existing) == (5, 5)
    return {o.id: bearer(identity, o.email) for o in chosen}


def post_order(system: Supervisor, headers: Headers) -> httpx.Response:
    return httpx.post(
        f"{system.url('employers')}/job-orders",
        json={
            "title": "溶接工 / Welder",
            "sector": "construction",
            "prefecture": "Aichi",
            "headcount": 1,
            "min_japanese_level": "N4",
            "required_skills": [{"code": "welding", "min_level": 3, "must_have": True}],
            "track": "ssw1",
            "expected_departure_date": (date.today() + timedelta(days=150)).isoformat(),
        },
        headers=headers,
    )


def test_identity_tokens_open_allowed_routes_and_keep_roles_and_organisations_apart(
    identity_system: Supervisor, people: dict[str, Headers]
) -> None:
    system = identity_system
    candidates, employers, matching = (
        system.url(s) for s in ("candidates", "employers", "matching")
    )
    centre, employer, manager = people[CENTRE], people[EMPLOYER], people[MANAGER]

    # 200/201 where the role is allowed, on each service.
    cid = register_welder(system, centre, full_name="Le Van Cuong", date_of_birth="1999-04-02")
    assert httpx.get(f"{candidates}/candidates/{cid}", headers=centre).status_code == 200
    order = post_order(system, employer)
    assert order.status_code == 201, order.text
    order_id = order.json()["id"]
    assert httpx.get(f"{employers}/job-orders/{order_id}", headers=employer).status_code == 200
    assert httpx.get(f"{matching}/job-orders", headers=manager).status_code == 200
    assert httpx.get(f"{candidates}/candidates/{cid}", headers=manager).status_code == 200

    # 403: a role the route does not accept.
    assert httpx.get(f"{matching}/job-orders", headers=centre).status_code == 403
    assert httpx.get(f"{candidates}/candidates", headers=employer).status_code == 403
    assert post_order(system, centre).status_code == 403

    # 404: another organisation's data does not exist for you.
    other_centre, other_employer = people[OTHER_CENTRE], people[OTHER_EMPLOYER]
    assert httpx.get(f"{candidates}/candidates/{cid}", headers=other_centre).status_code == 404
    assert (
        httpx.get(f"{employers}/job-orders/{order_id}", headers=other_employer).status_code == 404
    )

    # No token, or a forged one: 401.
    assert httpx.get(f"{matching}/job-orders").status_code == 401
    forged = {"Authorization": manager["Authorization"][:-4] + "AAAA"}
    assert httpx.get(f"{matching}/job-orders", headers=forged).status_code == 401


def test_a_key_rotation_keeps_old_tokens_and_accepts_new_ones(
    identity_system: Supervisor, people: dict[str, Headers]
) -> None:
    identity = identity_system.url("identity")
    routes = {
        "candidates": ("/candidates", MANAGER),
        "employers": ("/job-orders", EMPLOYER),
        "matching": ("/job-orders", MANAGER),
    }
    old = {service: people[org] for service, (_path, org) in routes.items()}
    for service, (path, _org) in routes.items():  # the services hold the first key
        assert httpx.get(identity_system.url(service) + path, headers=old[service]).is_success

    admin = bearer(identity, ADMIN_EMAIL)
    published = [
        key["kid"] for key in httpx.get(f"{identity}/.well-known/jwks.json").json()["keys"]
    ]
    # The system started moments ago: its next key is younger than the verifiers' cache
    # lifetime, so a planned rotation is refused; an immediate one goes ahead.
    assert httpx.post(f"{identity}/admin/keys/rotate", headers=admin).status_code == 409
    rotated = httpx.post(f"{identity}/admin/keys/rotate?immediately=true", headers=admin)
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["kid"] == published[1]  # the next key, published since the start
    kids = [key["kid"] for key in httpx.get(f"{identity}/.well-known/jwks.json").json()["keys"]]
    assert kids[0] == rotated.json()["kid"]
    assert published[0] in kids  # the retiring key stays published
    assert len(kids) == 3  # with a new next key

    # The services cached the key set after the next key was published: the new key's tokens
    # verify at once: no cooldown to wait out.
    new = {service: bearer(identity, BY_ID[org].email) for service, (_path, org) in routes.items()}
    for service, (path, _org) in routes.items():
        url = identity_system.url(service) + path
        assert httpx.get(url, headers=old[service]).status_code == 200, service
        answer = httpx.get(url, headers=new[service])
        assert answer.status_code == 200, (service, answer.text, answer.headers)


def test_an_invited_user_accepts_the_mailed_link_and_a_deactivated_one_gets_no_token(
    identity_system: Supervisor, people: dict[str, Headers]
) -> None:
    identity = identity_system.url("identity")
    admin = bearer(identity, ADMIN_EMAIL)
    email = "new-teacher@kakehashi.example"
    invited = httpx.post(
        f"{identity}/invitations",
        json={
            "email": email,
            "display_name": "Phạm Thị Hoa",
            "preferred_language": "vi",
            "organisation_id": CENTRE,
            "role": "training_centre",
        },
        headers=admin,
    )
    assert invited.status_code == 201, invited.text
    user_id = invited.json()["id"]

    mail = [m for m in caught(identity_system.mail_dir) if m.to == email]
    assert [m.subject for m in mail] == ["Lời mời tham gia Kakehashi"]
    assert "Phạm Thị Hoa" in mail[0].body
    link = latest_link(identity_system.mail_dir, email, "/invitation")
    assert link is not None
    assert link.startswith(f"{identity}/invitation?token=")
    token = parse_qs(urlsplit(link).query)["token"][0]
    body = {"token": token, "password": "hoa dạy tiếng Nhật 2027"}
    assert httpx.post(f"{identity}/invitations/accept", json=body).status_code == 204
    assert httpx.post(f"{identity}/invitations/accept", json=body).status_code == 400  # once

    signed_in = sign_in(identity, email, body["password"])
    assert signed_in.status_code == 200, signed_in.text
    headers = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    listing = httpx.get(f"{identity_system.url('candidates')}/candidates", headers=headers)
    assert listing.status_code == 200

    deactivated = httpx.post(f"{identity}/users/{user_id}/deactivate", headers=admin)
    assert deactivated.status_code == 200
    assert deactivated.json()["active"] is False
    refused = sign_in(identity, email, body["password"])
    assert refused.status_code == 401
    assert "access_token" not in refused.json()


def directory_of(
    system: Supervisor, spec: ServiceSpec, ids: list[str]
) -> dict[str, OrganisationNames]:
    """What `spec`'s service has in its organisation directory, read from its own database."""
    prefix = f"KAKEHASHI_{spec.name.upper()}_"
    with pytest.MonkeyPatch.context() as patch:
        for name, value in system.environment().items():
            if name.startswith(prefix):
                patch.setenv(name, value)
        settings = spec.settings_factory()
    engine = make_engine(settings.resolved_database_url)
    try:
        with Session(engine) as session:
            return organisation_names(session, ids)
    finally:
        engine.dispose()


def _knows_all(system: Supervisor, spec: ServiceSpec, ids: list[str]) -> bool:
    return len(directory_of(system, spec, ids)) == len(ids)


def test_organisations_registered_at_identity_are_named_on_the_other_services(
    identity_system: Supervisor, people: dict[str, Headers]
) -> None:
    """identity's organisation events reach candidates, employers and matching; the console
    names the centre, the employer and the signed-in office in the reader's language."""
    system = identity_system
    identity, matching = system.url("identity"), system.url("matching")
    centre = BY_ID[CENTRE]
    for spec in (CANDIDATES, EMPLOYERS):
        assert wait_until(partial(_knows_all, system, spec, [CENTRE, EMPLOYER, MANAGER]), EVENTS_S)
        assert directory_of(system, spec, [CENTRE])[CENTRE].in_language("vi") == centre.name_vi

    cid = register_welder(
        system, people[CENTRE], full_name="Võ Thị Mai", date_of_birth="2000-01-09"
    )
    manager_token = people[MANAGER]["Authorization"].removeprefix("Bearer ")
    cookies = {SESSION_COOKIE: manager_token}

    def candidate_page(language: str) -> str:
        page = httpx.get(f"{matching}/console/candidates/{cid}?lang={language}", cookies=cookies)
        return page.text if page.status_code == 200 else ""

    vietnamese = wait_until(lambda: centre.name_vi in candidate_page("vi"), EVENTS_S)
    assert vietnamese
    japanese = candidate_page("ja")
    assert f'data-organisation="{CENTRE}">{centre.name_ja}<' in japanese
    assert f'data-organisation="{MANAGER}">{BY_ID[MANAGER].name_ja}<' in japanese  # the header

    # A new name at identity reaches the pages too.
    admin = bearer(identity, ADMIN_EMAIL)
    renamed = httpx.patch(
        f"{identity}/organisations/{CENTRE}",
        json={"name_vi": "Trung tâm Kỹ năng Tây Ninh"},
        headers=admin,
    )
    assert renamed.status_code == 200, renamed.text
    assert wait_until(lambda: "Trung tâm Kỹ năng Tây Ninh" in candidate_page("vi"), EVENTS_S)
    assert (
        directory_of(system, CANDIDATES, [CENTRE])[CENTRE].name_vi == "Trung tâm Kỹ năng Tây Ninh"
    )


def test_a_proposal_is_mailed_to_the_employer_at_once_and_to_the_centre_in_its_digest(
    identity_system: Supervisor, people: dict[str, Headers]
) -> None:
    """identity's consumer hears matching's decision and mails the order's employer (a mail
    per event, in Japanese); the centre's digest (daily) comes from `send-digests`."""
    system = identity_system
    centre, employer, manager = people[CENTRE], people[EMPLOYER], people[MANAGER]
    cid = register_welder(
        system,
        centre,
        full_name="Pham Thi Thao",
        name_vi="Phạm Thị Thảo",
        name_katakana="ファム・ティ・タオ",
        date_of_birth="2000-08-12",
    )
    order = post_order(system, employer)
    assert order.status_code == 201, order.text
    order_id = order.json()["id"]
    matching = system.url("matching")

    def ranked() -> bool:
        listed = httpx.get(f"{matching}/job-orders/{order_id}/matches", headers=manager)
        return listed.status_code == 200 and cid in {
            m["candidate_id"] for m in listed.json()["matches"]
        }

    wait_until(ranked, timeout_s=EVENTS_S)
    for action in ("shortlist", "propose"):
        decided = httpx.post(
            f"{matching}/job-orders/{order_id}/candidates/{cid}/decisions",
            json={"action": action},
            headers=manager,
        )
        assert decided.status_code == 200, decided.text

    def mailed(to: str, text: str) -> list[CaughtMail]:
        return [m for m in caught(system.mail_dir) if m.to == to and text in m.body]

    to_employer = BY_ID[EMPLOYER].email
    (mail,) = wait_until(lambda: mailed(to_employer, "ファム・ティ・タオ"), timeout_s=EVENTS_S)
    assert "ファム・ティ・タオ (Pham Thi Thao)" in mail.subject
    assert f"{system.url('employers')}/portal/orders/{order_id}" in mail.body
    assert "2000-08-12" not in mail.body

    to_centre = BY_ID[CENTRE].email
    assert mailed(to_centre, "Phạm Thị Thảo") == []  # a centre's default is the daily digest
    digests = subprocess.run(
        [sys.executable, "-m", "kakehashi.identity.entrypoints.cli", "send-digests", "--now"],
        env=system.environment(),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert digests.returncode == 0, digests.stderr.decode()
    (digest,) = mailed(to_centre, "Phạm Thị Thảo")
    # A centre follows many employers' orders: its mail names the order's employer too.
    assert re.search(
        r"Phạm Thị Thảo đã được giới thiệu cho đơn tuyển “溶接工 / Welder” của [^.]*Tanaka Kogyo\.",
        digest.body,
    ), digest.body
    assert f"{system.url('candidates')}/portal/candidates/{cid}" in digest.body
