"""The one envelope every integration event travels in, aligned with CloudEvents 1.0."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from kakehashi.shared.ids import uuid7
from kakehashi.shared.observability import get_correlation_id
from kakehashi.shared.tracing import current_trace_fields

CANDIDATE_EVENTS = "candidate-events"
JOB_ORDER_EVENTS = "job-order-events"
MATCH_EVENTS = "match-events"
IDENTITY_EVENTS = "identity-events"
ALL_TOPICS = (CANDIDATE_EVENTS, JOB_ORDER_EVENTS, MATCH_EVENTS, IDENTITY_EVENTS)


def dead_letter_topic(consumer_group: str) -> str:
    """Each consumer group has its own dead-letter topic."""
    return f"{consumer_group}.dlq"


class EventEnvelope(BaseModel):
    """CloudEvents-aligned envelope; `subject` is the aggregate id and the Kafka key."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    specversion: Literal["1.0"] = "1.0"
    id: uuid.UUID = Field(default_factory=uuid7)
    type: str = Field(min_length=1, pattern=r"^[a-z_]+\.[a-z_]+$")
    version: int = Field(default=1, ge=1, description="version of the data schema of this type")
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    source: str = Field(min_length=1)
    subject: str = Field(min_length=1)
    correlation_id: str | None = None
    # The CloudEvents Distributed Tracing extension: the W3C Trace Context of the span the event
    # was made in, so the outbox row keeps it until the relay publishes it (tracing.py). Left out
    # of the JSON when absent: with tracing off, an envelope reads as it always did. Not
    # validated here: a malformed value starts a new trace, it never refuses the event.
    traceparent: str | None = Field(default=None, exclude_if=lambda value: value is None)
    tracestate: str | None = Field(default=None, exclude_if=lambda value: value is None)
    datacontenttype: Literal["application/json"] = "application/json"
    data: dict[str, Any]

    @classmethod
    def new(cls, *, type: str, source: str, subject: str, data: dict[str, Any]) -> EventEnvelope:
        """A fresh event stamped with a new id, the current UTC time, the correlation id and the
        current span's trace context (none while tracing is off)."""
        traceparent, tracestate = current_trace_fields()
        return cls(
            type=type,
            source=source,
            subject=subject,
            data=data,
            correlation_id=get_correlation_id(),
            traceparent=traceparent,
            tracestate=tracestate,
        )

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> EventEnvelope:
        return cls.model_validate_json(raw)
