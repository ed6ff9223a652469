"""Identity's `/admin/dead-letters`: the shared page, on identity's consumer group, against a
real broker. Identity verifies the browser session itself (its key ring and users, read from its
database), so the page never fetches identity's own JWKS over HTTP; admins only, CSRF checked."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from conftest import Broker, token_for
from kakehashi.identity.adapters.tables import NotifiedCandidate
from kakehashi.identity.bootstrap import SPEC
from kakehashi.shared.events import CANDIDATE_EVENTS, EventEnvelope, dead_letter_topic
from kakehashi.shared.kafka import ensure_topics, make_producer
from kakehashi.shared.ui.browser_session import CSRF_COOKIE, SESSION_COOKIE
from services.identity.tests.samples import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    PASSWORD,
    TAY_NINH,
    Mailbox,
    create_admin,
    invite,
    sign_in,
)
from services.identity.tests.test_pages import post_sign_in

pytestmark = pytest.mark.integration

PAGE = "/admin/dead-letters"
EN = {"Accept-Language": "en"}
ORIGIN = {"Origin": "http://127.0.0.1:8004"}  # identity's own origin (web_identity_url)


def _snapshot() -> EventEnvelope:
    data = {
        "candidate_id": "cand-an",
        "version": 1,
        "training_centre_id": TAY_NINH["id"],
        "full_name": "Nguyen Van An",
        "name_vi": "Nguyễn Văn An",
    }
    return EventEnvelope.new(
        type="candidate.registered", source="kakehashi.candidates", subject="cand-an", data=data
    )


def _dead_letter(broker: Broker, value: bytes, error: str) -> None:
    """A record as identity's consumer writes it to `identity.dlq` after its retries."""
    headers = [
        ("dlq_error", error.encode()),
        ("dlq_error_type", b"OperationalError"),
        ("dlq_traceback", b'Traceback (most recent call last):\n  File "handlers.py"\n'),
        ("dlq_original_topic", CANDIDATE_EVENTS.encode()),
        ("dlq_original_partition", b"2"),
        ("dlq_original_offset", b"11"),
        ("dlq_consumer_group", SPEC.name.encode()),
        ("dlq_failed_at", b"2026-11-30T08:00:00+00:00"),
    ]
    producer = make_producer(broker.servers)
    try:
        producer.send(dead_letter_topic(SPEC.name), value=value, headers=headers).get(timeout=10)
    finally:
        producer.close(timeout=10)


@pytest.fixture
def client(make_client: Callable[..., TestClient], broker: Broker) -> TestClient:
    ensure_topics(broker.servers, [dead_letter_topic(SPEC.name)])
    return make_client(kafka_bootstrap_servers=broker.bootstrap)


def _header_organisation(html: str) -> str:
    return html.split('class="organisation"', 1)[1].split(">", 1)[1].split("<", 1)[0]


def _refs(client: TestClient) -> list[str]:
    html = client.get(PAGE, headers=EN).text
    return [part.split('"')[0] for part in html.split('data-ref="')[1:]]


def test_an_identity_admin_lists_inspects_and_replays_identitys_dead_letters(
    client: TestClient, broker: Broker
) -> None:
    event = _snapshot()
    _dead_letter(broker, event.to_bytes(), "database is locked")
    create_admin(client)
    assert post_sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 303

    page = client.get(PAGE, headers=EN)
    # The service by the name people know it, not its consumer group's code name.
    assert "<h1>Dead letters · Sign-in and accounts (identity service)</h1>" in page.text
    assert page.status_code == 200, page.text
    assert "candidate.registered" in page.text
    assert "database is locked" in page.text
    assert f"{CANDIDATE_EVENTS} / 2 @ 11" in page.text
    assert 'href="/admin/static/kakehashi.css"' in page.text  # the kit's look
    # The header names the administrator's organisation as /admin does, not by its id.
    organisation = _header_organisation(page.text)
    assert organisation == _header_organisation(client.get("/admin", headers=EN).text)
    assert 'data-organisation="' + organisation + '"' not in page.text
    [ref] = _refs(client)
    partition, offset = ref.split(":")
    shown = client.get(f"{PAGE}/{partition}/{offset}", headers=EN)
    assert (shown.status_code, "Traceback" in shown.text) == (200, True)

    form = {"csrf_token": client.cookies[CSRF_COOKIE], "ref": ref}
    replayed = client.post(f"{PAGE}/replay", data=form, headers=ORIGIN, follow_redirects=False)
    assert replayed.status_code == 303
    assert _refs(client) == []
    engine = client.app.state.runtime.engine  # type: ignore[attr-defined]
    with Session(engine) as session:
        candidate = session.get(NotifiedCandidate, "cand-an")
        assert candidate is not None
        assert candidate.full_name == "Nguyen Van An"


def test_only_identitys_own_admin_sessions_open_the_page(
    client: TestClient, mailbox: Mailbox
) -> None:
    anonymous = client.get(PAGE, follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("http://127.0.0.1:8004/session/refresh?next=")
    # A token identity's key ring never signed (the shared development key) is no session here.
    client.cookies.set(SESSION_COOKIE, token_for("admin", "kakehashi-operator"))
    assert client.get(PAGE, follow_redirects=False).status_code == 303
    client.cookies.clear()

    create_admin(client)
    admin = sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    invite(client, admin, mailbox, "lan@kakehashi.example", TAY_NINH, "training_centre")
    assert post_sign_in(client, "lan@kakehashi.example", PASSWORD).status_code == 303
    refused = client.get(PAGE, headers=EN)
    assert refused.status_code == 403
    # Lan chose Vietnamese: her pages are in it, whatever her browser says.
    assert "Chỉ quản trị viên mới xem được thư lỗi." in refused.text
