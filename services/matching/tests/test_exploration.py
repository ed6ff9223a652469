"""Exploration: every n-th place of a list's review window shows, marked, an eligible candidate
from lower in the ranking; nobody drops out of the list and the list reads the same twice."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import auth, token_for
from kakehashi.matching.bootstrap import SPEC
from kakehashi.matching.domain.exploration import explore
from kakehashi.shared.ui.browser_session import SESSION_COOKIE
from services.matching.tests.market_events import applier, candidate_event, order_event

MANAGER = auth("program_manager", "pm-office")


@settings(max_examples=100, deadline=None)
@given(
    n=st.integers(0, 80),
    every=st.integers(1, 12),
    window=st.integers(0, 60),
    seed=st.integers(0, 2**32),
)
def test_explorers_come_from_below_and_nobody_is_lost(
    n: int, every: int, window: int, seed: int
) -> None:
    ranked = list(range(n))  # the ranking's order: candidate i at place i + 1
    merged, explored = explore(ranked, np.arange(n), every, window, np.random.default_rng(seed))
    assert sorted(merged) == ranked  # the same candidates, each once
    kept = window - window // every
    for place, candidate in enumerate(merged, start=1):
        if candidate in explored:
            assert place % every == 0
            assert place <= window
            assert candidate >= kept  # from below the ranking's own places in the window
    others = [c for c in merged if c not in explored]
    assert others == sorted(others)  # the rest keep the ranking's order


def test_no_exploration_leaves_the_ranking_as_it_is() -> None:
    ranked = [3, 1, 2]
    assert explore(ranked, np.array([1, 2, 3]), 0, 50, np.random.default_rng(0)) == (ranked, set())


@pytest.mark.integration
def test_the_review_window_marks_every_tenth_place_as_exploration(service_client: Any) -> None:
    client: TestClient = service_client(SPEC)  # the default: every 10th place
    consumer = applier(client)
    required = [{"code": "welding", "min_level": 1, "must_have": True}]
    consumer.apply(order_event("order-1", required_skills=required))
    for i in range(60):  # welding 5 down to 1: the ranking is known
        skills = [{"code": "welding", "level": 5 - i // 12}]
        consumer.apply(candidate_event(f"c{i:02}", skills=skills))
    url = "/job-orders/order-1/matches"
    body = client.get(url, params={"limit": 60}, headers=MANAGER).json()
    matches = body["matches"]
    assert len(matches) == 60
    explored = [m for m in matches if m["exploration"]]
    assert [m["rank"] for m in explored] == [10, 20, 30, 40, 50]
    weighted = [m["score"] for m in matches if not m["exploration"]]
    assert weighted == sorted(weighted, reverse=True)
    top = sorted((m["score"] for m in matches), reverse=True)[44]  # the 45th best score
    assert all(m["score"] <= top for m in explored)  # drawn from below the window's own 45
    again = client.get(url, params={"limit": 60}, headers=MANAGER).json()["matches"]
    assert again == matches  # seeded by the order and the day: the same list all day
    page = client.get(url, params={"limit": 10}, headers=MANAGER).json()["matches"]
    assert page == matches[:10]
    off: TestClient = service_client(SPEC, exploration_every=0)
    plain = off.get(url, params={"limit": 60}, headers=MANAGER).json()["matches"]
    assert not any(m["exploration"] for m in plain)
    # The console marks the same places, in the reader's language.
    client.cookies.set(SESSION_COOKIE, token_for("program_manager", "pm-office"))
    for language, mark in (("en", "exploration"), ("ja", "探索枠"), ("vi", "khám phá")):
        page = client.get("/console/orders/order-1", headers={"Accept-Language": language}).text
        rows = re.findall(r'<tr data-candidate="(c\d+)"( class="exploration")?>', page)
        assert [i for i, (_, marked) in enumerate(rows, start=1) if marked] == [10, 20]
        assert [c for c, _ in rows] == [m["candidate_id"] for m in matches[: len(rows)]]
        assert page.count(f">{mark}</span>") == 2
