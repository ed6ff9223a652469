"""The console's allocation runs: computed in a thread, their progress polled by the page (htmx)
until the result replaces it; a second ask for the same sector joins the run under way."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import auth
from kakehashi.matching.bootstrap import SPEC
from kakehashi.matching.config import MatchingSettings
from kakehashi.matching.entrypoints.dependencies import services_of, surplus_of, weights_of
from kakehashi.matching.service_layer.allocation import AllocationRun, AllocationRuns, propose
from kakehashi.shared.db import make_engine, make_session_factory
from kakehashi.shared.ui.browser_session import SESSION_COOKIE
from kakehashi.shared.unit_of_work import UnitOfWork
from services.matching.tests.allocation_reference import GatedUnitOfWork
from services.matching.tests.market_events import (
    applier,
    candidate_event,
    order_event,
    runtime_of_client,
)

pytestmark = pytest.mark.integration
MANAGER = auth("program_manager", "pm-office")
HTMX = {"HX-Request": "true"}
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def client(service_client: Callable[..., TestClient]) -> TestClient:
    client = service_client(SPEC)
    market = applier(client)
    # Greedy gives "an" to order-1 and leaves order-2 with nobody; the flow places both.
    market.apply(order_event("order-1", headcount=1))
    market.apply(order_event("order-2", min_japanese_level="N2", headcount=1))
    market.apply(candidate_event("an", full_name="Nguyễn Thị Hằng", level="N1"))
    market.apply(candidate_event("binh", full_name="Trần Văn Bình", level="N4"))
    client.cookies.set(SESSION_COOKIE, MANAGER["Authorization"].removeprefix("Bearer "))
    return client


def _runs(client: TestClient) -> AllocationRuns:
    return services_of(client.app).allocation_runs


def _settings(client: TestClient) -> MatchingSettings:
    settings = runtime_of_client(client).settings
    assert isinstance(settings, MatchingSettings)
    return settings


def _start(
    client: TestClient, uow: UnitOfWork | None = None, sector: str = "construction"
) -> AllocationRun:
    """A run with the app's own weights, as the page starts one."""
    return _runs(client).start(
        uow or runtime_of_client(client).uow(),
        services_of(client.app).candidate_index,
        weights_of(_settings(client)),
        surplus_of(_settings(client)),
        sector,
    )


def _poll(client: TestClient, run_id: str) -> str:
    """The run's panel as htmx fetches it every second, until it is no longer running."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        panel = client.get(f"/console/allocation/runs/{run_id}", headers=HTMX | ENGLISH)
        assert panel.status_code == 200
        text: str = panel.text
        if 'data-status="running"' not in text:
            return text
        time.sleep(0.05)
    raise AssertionError("the run did not finish")


def test_a_run_shows_its_progress_then_its_result(client: TestClient) -> None:
    gate = threading.Event()
    run = _start(client, GatedUnitOfWork(runtime_of_client(client).uow(), gate))
    # The page asks for the same sector while the run is under way: it joins it, shows its
    # progress, and polls the run's panel every second.
    page = client.get("/console/allocation", params={"sector": "construction"}, headers=ENGLISH)
    assert page.status_code == 200
    assert 'data-status="running"' in page.text
    assert f'hx-get="/console/allocation/runs/{run.id}"' in page.text
    assert 'hx-trigger="every 1s"' in page.text
    assert 'role="status"' in page.text
    assert 'id="gain"' not in page.text
    assert _runs(client).get(run.id) is run
    panel = client.get(f"/console/allocation/runs/{run.id}", headers=HTMX | ENGLISH).text
    assert "<html" not in panel  # the panel alone, for htmx to swap in
    assert "Reading the sector" in panel
    assert run.orders_total == 0


def test_the_progress_counts_the_orders_scored(client: TestClient) -> None:
    gate = threading.Event()
    # The first transaction (the sector's open orders) goes through; the pool's waits.
    run = _start(client, GatedUnitOfWork(runtime_of_client(client).uow(), gate, free=1))
    deadline = time.monotonic() + 30
    while run.orders_total == 0:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    panel = client.get(f"/console/allocation/runs/{run.id}", headers=HTMX | ENGLISH).text
    assert "Scoring the candidates of each order: 0 of 2 orders." in panel
    assert '<progress max="2" value="0"' in panel
    gate.set()
    assert 'data-status="done"' in _poll(client, run.id)

    gate.set()
    done = _poll(client, run.id)
    assert 'data-status="done"' in done
    assert "hx-trigger" not in done  # polling stops once the result is shown
    assert 'id="gain"' in done
    assert "Nguyễn Thị Hằng" in done
    assert "Trần Văn Bình" in done
    assert run.proposal is not None
    assert len(run.proposal.placements) == 2
    assert (run.orders_scored, run.orders_total) == (2, 2)
    assert run.components_solved == run.components_total == 1
    # The run's page, reached without htmx, is the whole page with the result.
    whole = client.get(f"/console/allocation/runs/{run.id}", headers=ENGLISH).text
    assert "<html" in whole
    assert 'id="gain"' in whole
    assert 'id="allocation-explained"' in whole


def test_the_result_is_the_synchronous_proposal(client: TestClient) -> None:
    # The run as the page starts it (whether the page then shows its progress or, a small run
    # having finished already, its result, is the other tests' business).
    run = _start(client)
    assert run.finished.wait(30), "the run did not finish"
    assert run.proposal is not None
    direct = propose(
        runtime_of_client(client).uow(),
        services_of(client.app).candidate_index,
        weights_of(_settings(client)),
        "construction",
        surplus_of(_settings(client)),
    )
    assert run.proposal.placements == direct.placements
    assert run.proposal.total_score == direct.total_score
    api = client.get("/allocations/proposal?sector=construction", headers=MANAGER).json()
    assert api["total_score"] == round(direct.total_score, 4)


def test_a_finished_run_is_not_joined_and_a_small_one_is_shown_at_once(
    client: TestClient,
) -> None:
    first = client.get("/console/allocation", params={"sector": "construction"}, headers=ENGLISH)
    assert 'data-status="done"' in first.text
    assert 'id="gain"' in first.text
    assert "hx-trigger" not in first.text
    second = client.get("/console/allocation", params={"sector": "construction"}, headers=ENGLISH)
    ids = [re.findall(r'data-run="([0-9a-f]+)"', page.text) for page in (first, second)]
    assert len(ids[0]) == len(ids[1]) == 1
    assert ids[0] != ids[1]


def test_an_unknown_run_is_404_and_runs_are_for_managers(client: TestClient) -> None:
    assert client.get("/console/allocation/runs/nope", headers=HTMX).status_code == 404
    run = _start(client)
    assert run.finished.wait(30)
    client.cookies.set(SESSION_COOKIE, auth("employer", "emp-aichi")["Authorization"][7:])
    refused = client.get(f"/console/allocation/runs/{run.id}", headers=HTMX, follow_redirects=False)
    assert refused.status_code == 403
    assert "Trần Văn Bình" not in refused.text


def test_only_the_last_runs_stay_readable_and_a_run_under_way_is_kept(
    client: TestClient,
) -> None:
    gate = threading.Event()
    under_way = _start(client, GatedUnitOfWork(runtime_of_client(client).uow(), gate))
    started = []
    for _ in range(AllocationRuns.KEEP + 2):
        started.append(_start(client, sector="agriculture"))  # no open order: done at once
        assert started[-1].finished.wait(30)
    assert len({run.id for run in started}) == len(started)  # a finished run is never joined
    # KEEP runs stay: the one under way (the oldest) and the newest finished ones.
    assert [_runs(client).get(run.id) for run in started[:3]] == [None, None, None]
    assert all(_runs(client).get(run.id) is run for run in started[3:])
    assert _runs(client).get(under_way.id) is under_way
    gate.set()
    assert under_way.finished.wait(30)
    assert under_way.proposal is not None


def test_a_run_that_fails_says_so_and_stops_polling(client: TestClient, tmp_path: Path) -> None:
    # A database without the read model's tables: the proposal's first query fails for real.
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    run = _start(client, UnitOfWork(make_session_factory(empty)))
    assert run.finished.wait(30)
    assert run.failed
    assert run.proposal is None
    panel = _poll(client, run.id)
    assert 'data-status="failed"' in panel
    assert 'role="alert"' in panel
    assert "hx-trigger" not in panel
    # The failed run is over: asking again starts a new one, which succeeds.
    again = client.get("/console/allocation", params={"sector": "construction"}, headers=ENGLISH)
    assert 'data-status="done"' in again.text
    empty.dispose()
