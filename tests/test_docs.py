"""The examples in docs/events.md are real: valid envelopes whose data matching accepts."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import BaseModel

from kakehashi.employers.service_layer.event_handlers import MatchStatusData
from kakehashi.matching.service_layer.event_handlers import (
    CandidateData,
    CandidateStatusData,
    JobOrderData,
    MatchRefusedData,
    StatusData,
)
from kakehashi.shared.events import EventEnvelope

DOCS = Path(__file__).resolve().parents[1] / "docs" / "events.md"
DATA_MODELS: dict[str, tuple[type[BaseModel], str]] = {
    "candidate.registered": (CandidateData, "candidate_id"),
    "job_order.opened": (JobOrderData, "job_order_id"),
    "candidate.status_changed": (CandidateStatusData, "candidate_id"),
    "job_order.filled": (StatusData, "job_order_id"),
    "match.status_changed": (MatchStatusData, "match_id"),
    "candidate.match_refused": (MatchRefusedData, "candidate_id"),
}


def test_every_event_example_is_a_valid_envelope_with_accepted_data() -> None:
    blocks = re.findall(r"```json\n(.*?)```", DOCS.read_text(), flags=re.DOTALL)
    examples = [EventEnvelope.model_validate(json.loads(block)) for block in blocks]
    assert {e.type for e in examples} == set(DATA_MODELS)
    for example in examples:
        model, aggregate_id = DATA_MODELS[example.type]
        model.model_validate(example.data)
        assert example.subject == example.data[aggregate_id]  # the key is the aggregate id
