"""The operators' commands of the shared CLI, run as `kakehashi-<service> …` against a real broker:
`dead-letters list | show | replay | discard` and matching's `rebuild` with its count check."""

from __future__ import annotations

import pytest
from sqlmodel import Session, create_engine, select
from typer.testing import CliRunner

from conftest import Broker
from kakehashi.candidates.entrypoints.cli import app as candidates_cli
from kakehashi.matching.bootstrap import SPEC as MATCHING
from kakehashi.matching.entrypoints.cli import app as matching_cli
from kakehashi.shared.dead_letters import HandledDeadLetter
from kakehashi.shared.events import IDENTITY_EVENTS, dead_letter_topic
from kakehashi.shared.kafka import ensure_topics, make_producer
from kakehashi.shared.organisations import DirectoryEntry
from kakehashi.shared.runtime import Runtime
from tests.test_dead_letter_pages import _dead_letter, _organisation

pytestmark = pytest.mark.integration


def _environment(monkeypatch: pytest.MonkeyPatch, service: str, url: str, broker: Broker) -> None:
    prefix = f"KAKEHASHI_{service.upper()}_"
    monkeypatch.setenv(prefix + "DATABASE_URL", url)
    monkeypatch.setenv(prefix + "ENVIRONMENT", "development")
    monkeypatch.setenv(prefix + "KAFKA_BOOTSTRAP_SERVERS", broker.bootstrap)


def test_dead_letters_from_the_command_line(
    monkeypatch: pytest.MonkeyPatch, database_url: str, broker: Broker
) -> None:
    _environment(monkeypatch, "candidates", database_url, broker)
    ensure_topics(broker.servers, [dead_letter_topic("candidates")])
    _dead_letter(broker, "candidates", _organisation("org-cli").to_bytes(), "locked directory")
    _dead_letter(broker, "candidates", b"\x00 junk", "unreadable")
    runner = CliRunner()

    listed = runner.invoke(candidates_cli, ["dead-letters", "list"])
    assert listed.exit_code == 0, listed.output
    assert "organisation.registered\torg-cli\tidentity-events/1@7\tValueError: locked" in (
        listed.stdout
    )
    lines = listed.stdout.splitlines()
    assert len(lines) == 2
    # The event first, the unreadable record second (both failed at the same time).
    refs = [line.split("\t")[0] for line in sorted(lines, key=lambda line: "(unreadable)" in line)]
    shown = runner.invoke(candidates_cli, ["dead-letters", "show", refs[0]])
    assert '"subject": "org-cli"' in shown.stdout
    assert "Traceback" in shown.stdout

    unknown = runner.invoke(candidates_cli, ["dead-letters", "replay", "9:99"])
    assert unknown.exit_code == 2
    assert "no pending dead letter 9:99" in unknown.output
    replayed = runner.invoke(candidates_cli, ["dead-letters", "replay", refs[0], "--by", "ops"])
    assert replayed.stdout.strip() == f"{refs[0]} replayed: applied"
    no_reason = runner.invoke(candidates_cli, ["dead-letters", "discard", refs[1]])
    assert no_reason.exit_code == 2  # --reason is required
    discarded = runner.invoke(
        candidates_cli, ["dead-letters", "discard", refs[1], "--reason", "junk", "--by", "ops"]
    )
    assert discarded.exit_code == 0, discarded.output
    assert runner.invoke(candidates_cli, ["dead-letters", "list"]).stdout == ""

    engine = create_engine(database_url)
    with Session(engine) as session:
        assert session.get(DirectoryEntry, "org-cli") is not None
        audit = {
            r.action: (r.handled_by, r.reason) for r in session.exec(select(HandledDeadLetter))
        }
    engine.dispose()
    assert audit == {"replayed": ("ops", None), "discarded": ("ops", "junk")}


def test_rebuild_refills_matching_s_read_model_and_checks_the_counts(
    monkeypatch: pytest.MonkeyPatch, database_url: str, broker: Broker
) -> None:
    _environment(monkeypatch, "matching", database_url, broker)
    producer = make_producer(broker.servers)
    try:
        for n in range(3):
            event = _organisation(f"org-{n}")
            producer.send(IDENTITY_EVENTS, key=event.subject.encode(), value=event.to_bytes())
        producer.flush(timeout=10)
    finally:
        producer.close(timeout=10)
    runtime = Runtime.build(MATCHING.settings_factory(), MATCHING.migrations)
    runtime.migrate()
    with runtime.uow() as uow:  # a row the log does not hold: the rebuild drops it
        stray = _organisation("org-stray").data
        uow.session.add(DirectoryEntry(**stray, updated_at=_organisation("x").time))
        uow.commit()
    runner = CliRunner()

    refused = runner.invoke(matching_cli, ["rebuild", "--expect", "organisation_directory=3"])
    assert refused.exit_code == 2
    assert "--yes" in refused.output
    malformed = runner.invoke(matching_cli, ["rebuild", "--yes", "--expect", "nope=1"])
    assert malformed.exit_code == 2
    assert "TABLE=COUNT" in malformed.output

    rebuilt = runner.invoke(
        matching_cli, ["rebuild", "--yes", "--expect", "organisation_directory=3"]
    )
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "organisation_directory: 3 ok" in rebuilt.stdout
    with Session(runtime.engine) as session:
        ids = set(session.exec(select(DirectoryEntry.organisation_id)))
    assert ids == {"org-0", "org-1", "org-2"}

    differs = runner.invoke(
        matching_cli, ["rebuild", "--yes", "--expect", "organisation_directory=4"]
    )
    assert differs.exit_code == 1
    assert "organisation_directory: 3 != 4" in differs.stdout
    runtime.engine.dispose()
