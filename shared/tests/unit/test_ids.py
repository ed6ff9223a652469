"""Record keys are version-7 UUIDs: valid RFC 9562 text, unique, and sorted by creation."""

from __future__ import annotations

import time
import uuid

from kakehashi.shared.ids import new_id, uuid7


def test_a_key_is_a_version_7_uuid_of_the_rfc_variant() -> None:
    key = uuid.UUID(new_id())
    assert key.version == 7
    assert key.variant == uuid.RFC_4122


def test_a_key_starts_with_the_time_it_was_made() -> None:
    before = time.time_ns() // 1_000_000
    key = uuid7()
    after = time.time_ns() // 1_000_000
    assert before <= key.int >> 80 <= after


def test_keys_made_later_sort_after_earlier_ones_and_never_repeat() -> None:
    first = [new_id() for _ in range(1000)]
    time.sleep(0.002)
    second = [new_id() for _ in range(1000)]
    assert max(first) < min(second)  # text order is time order across milliseconds
    assert len(set(first + second)) == 2000
