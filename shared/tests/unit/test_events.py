import uuid
from datetime import UTC

import pytest
from pydantic import ValidationError

from kakehashi.shared.events import EventEnvelope, dead_letter_topic
from kakehashi.shared.observability import reset_correlation_id, set_correlation_id


def test_new_event_is_stamped_with_id_time_and_current_correlation_id() -> None:
    token = set_correlation_id("req-42")
    try:
        event = EventEnvelope.new(
            type="candidate.registered", source="kakehashi.candidates", subject="c-1", data={"a": 1}
        )
    finally:
        reset_correlation_id(token)
    assert isinstance(event.id, uuid.UUID)
    assert event.time.tzinfo is UTC
    assert event.correlation_id == "req-42"
    assert event.specversion == "1.0"


def test_envelope_round_trips_through_bytes() -> None:
    event = EventEnvelope.new(
        type="job_order.opened", source="kakehashi.employers", subject="o-1", data={"x": [1, 2]}
    )
    assert EventEnvelope.from_bytes(event.to_bytes()) == event


@pytest.mark.parametrize(
    "change",
    [
        {"type": "NotDotted"},
        {"subject": ""},
        {"unknown": 1},
        {"version": 0},
        {"specversion": "0.3"},
    ],
)
def test_malformed_envelopes_are_refused(change: dict[str, object]) -> None:
    fields = {"type": "candidate.registered", "source": "s", "subject": "x", "data": {}} | change
    with pytest.raises(ValidationError):
        EventEnvelope.model_validate(fields)


def test_each_consumer_group_has_its_own_dead_letter_topic() -> None:
    assert dead_letter_topic("matching") == "matching.dlq"
