"""Notification mails end to end inside identity's consumer process: events on a real broker,
read by the consumer `kakehashi-identity consume` builds from SPEC, applied to a real SQLite
database, and mailed by the process's sender to the SMTP catcher: a mail per event for an `each`
user, one digest with both items for a `daily` user, nothing for `off`, and an event delivered
twice mailed once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from kafka import KafkaProducer

from conftest import Broker, wait_until
from kakehashi.identity.bootstrap import SPEC
from kakehashi.identity.domain.commands import ChooseDelivery
from kakehashi.identity.domain.notifications import Delivery
from kakehashi.identity.entrypoints.notification_sender import NotificationSender
from kakehashi.identity.service_layer import notifications
from kakehashi.shared.consumer import EventConsumer
from kakehashi.shared.events import CANDIDATE_EVENTS, JOB_ORDER_EVENTS, MATCH_EVENTS, EventEnvelope
from kakehashi.shared.kafka import make_producer
from services.identity.tests.conftest import Clock
from services.identity.tests.notification_samples import (
    FULL_NAME,
    NAME_VI,
    TITLE,
    add_user,
    candidate_registered,
    decision,
    job_order_opened,
    mails_to,
    settings_of,
    text_of,
)
from services.identity.tests.samples import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    KEY_ENCRYPTION_SECRET,
    TAY_NINH,
    Headers,
    Mailbox,
    create_admin,
    runtime_of,
    sign_in,
)

pytestmark = pytest.mark.integration

EACH, DAILY, OFF = "mai@tayninh.example.vn", "lan@tayninh.example.vn", "hoa@tayninh.example.vn"


@pytest.fixture
def client_on_broker(broker: Broker, make_client: object) -> TestClient:
    build = make_client
    assert callable(build)
    client: TestClient = build(kafka_bootstrap_servers=broker.bootstrap, notify_digest_hour_utc=1)
    return client


@pytest.fixture
def admin_on_broker(client_on_broker: TestClient) -> Headers:
    create_admin(client_on_broker)
    return sign_in(client_on_broker, ADMIN_EMAIL, ADMIN_PASSWORD)


@pytest.fixture
def consumer(client_on_broker: TestClient) -> Iterator[EventConsumer]:
    running = SPEC.consumer(runtime_of(client_on_broker))
    running.assign()
    yield running
    running.consumer.close()
    running.dead_letters.close(timeout=10)


def _publish(producer: KafkaProducer, topic: str, event: EventEnvelope) -> None:
    producer.send(topic, key=event.subject.encode(), value=event.to_bytes()).get(timeout=10)


def test_decisions_on_the_broker_are_mailed_each_daily_or_not_and_once(
    broker: Broker,
    client_on_broker: TestClient,
    admin_on_broker: Headers,
    consumer: EventConsumer,
    mailbox: Mailbox,
    clock: Clock,
) -> None:
    client, admin = client_on_broker, admin_on_broker
    ids = {
        email: add_user(client, admin, email, TAY_NINH, "training_centre", language)
        for email, language in ((EACH, "en"), (DAILY, "vi"), (OFF, "vi"))
    }
    uow = runtime_of(client).uow
    notifications.choose_delivery(uow(), ChooseDelivery(ids[EACH], Delivery.EACH))
    notifications.choose_delivery(uow(), ChooseDelivery(ids[OFF], Delivery.OFF))
    mailbox.messages.clear()

    proposed = decision("proposed", 1)
    selected = decision("selected", 2, previous_status="proposed")
    producer = make_producer(broker.servers)
    try:
        _publish(producer, CANDIDATE_EVENTS, candidate_registered())
        _publish(producer, JOB_ORDER_EVENTS, job_order_opened())
        for event in (proposed, proposed, selected):  # the proposal delivered twice
            _publish(producer, MATCH_EVENTS, event)
    finally:
        producer.close(timeout=10)
    handled = 0

    def poll() -> None:
        nonlocal handled
        handled += consumer.poll_once()

    wait_until(lambda: handled >= 5, step=poll)
    sender = NotificationSender.build(settings_of(client), uow)
    assert sender.send_round() == (2, 0)  # Mai's two; Lan's digest waits for its hour
    assert sender.send_round() == (0, 0)
    assert [m["Subject"] for m in mails_to(mailbox, EACH)] == [
        f"Kakehashi: {FULL_NAME} was proposed for the order “{TITLE}”.",
        f"Kakehashi: {FULL_NAME} was selected for “{TITLE}”.",
    ]

    clock.advance(days=1)  # past the next digest hour
    assert sender.send_round() == (0, 1)
    assert sender.send_round() == (0, 0)
    (digest,) = mails_to(mailbox, DAILY)
    body = text_of(digest)
    assert f"{NAME_VI} đã được giới thiệu cho đơn tuyển “{TITLE}”." in body
    assert f"{NAME_VI} đã trúng tuyển đơn tuyển “{TITLE}”." in body
    assert mails_to(mailbox, OFF) == []
    assert len(mailbox.messages) == 3


def _process_env(database_url: str, broker: Broker, mailbox: Mailbox) -> dict[str, str]:
    settings = {
        "DATABASE_URL": database_url,
        "ENVIRONMENT": "test",
        "JWT_SECRET": "identity-cli-test-secret-0123456789abcdef",
        "KEY_ENCRYPTION_SECRET": KEY_ENCRYPTION_SECRET,
        "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
        "SMTP_PORT": str(mailbox.port),
        "NOTIFY_INTERVAL_S": "0.2",
    }
    return os.environ | {f"KAKEHASHI_IDENTITY_{k}": v for k, v in settings.items()}


def test_the_consume_process_mails_and_send_digests_sends_the_digest(
    broker: Broker,
    database_url: str,
    client_on_broker: TestClient,
    admin_on_broker: Headers,
    mailbox: Mailbox,
) -> None:
    """`kakehashi-identity consume` as its own process applies the events and its sender mails
    the `each` user; `send-digests --now` (cron's command) mails the `daily` user's digest."""
    client, admin = client_on_broker, admin_on_broker
    each = add_user(client, admin, EACH, TAY_NINH, "training_centre", "en")
    add_user(client, admin, DAILY, TAY_NINH, "training_centre", "vi")
    notifications.choose_delivery(runtime_of(client).uow(), ChooseDelivery(each, Delivery.EACH))
    mailbox.messages.clear()
    producer = make_producer(broker.servers)
    try:
        _publish(producer, CANDIDATE_EVENTS, candidate_registered())
        _publish(producer, JOB_ORDER_EVENTS, job_order_opened())
        _publish(producer, MATCH_EVENTS, decision("proposed", 1))
    finally:
        producer.close(timeout=10)

    env = _process_env(database_url, broker, mailbox)
    command = [sys.executable, "-m", "kakehashi.identity.entrypoints.cli"]
    process = subprocess.Popen(
        [*command, "consume"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        wait_until(lambda: mails_to(mailbox, EACH), timeout_s=60)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output.decode()
    assert mails_to(mailbox, DAILY) == []

    digests = subprocess.run(
        [*command, "send-digests", "--now"], env=env, capture_output=True, timeout=60, check=False
    )
    assert digests.returncode == 0, digests.stderr.decode()
    assert digests.stdout.decode().strip() == "1 digest(s) sent"
    (digest,) = mails_to(mailbox, DAILY)
    assert f"{NAME_VI} đã được giới thiệu cho đơn tuyển “{TITLE}”." in text_of(digest)
    assert len(mails_to(mailbox, EACH)) == 1
