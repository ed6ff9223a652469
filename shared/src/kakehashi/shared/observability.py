"""Structured JSON logs carrying a correlation id that follows a request through its events."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import UTC, datetime

from kakehashi.shared.tracing import current_ids

CORRELATION_HEADER = "X-Correlation-ID"
_correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "correlation_id", default=None
)


def get_correlation_id() -> str | None:
    return _correlation_id.get()


def set_correlation_id(value: str | None) -> contextvars.Token[str | None]:
    return _correlation_id.set(value)


def reset_correlation_id(token: contextvars.Token[str | None]) -> None:
    _correlation_id.reset(token)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, correlation id and extras."""

    _standard = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": get_correlation_id(),
        }
        ids = current_ids()
        if ids is not None:  # a span is current: the trace this line belongs to
            entry["trace_id"], entry["span_id"] = ids
        for key, value in record.__dict__.items():
            if key not in self._standard and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class ReadableFormatter(logging.Formatter):
    """One line for a person at a terminal (`LOG_JSON=false`, as `kakehashi dev` sets):
    `12:04:31 WARNING kakehashi.shared.outbox: message  key=value [correlation id]`."""

    def __init__(self) -> None:
        super().__init__(datefmt="%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        line = f"{self.formatTime(record, self.datefmt)} {record.levelname:<7} {record.name}: "
        line += record.getMessage()
        extras = [
            f"{key}={value}"
            for key, value in record.__dict__.items()
            if key not in JsonFormatter._standard
            and not key.startswith("_")
            and key != "color_message"  # uvicorn's copy of the message with colours
        ]
        if extras:
            line += "  " + " ".join(extras)
        correlation_id = get_correlation_id()
        if correlation_id:
            line += f" [{correlation_id}]"
        ids = current_ids()
        if ids is not None:
            line += f" trace={ids[0]}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def configure_logging(service: str, level: str = "INFO", json_logs: bool = True) -> None:
    """Route the root logger to stderr, as JSON unless told otherwise."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service) if json_logs else ReadableFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # kafka-python is chatty at INFO about every reconnect.
    logging.getLogger("kafka").setLevel(logging.WARNING)
