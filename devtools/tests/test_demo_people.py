"""The demo's organisations and people: every organisation the market uses is registered with
names in three scripts, and the printed password passes identity's own rules; the mail catcher
keeps each message readable and gives the seed its links."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from pathlib import Path

from conftest import free_port
from kakehashi.devtools.demo_organisations import ADMIN_EMAIL, DEMO_PASSWORD, ORGANISATIONS
from kakehashi.devtools.demo_vocabulary import EMPLOYERS, TRAINING_CENTRES
from kakehashi.devtools.mail_catcher import FolderHandler, caught, latest_link
from kakehashi.identity.domain.passwords import check_password
from kakehashi.identity.entrypoints.schemas import InvitationCreate, OrganisationCreate


def test_every_market_organisation_is_registered_with_three_names_and_a_valid_user() -> None:
    ids = {organisation.id for organisation in ORGANISATIONS}
    assert ids == {*TRAINING_CENTRES, *EMPLOYERS, "pm-office"}
    for organisation in ORGANISATIONS:
        body = OrganisationCreate.model_validate(organisation.body())  # identity's own schema
        assert all((body.name_vi, body.name_ja, body.name_latin))
        InvitationCreate.model_validate(
            {
                "email": organisation.email,
                "display_name": organisation.person,
                "organisation_id": organisation.id,
                "role": organisation.role.value,
            }
        )
        check_password(DEMO_PASSWORD, organisation.email)
    check_password(DEMO_PASSWORD, ADMIN_EMAIL)


def test_the_catcher_keeps_each_mail_and_finds_its_link(tmp_path: Path) -> None:
    from aiosmtpd.controller import Controller

    controller = Controller(FolderHandler(tmp_path), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        for token in ("first-token", "second-token"):
            message = EmailMessage()
            message["From"] = "no-reply@kakehashi.example"
            message["To"] = "tc-ha-noi-01@kakehashi.example"
            message["Subject"] = "Lời mời tham gia Kakehashi"
            message.set_content(f"Xin chào,\nhttp://127.0.0.1:8004/invitation?token={token}\n")
            with smtplib.SMTP("127.0.0.1", controller.port) as smtp:
                smtp.send_message(message)
    finally:
        controller.stop()
    mails = caught(tmp_path)
    assert [m.subject for m in mails] == ["Lời mời tham gia Kakehashi"] * 2
    readable = sorted(tmp_path.glob("*.txt"))[0].read_text(encoding="utf-8")
    assert "Xin chào" in readable  # decoded, not base64
    assert "To: tc-ha-noi-01@kakehashi.example" in readable
    link = latest_link(tmp_path, "TC-HA-NOI-01@kakehashi.example", "/invitation")
    assert link == "http://127.0.0.1:8004/invitation?token=second-token"
    assert latest_link(tmp_path, "someone@kakehashi.example", "/invitation") is None
