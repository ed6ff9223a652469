"""What the notification tests share: the events identity consumes, as their producers send
them, and users of a training centre and an employer in their languages."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from fastapi.testclient import TestClient

from kakehashi.identity.adapters.mail import SmtpMailer
from kakehashi.identity.config import IdentitySettings
from kakehashi.identity.service_layer.notifications import Links
from kakehashi.shared.events import EventEnvelope
from services.identity.tests.samples import TANAKA, TAY_NINH, Headers, Mailbox, runtime_of

CANDIDATE = "0b7e4c52-6a0e-4d4b-9a55-2f3c1e9d8a10"
ORDER = "7d1f6b0a-3c2e-4f8a-8b61-5e4d2c1b0a99"
FULL_NAME, NAME_VI, NAME_KATAKANA = "Nguyen Van An", "Nguyễn Văn An", "グエン・ヴァン・アン"
TITLE = "溶接工 / Welder"


def candidate_registered(version: int = 1, **extra: Any) -> EventEnvelope:
    data = {
        "candidate_id": CANDIDATE,
        "version": version,
        "training_centre_id": TAY_NINH["id"],
        "full_name": FULL_NAME,
        "name_vi": NAME_VI,
        "name_katakana": NAME_KATAKANA,
        "date_of_birth": "2000-05-01",
        "province": "Tây Ninh",
    } | extra
    return EventEnvelope.new(
        type="candidate.registered", source="kakehashi.candidates", subject=CANDIDATE, data=data
    )


def candidate_erased(version: int) -> EventEnvelope:
    data = {"candidate_id": CANDIDATE, "version": version}
    return EventEnvelope.new(
        type="candidate.erased", source="kakehashi.candidates", subject=CANDIDATE, data=data
    )


def job_order_opened(version: int = 1) -> EventEnvelope:
    data = {
        "job_order_id": ORDER,
        "version": version,
        "employer_id": TANAKA["id"],
        "title": TITLE,
        "sector": "construction",
        "status": "open",
    }
    return EventEnvelope.new(
        type="job_order.opened", source="kakehashi.employers", subject=ORDER, data=data
    )


def decision(status: str, version: int, **extra: Any) -> EventEnvelope:
    """A `match.status_changed` as matching sends it."""
    match_id = f"{ORDER}:{CANDIDATE}"
    data = {
        "match_id": match_id,
        "job_order_id": ORDER,
        "candidate_id": CANDIDATE,
        "status": status,
        "previous_status": None,
        "action": {"proposed": "propose", "selected": "select", "rejected": "reject"}.get(status),
        "decided_by_role": "program_manager",
        "version": version,
        "reason_code": None,
    } | extra
    return EventEnvelope.new(
        type="match.status_changed", source="kakehashi.matching", subject=match_id, data=data
    )


def add_user(
    client: TestClient,
    admin: Headers,
    email: str,
    organisation: dict[str, Any],
    role: str,
    language: str,
) -> str:
    """Register `organisation` if needed and invite `email` into it; the user's id (an invited
    user is a recipient before choosing a password: the address is theirs)."""
    client.post("/organisations", json=organisation, headers=admin)
    response = client.post(
        "/invitations",
        json={
            "email": email,
            "display_name": email.split("@")[0],
            "preferred_language": language,
            "organisation_id": organisation["id"],
            "role": role,
        },
        headers=admin,
    )
    assert response.status_code == 201, response.text
    user_id: str = response.json()["id"]
    return user_id


def settings_of(client: TestClient) -> IdentitySettings:
    settings = runtime_of(client).settings
    assert isinstance(settings, IdentitySettings)
    return settings


def mailer_and_links(client: TestClient) -> tuple[SmtpMailer, Links]:
    settings = settings_of(client)
    return SmtpMailer(settings), Links.of(settings.web_urls)


def mails_to(mailbox: Mailbox, to: str) -> list[EmailMessage]:
    return [m for m in mailbox.messages if m["To"] == to]


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    content: str = body.get_content()
    return content
