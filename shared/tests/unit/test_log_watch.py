"""The log watch's rules on a real SQLite database, with the broker's answers given as data."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import SQLModel, create_engine

from kakehashi.shared.applier import positions_of, store_position
from kakehashi.shared.db import make_session_factory
from kakehashi.shared.log_watch import ConsumedLog, LogState, LogWatch, recovery_check
from kakehashi.shared.unit_of_work import UnitOfWork

GROUP = "g"
TOPIC = "candidate-events"


@pytest.fixture
def engine() -> Engine:
    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(engine)
    return engine


@pytest.fixture
def watch(engine: Engine) -> LogWatch:
    sessions = make_session_factory(engine)
    return LogWatch(GROUP, lambda: UnitOfWork(sessions))


def _read_up_to(engine: Engine, **next_offsets: int) -> None:
    with make_session_factory(engine)() as session:
        for partition, offset in next_offsets.items():
            store_position(session, GROUP, TOPIC, int(partition[1:]), offset)
        session.commit()


def _positions(engine: Engine) -> dict[tuple[str, int], int]:
    with make_session_factory(engine)() as session:
        return positions_of(session, GROUP)


def _state(topic_id: str | None, end: dict[int, int], earliest: int = 0) -> dict[str, LogState]:
    return {TOPIC: LogState(topic_id, dict.fromkeys(end, earliest), end)}


def test_the_first_check_records_the_log_and_moves_nothing(watch: LogWatch, engine: Engine) -> None:
    _read_up_to(engine, p0=4, p1=2)
    assert watch.check(_state("id-a", {0: 4, 1: 2})) == {}
    with make_session_factory(engine)() as session:
        record = session.get(ConsumedLog, (GROUP, TOPIC))
    assert record is not None
    assert record.topic_id == "id-a"
    assert watch.resets == 0


def test_a_new_topic_id_sends_every_partition_back_to_the_start(
    watch: LogWatch, engine: Engine
) -> None:
    _read_up_to(engine, p0=4, p1=2)
    watch.check(_state("id-a", {0: 4, 1: 2}))
    # The new log is already longer than what was read: only the id tells it apart.
    seeks = watch.check(_state("id-b", {0: 9, 1: 7}))
    assert seeks == {(TOPIC, 0): 0, (TOPIC, 1): 0}
    assert _positions(engine) == {(TOPIC, 0): 0, (TOPIC, 1): 0}
    assert watch.resets == 1
    assert watch.recovering == {TOPIC}
    check = recovery_check(engine)
    with pytest.raises(RuntimeError, match="re-reading after a broker reset: candidate-events"):
        check()

    # The next check (through the consumer's new client) reads the end the group must reach.
    assert watch.check(_state("id-b", {0: 9, 1: 7})) == {}
    _read_up_to(engine, p0=9, p1=6)
    assert watch.check(_state("id-b", {0: 12, 1: 8})) == {}
    assert watch.recovering == {TOPIC}  # p1 is not yet at 7
    _read_up_to(engine, p1=7)
    watch.check(_state("id-b", {0: 12, 1: 8}))
    assert watch.recovering == set()
    check()  # ready again
    assert watch.resets == 1


def test_without_topic_ids_a_log_shorter_than_what_was_read_is_another_log(
    watch: LogWatch, engine: Engine
) -> None:
    _read_up_to(engine, p0=4, p1=2)
    watch.check(_state(None, {0: 4, 1: 2}))
    assert watch.check(_state(None, {0: 4, 1: 2})) == {}
    assert watch.check(_state(None, {0: 1, 1: 3})) == {(TOPIC, 0): 0, (TOPIC, 1): 0}
    assert watch.resets == 1


def test_records_removed_before_they_were_read_are_skipped_with_an_error(
    watch: LogWatch, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    _read_up_to(engine, p0=4)
    watch.check(_state("id-a", {0: 4}))
    assert watch.check(_state("id-a", {0: 20}, earliest=10)) == {(TOPIC, 0): 10}
    assert _positions(engine) == {(TOPIC, 0): 10}
    assert watch.resets == 0
    assert "removed from the log before this consumer read them" in caplog.text


def test_a_database_without_a_consumer_is_always_ready() -> None:
    recovery_check(create_engine("sqlite://"))()


def test_each_share_of_a_split_group_sees_a_replaced_log_and_rewinds_its_own_partitions(
    engine: Engine,
) -> None:
    """Two processes of one group, partitions 0 and 1 each: the second must rewind its partition
    after the first has already seen (and recorded) the new log."""
    sessions = make_session_factory(engine)
    first = LogWatch(GROUP, lambda: UnitOfWork(sessions), partitions=[0])
    second = LogWatch(GROUP, lambda: UnitOfWork(sessions), partitions=[1])
    _read_up_to(engine, p0=4, p1=2)
    assert first.check({TOPIC: LogState("id-a", {0: 0}, {0: 4})}) == {}
    # The other share's position (2 on partition 1) is none of this process's business.
    assert second.check({TOPIC: LogState("id-a", {1: 0}, {1: 2})}) == {}

    assert first.check({TOPIC: LogState("id-b", {0: 0}, {0: 0})}) == {(TOPIC, 0): 0}
    assert second.check({TOPIC: LogState("id-b", {1: 0}, {1: 0})}) == {(TOPIC, 1): 0}
    assert _positions(engine) == {(TOPIC, 0): 0, (TOPIC, 1): 0}
    assert (first.resets, second.resets) == (1, 1)


def test_a_share_without_topic_ids_judges_only_its_own_partitions(engine: Engine) -> None:
    sessions = make_session_factory(engine)
    share = LogWatch(GROUP, lambda: UnitOfWork(sessions), partitions=[0])
    _read_up_to(engine, p0=4, p1=9)
    # Partition 1 is read further than partition 0's log ends: that says nothing of partition 0.
    assert share.check({TOPIC: LogState(None, {0: 0}, {0: 4})}) == {}
    assert share.resets == 0
