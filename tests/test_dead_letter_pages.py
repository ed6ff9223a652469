"""The dead-letter admin page every consuming service mounts (kakehashi.shared.ui.dead_letter_pages),
through TestClient against a real broker: list, inspect, replay (applied once through the
service's applier), discard (audited), administrators only, CSRF on every form."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from conftest import Broker, token_for
from kakehashi.candidates.bootstrap import SPEC as CANDIDATES
from kakehashi.employers.bootstrap import SPEC as EMPLOYERS
from kakehashi.matching.bootstrap import SPEC as MATCHING
from kakehashi.shared.applier import InboxEntry
from kakehashi.shared.dead_letters import HandledDeadLetter
from kakehashi.shared.events import IDENTITY_EVENTS, EventEnvelope, dead_letter_topic
from kakehashi.shared.kafka import ensure_topics, make_producer
from kakehashi.shared.organisations import DirectoryEntry
from kakehashi.shared.runtime import ServiceSpec
from kakehashi.shared.ui.browser_session import CSRF_COOKIE, SESSION_COOKIE

pytestmark = pytest.mark.integration

ORIGIN = {"Origin": "http://127.0.0.1:8001"}
CSRF = "c" * 43
EN = {"Accept-Language": "en"}
PAGE = "/admin/dead-letters"


def _organisation(organisation_id: str) -> EventEnvelope:
    data = {
        "organisation_id": organisation_id,
        "version": 1,
        "kind": "training_centre",
        "name_latin": "Trung tam Hoa Binh",
    }
    return EventEnvelope.new(
        type="organisation.registered", source="identity", subject=organisation_id, data=data
    )


def _dead_letter(
    broker: Broker, group: str, value: bytes, error: str, failed_at: str = "08:00:00"
) -> None:
    """A record as the consumer writes it to `<group>.dlq` after its retries."""
    headers = [
        ("dlq_error", error.encode()),
        ("dlq_error_type", b"ValueError"),
        ("dlq_traceback", b'Traceback (most recent call last):\n  File "handlers.py"\n'),
        ("dlq_original_topic", IDENTITY_EVENTS.encode()),
        ("dlq_original_partition", b"1"),
        ("dlq_original_offset", b"7"),
        ("dlq_consumer_group", group.encode()),
        ("dlq_failed_at", f"2026-11-30T{failed_at}+00:00".encode()),
    ]
    producer = make_producer(broker.servers)
    try:
        producer.send(dead_letter_topic(group), value=value, headers=headers).get(timeout=10)
    finally:
        producer.close(timeout=10)


def _sign_in(client: TestClient, role: str = "admin") -> None:
    client.cookies.set(SESSION_COOKIE, token_for(role, "org-kakehashi"))
    client.cookies.set(CSRF_COOKIE, CSRF)


def _post(client: TestClient, path: str, **data: str) -> httpx.Response:
    response: httpx.Response = client.post(
        PAGE + path, data={"csrf_token": CSRF, **data}, headers=ORIGIN | EN, follow_redirects=False
    )
    return response


@pytest.fixture
def client(service_client: Callable[..., TestClient], broker: Broker) -> TestClient:
    ensure_topics(broker.servers, [dead_letter_topic(CANDIDATES.name)])
    return service_client(CANDIDATES, kafka_bootstrap_servers=broker.bootstrap)


def _ref(client: TestClient) -> list[str]:
    html = client.get(PAGE, headers=EN).text
    return [part.split('"')[0] for part in html.split('data-ref="')[1:]]


def test_an_admin_lists_inspects_replays_and_discards(client: TestClient, broker: Broker) -> None:
    event = _organisation("org-hoa-binh")
    _dead_letter(broker, CANDIDATES.name, event.to_bytes(), "the directory was locked")
    _dead_letter(broker, CANDIDATES.name, b"\x00 not json", "unreadable message", "08:00:01")
    _sign_in(client)

    page = client.get(PAGE, headers=EN)
    assert page.status_code == 200
    assert "organisation.registered" in page.text
    assert "the directory was locked" in page.text
    assert "identity-events / 1 @ 7" in page.text
    refs = _ref(client)
    assert len(refs) == 2
    good, junk = refs  # oldest failure first
    partition, offset = good.split(":")
    shown = client.get(f"{PAGE}/{partition}/{offset}", headers=EN)
    assert shown.status_code == 200
    assert "org-hoa-binh" in shown.text
    assert "Traceback" in shown.text
    assert client.get(f"{PAGE}/9/999", headers=EN).status_code == 404

    replayed = _post(client, "/replay", ref=good)
    assert replayed.status_code == 303
    assert _ref(client) == [junk]
    engine = client.app.state.runtime.engine  # type: ignore[attr-defined]
    with Session(engine) as session:
        assert session.get(DirectoryEntry, "org-hoa-binh") is not None
        inbox = session.exec(select(InboxEntry).where(InboxEntry.event_id == str(event.id)))
        assert len(list(inbox)) == 1

    no_reason = _post(client, "/discard", ref=junk, reason=" ")
    assert no_reason.status_code == 422
    assert "reason" in no_reason.text
    discarded = _post(client, "/discard", ref=junk, reason="a test producer's garbage")
    assert discarded.status_code == 303
    after = client.get(PAGE, headers=EN)
    assert "No dead letters are waiting." in after.text
    assert "a test producer&#39;s garbage" in after.text  # the audit, on the page
    with Session(engine) as session:
        rows = {r.action: r for r in session.exec(select(HandledDeadLetter))}
    assert set(rows) == {"replayed", "discarded"}
    assert rows["discarded"].handled_by == "user@org-kakehashi"


def test_replay_all_and_the_page_in_vietnamese(client: TestClient, broker: Broker) -> None:
    for n in range(2):
        _dead_letter(broker, CANDIDATES.name, _organisation(f"org-{n}").to_bytes(), "locked")
    _sign_in(client)
    assert "Thư lỗi" in client.get(PAGE, headers={"Accept-Language": "vi"}).text
    assert "デッドレター" in client.get(PAGE, headers={"Accept-Language": "ja"}).text
    assert _post(client, "/replay", all="1").status_code == 303
    assert _ref(client) == []


def test_only_administrators_and_only_with_the_csrf_token(
    client: TestClient, broker: Broker
) -> None:
    _dead_letter(broker, CANDIDATES.name, _organisation("org-x").to_bytes(), "locked")
    anonymous = client.get(PAGE, follow_redirects=False)
    assert anonymous.status_code == 303
    assert "/session/refresh" in anonymous.headers["location"]

    _sign_in(client, "training_centre")
    assert client.get(PAGE, headers=EN).status_code == 403
    [ref] = ["0:0"]
    assert _post(client, "/replay", ref=ref).status_code == 403

    _sign_in(client)
    [ref] = _ref(client)
    wrong_token = client.post(
        PAGE + "/replay", data={"csrf_token": "x" * 43, "ref": ref}, headers=ORIGIN
    )
    assert wrong_token.status_code == 403
    elsewhere = client.post(
        PAGE + "/discard",
        data={"csrf_token": CSRF, "ref": ref, "reason": "r"},
        headers={"Origin": "https://evil.example"},
    )
    assert elsewhere.status_code == 403
    assert _ref(client) == [ref]  # nothing was done


@pytest.mark.parametrize("spec", [EMPLOYERS, MATCHING], ids=lambda spec: spec.name)
def test_every_consuming_service_mounts_the_page(
    service_client: Callable[..., TestClient], spec: ServiceSpec
) -> None:
    client = service_client(spec)
    assert client.get(PAGE, follow_redirects=False).status_code == 303
    client.cookies.set(SESSION_COOKIE, token_for("program_manager", "org-kakehashi"))
    assert client.get(PAGE, headers=EN).status_code == 403


def test_a_broker_that_does_not_answer_is_said_on_the_page(
    service_client: Callable[..., TestClient],
) -> None:
    client = service_client(CANDIDATES)  # its broker, 127.0.0.1:9, refuses connections
    _sign_in(client)
    page = client.get(PAGE, headers=EN)
    assert page.status_code == 503
    assert "The broker does not answer; try again shortly." in page.text


def test_the_header_names_the_admin_s_organisation_from_the_service_s_directory(
    client: TestClient, broker: Broker
) -> None:
    # As /admin does ("Kakehashi operator"), not by its id ("org-kakehashi").
    _sign_in(client)
    before = client.get(PAGE, headers=EN).text
    assert '<span class="organisation" data-organisation="org-kakehashi">org-kakehashi<' in before
    _dead_letter(broker, CANDIDATES.name, _organisation("org-kakehashi").to_bytes(), "locked")
    [ref] = _ref(client)
    assert _post(client, "/replay", ref=ref).status_code == 303  # the directory learns its name
    after = client.get(PAGE, headers=EN).text
    assert 'data-organisation="org-kakehashi">Trung tam Hoa Binh<' in after
