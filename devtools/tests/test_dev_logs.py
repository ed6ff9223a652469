"""`kakehashi dev` logs for people: readable lines unless a service asks for JSON."""

from __future__ import annotations

import json
import logging

from kakehashi.devtools.cli import human_logs
from kakehashi.shared.observability import (
    JsonFormatter,
    ReadableFormatter,
    reset_correlation_id,
    set_correlation_id,
)


def _record(**extra: object) -> logging.LogRecord:
    return logging.makeLogRecord(
        {"name": "kakehashi.shared.outbox", "levelname": "WARNING", "levelno": 30,
         "msg": "published %d rows", "args": (3,), "created": 0.0} | extra
    )  # fmt: skip


def test_a_readable_line_has_time_level_logger_message_extras_and_correlation_id() -> None:
    token = set_correlation_id("c0ffee")
    try:
        line = ReadableFormatter().format(_record(lane=4, color_message="x"))
    finally:
        reset_correlation_id(token)
    assert line.endswith(" WARNING kakehashi.shared.outbox: published 3 rows  lane=4 [c0ffee]")
    assert line[2] == ":"
    assert line[5] == ":"


def test_json_stays_what_it_was() -> None:
    entry = json.loads(JsonFormatter("matching").format(_record(lane=4)))
    assert entry["message"] == "published 3 rows"
    assert entry["lane"] == 4


def test_dev_asks_for_readable_logs_unless_a_service_chose() -> None:
    chosen = human_logs({"KAKEHASHI_MATCHING_LOG_JSON": "true"})
    assert chosen == {
        "KAKEHASHI_CANDIDATES_LOG_JSON": "false",
        "KAKEHASHI_EMPLOYERS_LOG_JSON": "false",
        "KAKEHASHI_IDENTITY_LOG_JSON": "false",
    }
