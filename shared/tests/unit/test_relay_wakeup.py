"""The idle backoff, the socket's place, and the SQLite doorbell and wake-up on real sockets."""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from kakehashi.shared.relay_wakeup import (
    DatagramDoorbell,
    DatagramWakeup,
    IdleBackoff,
    Wakeup,
    wake_socket_path,
)
from kakehashi.shared.settings import ServiceSettings


def test_the_idle_wait_doubles_after_each_empty_pass_up_to_the_longest() -> None:
    backoff = IdleBackoff(first_s=0.05, max_s=1.0)
    waits = [backoff.next_wait() for _ in range(8)]
    assert waits == [0.05, 0.1, 0.2, 0.4, 0.8, 1.0, 1.0, 1.0]


def test_a_pass_that_published_starts_the_waits_again_from_the_first() -> None:
    backoff = IdleBackoff(first_s=0.1, max_s=5.0)
    for _ in range(4):
        backoff.next_wait()
    backoff.reset()
    assert [backoff.next_wait(), backoff.next_wait()] == [0.1, 0.2]


def test_idle_waits_that_could_never_grow_are_refused() -> None:
    with pytest.raises(ValueError, match="first_s <= max_s"):
        IdleBackoff(first_s=2.0, max_s=1.0)
    with pytest.raises(ValueError, match="0 < first_s"):
        IdleBackoff(first_s=0, max_s=1.0)


def test_the_settings_refuse_a_longest_idle_wait_below_the_first() -> None:
    with pytest.raises(ValidationError, match="relay_idle_max_s"):
        ServiceSettings(relay_poll_interval_s=2.0, relay_idle_max_s=1.0)
    with pytest.raises(ValidationError, match="relay_idle_max_s"):
        ServiceSettings(relay_idle_max_s=0)
    settings = ServiceSettings()
    assert (settings.relay_poll_interval_s, settings.relay_idle_max_s) == (0.05, 3.0)


def test_the_wake_socket_lies_beside_a_sqlite_file_and_nowhere_for_other_databases(
    tmp_path: Path,
) -> None:
    database = tmp_path / "candidates.db"
    assert wake_socket_path(f"sqlite:///{database}") == tmp_path / "candidates.db.relay.sock"
    assert wake_socket_path("sqlite://") is None
    assert wake_socket_path("sqlite:///:memory:") is None
    assert wake_socket_path("postgresql+psycopg://user@db.example/candidates") is None


def test_a_database_too_deep_for_a_socket_path_gets_one_in_the_temp_folder() -> None:
    deep = "/srv/" + "/".join(["kakehashi-data-folder"] * 6) + "/candidates.db"
    path = wake_socket_path(f"sqlite:///{deep}")
    assert path is not None
    assert path.parent == Path(tempfile.gettempdir())
    assert len(str(path)) <= 100
    # The same database always gets the same socket; another one another socket.
    assert wake_socket_path(f"sqlite:///{deep}") == path
    assert wake_socket_path(f"sqlite:///{deep}.other") != path


@pytest.fixture
def listening(tmp_path: Path) -> Iterator[DatagramWakeup]:
    wakeup = DatagramWakeup(tmp_path / "test.db.relay.sock")
    wakeup.open()
    yield wakeup
    wakeup.close()


def test_a_ring_wakes_the_waiting_relay_at_once(listening: DatagramWakeup) -> None:
    threading.Timer(0.1, DatagramDoorbell(listening.path).ring_after_commit).start()
    began = time.monotonic()
    assert listening.wait(timeout_s=10) is True
    assert time.monotonic() - began < 5  # woken, not timed out


def test_with_no_ring_the_wait_runs_out(listening: DatagramWakeup) -> None:
    assert listening.wait(timeout_s=0.05) is False


def test_rings_that_came_while_the_relay_was_busy_wake_it_once(
    listening: DatagramWakeup,
) -> None:
    doorbell = DatagramDoorbell(listening.path)
    for _ in range(50):
        doorbell.ring_after_commit()
    assert listening.wait(timeout_s=1) is True
    assert listening.wait(timeout_s=0.05) is False


def test_ringing_with_no_relay_listening_never_fails_the_writer(tmp_path: Path) -> None:
    DatagramDoorbell(tmp_path / "nobody.sock").ring_after_commit()
    (tmp_path / "a-file.sock").write_text("not a socket")
    DatagramDoorbell(tmp_path / "a-file.sock").ring_after_commit()


def test_a_full_socket_never_blocks_the_writer(listening: DatagramWakeup) -> None:
    doorbell = DatagramDoorbell(listening.path)
    began = time.monotonic()
    for _ in range(100_000):  # far beyond the socket's buffer
        doorbell.ring_after_commit()
    assert time.monotonic() - began < 30
    assert listening.wait(timeout_s=1) is True


def test_interrupt_cuts_a_wait_short_without_counting_as_a_ring(
    listening: DatagramWakeup,
) -> None:
    threading.Timer(0.1, listening.interrupt).start()
    began = time.monotonic()
    assert listening.wait(timeout_s=30) is False
    assert time.monotonic() - began < 10


def test_a_wakeup_without_doorbell_waits_out_its_time_unless_interrupted() -> None:
    timer = Wakeup()
    timer.open()
    try:
        assert timer.wait(timeout_s=0.05) is False
        timer.interrupt()
        began = time.monotonic()
        assert timer.wait(timeout_s=30) is False
        assert time.monotonic() - began < 10
    finally:
        timer.close()
    timer.interrupt()  # after close: nothing to cut short, and no error


def test_a_socket_left_by_a_relay_that_died_is_taken_over_and_closing_removes_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "test.db.relay.sock"
    left = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    left.bind(str(path))
    left.close()  # the file stays, as after a kill -9
    wakeup = DatagramWakeup(path)
    wakeup.open()
    try:
        DatagramDoorbell(path).ring_after_commit()
        assert wakeup.wait(timeout_s=5) is True
    finally:
        wakeup.close()
    assert not path.exists()


def test_a_file_that_is_not_a_socket_is_never_removed(tmp_path: Path) -> None:
    path = tmp_path / "test.db.relay.sock"
    path.write_text("someone's file")
    with pytest.raises(OSError, match="in use"):
        DatagramWakeup(path).open()
    assert path.read_text() == "someone's file"
