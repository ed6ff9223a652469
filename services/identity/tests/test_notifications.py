"""Notification mails from consumed events, through identity's own applier (its consumer without
Kafka), on a real database, to the in-process SMTP catcher: who gets what, in which language,
each or as a digest, never twice; a decision before the candidate's snapshot waits for it; an
erased candidate is named in no mail; the account page keeps the user's choice."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from conftest import event_applier
from kakehashi.identity.bootstrap import SPEC
from kakehashi.identity.domain.commands import ChooseDelivery
from kakehashi.identity.domain.notifications import Delivery
from kakehashi.identity.service_layer import notifications
from kakehashi.shared.clock import utcnow
from kakehashi.shared.events import EventEnvelope
from kakehashi.shared.ui.browser_session import CSRF_COOKIE
from services.identity.tests.notification_samples import (
    CANDIDATE,
    FULL_NAME,
    NAME_KATAKANA,
    NAME_VI,
    ORDER,
    TITLE,
    add_user,
    candidate_erased,
    candidate_registered,
    decision,
    job_order_opened,
    mailer_and_links,
    mails_to,
    text_of,
)
from services.identity.tests.samples import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    PASSWORD,
    TANAKA,
    TAY_NINH,
    Headers,
    Mailbox,
    runtime_of,
    sign_in,
)
from services.identity.tests.test_pages import ORIGIN, post_sign_in

pytestmark = pytest.mark.integration

LAN = "lan@tayninh.example.vn"  # centre staff, Vietnamese, default: daily
MAI = "mai@tayninh.example.vn"  # centre staff, English, chooses each
HOA = "hoa@tayninh.example.vn"  # centre staff, Vietnamese, chooses off
SATO = "sato@tanaka.example.jp"  # employer, Japanese, default: each


def _send_each(client: TestClient) -> int:
    mailer, links = mailer_and_links(client)
    return notifications.send_each(runtime_of(client).uow, mailer, links)


def _send_digests(client: TestClient, *, days_later: int = 1) -> int:
    mailer, links = mailer_and_links(client)
    return notifications.send_digests(
        runtime_of(client).uow,
        mailer,
        links,
        hour_utc=1,
        now=utcnow() + timedelta(days=days_later),
    )


def _users(client: TestClient, admin: Headers, mailbox: Mailbox) -> dict[str, str]:
    ids = {
        LAN: add_user(client, admin, LAN, TAY_NINH, "training_centre", "vi"),
        MAI: add_user(client, admin, MAI, TAY_NINH, "training_centre", "en"),
        HOA: add_user(client, admin, HOA, TAY_NINH, "training_centre", "vi"),
        SATO: add_user(client, admin, SATO, TANAKA, "employer", "ja"),
    }
    uow = runtime_of(client).uow
    notifications.choose_delivery(uow(), ChooseDelivery(ids[MAI], Delivery.EACH))
    notifications.choose_delivery(uow(), ChooseDelivery(ids[HOA], Delivery.OFF))
    mailbox.messages.clear()  # the invitations
    return ids


def _counted() -> tuple[float, float, float]:
    """The mails counted so far (each, digest) and the notices dropped, as /metrics shows them."""
    each, digest, dropped = (
        REGISTRY.get_sample_value(name, labels) or 0.0
        for name, labels in (
            ("kakehashi_identity_notification_mails_total", {"kind": "each"}),
            ("kakehashi_identity_notification_mails_total", {"kind": "digest"}),
            ("kakehashi_identity_notices_dropped_total", {}),
        )
    )
    return each, digest, dropped


def test_each_user_gets_the_decisions_as_chosen_in_their_language_and_never_twice(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    _users(client, admin, mailbox)
    counted = _counted()
    applier = event_applier(client, SPEC)
    applier.apply(candidate_registered())
    applier.apply(job_order_opened())
    proposed = decision("proposed", 1)
    rejected = decision("rejected", 2, previous_status="proposed", reason_code="interview_failed")
    assert applier.apply(proposed)
    assert not applier.apply(proposed)  # delivered twice, applied once
    assert applier.apply(rejected)
    applier.apply(decision("shortlisted", 3))  # the program office's own step: tells nobody

    assert _send_each(client) == 3
    assert _send_each(client) == 0  # nothing is mailed twice
    # The employer (each, by default) hears of the proposal, in Japanese, katakana and Latin.
    (to_sato,) = mails_to(mailbox, SATO)
    assert to_sato["Date"]
    assert to_sato["Message-ID"].endswith("@kakehashi.local>")
    assert f"{NAME_KATAKANA} ({FULL_NAME})" in text_of(to_sato)
    assert f"求人「{TITLE}」" in text_of(to_sato)
    assert f"/portal/orders/{ORDER}" in text_of(to_sato)
    # Mai chose a mail per event: the proposal and the rejection with its reason, in English.
    to_mai = mails_to(mailbox, MAI)
    assert [m["Subject"] for m in to_mai] == [
        f"Kakehashi: {FULL_NAME} was proposed for the order “{TITLE}” of Tanaka Kogyo.",
        f"Kakehashi: {FULL_NAME} was not chosen for “{TITLE}” of Tanaka Kogyo."
        " Reason: interview failed.",
    ]
    assert f"/portal/candidates/{CANDIDATE}" in text_of(to_mai[0])
    assert "2000-05-01" not in text_of(to_mai[0])  # no date of birth, whatever the event held
    assert mails_to(mailbox, LAN) == []  # daily: waits for the digest

    # Lan's digest, the next day after the hour: both items, in Vietnamese, once.
    assert _send_digests(client, days_later=0) == 0  # not before the next digest hour
    assert _send_digests(client) == 1
    assert _send_digests(client) == 0
    (digest,) = mails_to(mailbox, LAN)
    assert digest["Subject"] == "Kakehashi: 2 cập nhật về ứng viên"
    body = text_of(digest)
    assert f"{NAME_VI} đã được giới thiệu cho đơn tuyển “{TITLE}” của Tanaka Kogyo." in body
    assert "Lý do: không đạt phỏng vấn." in body
    assert mails_to(mailbox, HOA) == []  # off
    assert len(mailbox.messages) == 4
    # Counted: three single mails, one digest; nothing dropped (Hoa's "off" queues nothing).
    assert [now - then for now, then in zip(_counted(), counted, strict=True)] == [3, 1, 0]


def test_a_decision_before_the_candidate_is_known_waits_for_the_snapshot(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    _users(client, admin, mailbox)
    applier = event_applier(client, SPEC)
    applier.apply(decision("selected", 4))  # its topic ran ahead of the candidate's
    assert _send_each(client) == 0
    applier.apply(job_order_opened())
    applier.apply(candidate_registered())
    assert _send_each(client) == 1
    (to_mai,) = mails_to(mailbox, MAI)
    assert (
        to_mai["Subject"] == f"Kakehashi: {FULL_NAME} was selected for “{TITLE}” of Tanaka Kogyo."
    )
    assert mails_to(mailbox, SATO) == []  # a selection is the centre's news


def test_an_erased_candidate_is_named_in_no_mail_still_pending(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    _users(client, admin, mailbox)
    applier = event_applier(client, SPEC)
    applier.apply(candidate_registered())
    applier.apply(job_order_opened())
    applier.apply(decision("proposed", 1))
    applier.apply(candidate_erased(version=2))
    applier.apply(candidate_registered(version=1))  # late: cannot bring the name back
    assert _send_each(client) == 0
    assert _send_digests(client) == 0
    assert mailbox.messages == []


def test_a_deactivated_user_gets_nothing_more(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    ids = _users(client, admin, mailbox)
    applier = event_applier(client, SPEC)
    applier.apply(candidate_registered())
    applier.apply(job_order_opened())
    applier.apply(decision("proposed", 1))
    deactivated = client.post(f"/users/{ids[SATO]}/deactivate", headers=admin)
    assert deactivated.status_code in (200, 204), deactivated.text
    counted = _counted()
    assert _send_each(client) == 1  # Mai's only
    assert mails_to(mailbox, SATO) == []
    # Sato's notice is dropped, and counted as such.
    assert [now - then for now, then in zip(_counted(), counted, strict=True)] == [1, 0, 1]


def test_the_account_page_keeps_the_users_choice(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    add_user(client, admin, LAN, TAY_NINH, "training_centre", "vi")
    token = mailbox.link_token(LAN, "/invitation")
    accepted = client.post("/invitations/accept", json={"token": token, "password": PASSWORD})
    assert accepted.status_code == 204, accepted.text
    sign_in(client, LAN, PASSWORD)
    assert post_sign_in(client, LAN, PASSWORD).status_code == 303

    page = client.get("/account/notifications")
    assert page.status_code == 200
    assert 'data-chosen="daily"' in page.text  # a centre's default
    assert "Thư thông báo" in page.text  # Vietnamese, the user's language
    csrf = client.cookies[CSRF_COOKIE]

    refused = client.post(
        "/account/notifications", data={"delivery": "each", "csrf_token": "x" * 43}, headers=ORIGIN
    )
    assert refused.status_code == 403
    unknown = client.post(
        "/account/notifications", data={"delivery": "hourly", "csrf_token": csrf}, headers=ORIGIN
    )
    assert unknown.status_code == 422
    saved = client.post(
        "/account/notifications",
        data={"delivery": "off", "csrf_token": csrf},
        headers=ORIGIN,
        follow_redirects=True,
    )
    assert saved.status_code == 200
    assert 'data-chosen="off"' in saved.text


def test_the_admin_page_shows_how_each_user_gets_mails(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    ids = _users(client, admin, mailbox)
    assert post_sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 303
    page = client.get("/admin", headers={"Accept-Language": "en"}).text
    shown = {
        email: page.split(f'data-user="{email}"')[1].split('data-delivery="')[1].split('"')[0]
        for email in ids
    }
    assert shown == {LAN: "daily", MAI: "each", HOA: "off", SATO: "each"}
    assert "notification mails: daily digest" in page


def test_a_mail_the_server_refused_is_sent_in_a_later_round(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    _users(client, admin, mailbox)
    applier = event_applier(client, SPEC)
    applier.apply(candidate_registered())
    applier.apply(job_order_opened())
    applier.apply(decision("selected", 1))
    mailbox.refuse = True
    with pytest.raises(smtplib.SMTPDataError):
        _send_each(client)
    assert mailbox.messages == []
    mailbox.refuse = False
    assert _send_each(client) == 1  # nothing was marked sent by the failed round
    assert _send_each(client) == 0
    assert [m["To"] for m in mailbox.messages] == [MAI]


def _undo(version: int, status: str = "shortlisted") -> EventEnvelope:
    """The program manager's Undo of a proposal (or the candidate's withdrawal)."""
    action = "undo" if status != "withdrawn" else "withdraw"
    return decision(status, version, previous_status="proposed", action=action)


def test_an_undone_proposal_is_corrected_to_whoever_was_mailed_it(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    _users(client, admin, mailbox)
    applier = event_applier(client, SPEC)
    applier.apply(candidate_registered())
    applier.apply(job_order_opened())
    applier.apply(decision("proposed", 1))
    assert _send_each(client) == 2  # Sato (employer) and Mai: told at once
    undo = _undo(2)
    assert applier.apply(undo)
    assert not applier.apply(undo)  # delivered twice, corrects once
    assert _send_each(client) == 2
    assert _send_each(client) == 0
    sato = mails_to(mailbox, SATO)
    assert [m["Subject"] for m in sato] == [
        f"Kakehashi: 求人「{TITLE}」に候補者 {NAME_KATAKANA} ({FULL_NAME}) さんが推薦されました。",
        f"Kakehashi: {NAME_KATAKANA} ({FULL_NAME}) さんの求人「{TITLE}」への推薦は取り消されました。",
    ]
    mai = mails_to(mailbox, MAI)
    assert mai[-1]["Subject"] == (
        f"Kakehashi: The proposal of {FULL_NAME} for “{TITLE}” of Tanaka Kogyo was withdrawn."
    )
    # Lan (daily) heard of neither before her digest: both drop, nothing is mailed to her.
    assert _send_digests(client) == 0
    assert mails_to(mailbox, LAN) == []
    assert mails_to(mailbox, HOA) == []


def test_a_withdrawal_before_the_mails_went_out_tells_nobody_and_a_new_proposal_is_told(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    _users(client, admin, mailbox)
    applier = event_applier(client, SPEC)
    applier.apply(candidate_registered())
    applier.apply(job_order_opened())
    applier.apply(decision("proposed", 1))
    applier.apply(_undo(2, "withdrawn"))
    assert _send_each(client) == 0
    assert _send_digests(client) == 0
    assert mailbox.messages == []
    # Proposed again: told again; a rejection's let-go pair is not "withdrawn" a second time.
    applier.apply(decision("proposed", 3))
    applier.apply(decision("rejected", 4, previous_status="proposed", reason_code="skills"))
    applier.apply(decision("undecided", 5, previous_status="rejected", action="undo"))
    assert _send_each(client) == 3  # Sato's proposal, Mai's proposal and rejection
    assert not any("withdrawn" in m["Subject"] for m in mailbox.messages)


def test_a_decision_undone_before_the_candidate_is_known_is_never_told(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    _users(client, admin, mailbox)
    applier = event_applier(client, SPEC)
    applier.apply(decision("proposed", 1))
    applier.apply(_undo(2, "undecided"))
    applier.apply(job_order_opened())
    applier.apply(candidate_registered())
    assert _send_each(client) == 0
    assert _send_digests(client) == 0
    assert mailbox.messages == []


def _account_page(
    client: TestClient, admin: Headers, mailbox: Mailbox, who: tuple[str, str]
) -> str:
    email, role = who
    organisation = TANAKA if role == "employer" else TAY_NINH
    add_user(client, admin, email, organisation, role, "ja")
    token = mailbox.link_token(email, "/invitation")
    accepted = client.post("/invitations/accept", json={"token": token, "password": PASSWORD})
    assert accepted.status_code == 204, accepted.text
    assert post_sign_in(client, email, PASSWORD).status_code == 303
    page = client.get("/account/notifications")
    assert page.status_code == 200
    text: str = page.text
    return text


def test_the_account_page_promises_an_employer_only_the_mails_it_is_sent(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    # An employer is mailed a candidate proposed for its order and the proposal withdrawn, no
    # more; and the employer portal has no notifications page to read them on instead.
    employer = _account_page(client, admin, mailbox, (SATO, "employer"))
    about = employer.split('id="mailed-about">', 1)[1].split("</p>", 1)[0]
    assert "推薦" in about
    assert "取り下げ" in about
    assert "面接" not in about
    assert "不採用" not in about
    assert "ポータルのお知らせページ" not in employer
    assert "各求人のページ" in employer


def test_the_account_page_tells_a_centre_each_step_of_its_candidates(
    client: TestClient, admin: Headers, mailbox: Mailbox
) -> None:
    centre = _account_page(client, admin, mailbox, (LAN, "training_centre"))
    about = centre.split('id="mailed-about">', 1)[1].split("</p>", 1)[0]
    for step in ("推薦", "面接", "採用内定", "不採用(理由つき)", "訂正"):
        assert step in about
    assert "ポータルのお知らせページ" in centre
