"""The docs hold: docs/events.md's examples are valid envelopes whose data matching accepts, and
every link in README.md and docs/*.md leads to a file in this repository."""

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

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "events.md"
MARKDOWN = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
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


def _relative_links(page: Path) -> list[str]:
    targets = LINK.findall(page.read_text())
    return [t for t in targets if not re.match(r"^(https?:|mailto:|#)", t)]


def test_every_relative_link_resolves_to_a_file_in_the_repository() -> None:
    checked = 0
    for page in MARKDOWN:
        for target in _relative_links(page):
            path = (page.parent / target.split("#")[0]).resolve()
            assert path.is_relative_to(ROOT), f"{page.name} links outside the repository: {target}"
            assert path.exists(), f"{page.name} links to a missing file: {target}"
            checked += 1
    assert checked >= 5  # README and the docs link to each other


def test_the_docs_point_to_nothing_outside_the_repository() -> None:
    for page in MARKDOWN:
        text = page.read_text()
        assert "DOMAIN.md" not in text, page.name
        assert "steering repository" not in text, page.name


def test_matching_keeps_every_field_of_the_documented_candidate_snapshot() -> None:
    """A field the docs say travels (the names in every script, say) is one matching stores, not
    one its lenient schema silently drops."""
    blocks = re.findall(r"```json\n(.*?)```", DOCS.read_text(), flags=re.DOTALL)
    [snapshot] = [
        json.loads(b)["data"] for b in blocks if json.loads(b)["type"] == "candidate.registered"
    ]
    assert {"name_vi", "name_katakana"} <= set(snapshot)
    assert set(snapshot) <= set(CandidateData.model_fields)
