"""The API's candidate index is built at start-up, before any request, and still syncs after."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import auth
from kakehashi.matching.bootstrap import SPEC
from kakehashi.matching.domain.scoring import evaluate
from kakehashi.matching.entrypoints.dependencies import services_of
from kakehashi.matching.service_layer import queries
from kakehashi.matching.service_layer.candidate_index import CandidateIndex
from services.matching.tests.market_events import (
    applier,
    candidate_event,
    order_event,
    status_event,
)

pytestmark = pytest.mark.integration

MANAGER = auth("program_manager", "pm-office")


def test_every_sector_pool_is_built_at_start_up_and_changes_still_sync(
    service_client: Callable[..., TestClient],
) -> None:
    client: TestClient = service_client(SPEC)
    consumer = applier(client)
    for event in (
        order_event(),
        candidate_event("an", sector="construction"),
        candidate_event("binh", sector="construction"),
        candidate_event("chi", sector="nursing_care"),
    ):
        consumer.apply(event)
    index: CandidateIndex = services_of(client.app).candidate_index
    assert index.built_sectors() == set()  # the app is built, not started
    with client:  # start-up (the lifespan) runs here
        assert index.built_sectors() == {"construction", "nursing_care"}  # before any request
        consumer.apply(candidate_event("dung", sector="construction"))
        body = client.get("/job-orders/order-1/matches", headers=MANAGER).json()
        assert [m["candidate_id"] for m in body["matches"]] == ["an", "binh", "dung"]


def test_a_list_shows_each_candidate_as_the_read_model_holds_them_now(
    service_client: Callable[..., TestClient],
) -> None:
    client: TestClient = service_client(SPEC)
    consumer = applier(client)
    consumer.apply(order_event())
    consumer.apply(candidate_event("an"))
    with client:

        def names() -> list[str]:
            body = client.get("/job-orders/order-1/matches", headers=MANAGER).json()
            return [m["full_name"] for m in body["matches"]]

        assert names() == ["Nguyễn Văn an"]
        assert names() == ["Nguyễn Văn an"]  # read again: from the rows kept lately
        consumer.apply(candidate_event("an", version=2, full_name="Nguyễn Thị An"))
        assert names() == ["Nguyễn Thị An"]  # not the row kept before the change


def test_a_sector_whose_last_candidate_leaves_lists_no_one(
    service_client: Callable[..., TestClient],
) -> None:
    """The index edits a sector in place: removing its only candidate leaves it empty (an
    erasure in CI found the edit failing on the empty sector with a 500)."""
    client: TestClient = service_client(SPEC)
    consumer = applier(client)
    consumer.apply(order_event())
    consumer.apply(candidate_event("an"))
    with client:

        def matched() -> list[str]:
            answer = client.get("/job-orders/order-1/matches", headers=MANAGER)
            assert answer.status_code == 200, answer.text
            return [m["candidate_id"] for m in answer.json()["matches"]]

        assert matched() == ["an"]
        consumer.apply(
            status_event("candidate.status_changed", "candidate_id", "an", 2, "withdrawn")
        )
        assert matched() == []
        consumer.apply(candidate_event("binh"))  # and the sector fills again
        assert matched() == ["binh"]


def test_lists_asked_together_are_scored_one_at_a_time(
    service_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process scores one list at a time (`CandidateIndex.scoring_turn`): lists scored side by
    side in pool threads cost more CPU each for no more lists a second. Every list is answered."""
    client: TestClient = service_client(SPEC)
    consumer = applier(client)
    consumer.apply(order_event())
    for name in ("an", "binh", "chi"):
        consumer.apply(candidate_event(name))
    inside, most = 0, 0
    count = threading.Lock()

    def watched(*args: Any, **kwargs: Any) -> Any:
        nonlocal inside, most
        with count:
            inside += 1
            most = max(most, inside)
        time.sleep(0.02)  # long enough for the other threads' lists to arrive meanwhile
        try:
            return evaluate(*args, **kwargs)
        finally:
            with count:
                inside -= 1

    monkeypatch.setattr(queries, "evaluate", watched)
    with client, ThreadPoolExecutor(4) as pool:
        answers = list(
            pool.map(
                lambda _: client.get("/job-orders/order-1/matches", headers=MANAGER), range(12)
            )
        )
    assert [a.status_code for a in answers] == [200] * 12
    assert {len(a.json()["matches"]) for a in answers} == {3}
    assert most == 1
