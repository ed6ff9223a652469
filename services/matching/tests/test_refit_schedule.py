"""The learned ranking's refit schedule: when a refit is due, what each attempt records and
counts, and that two schedulers never both fit."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from conftest import token_for
from kakehashi.matching.adapters.tables import RankingModelFit, RefitAttempt
from kakehashi.matching.domain import learning as domain_learning
from kakehashi.matching.domain.learning import LearningSettings, Metrics
from kakehashi.matching.domain.refits import Outcome, RefitSchedule, outcome_of, refit_due
from kakehashi.matching.service_layer import learning_schedule
from kakehashi.matching.service_layer.learning_schedule import release_lease, take_lease, tick
from kakehashi.shared.applier import EventApplier
from kakehashi.shared.metrics import sample_value
from kakehashi.shared.runtime import Runtime
from kakehashi.shared.ui.browser_session import SESSION_COOKIE
from kakehashi.shared.unit_of_work import UnitOfWork
from services.matching.tests.test_learning_api import (  # the same market and helpers
    LEVELS,
    MANAGER,
    PER_LEVEL,
    bulk,
    client,
    item,
    market,
)

__all__ = ["client", "market"]  # fixtures
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SCHEDULE = RefitSchedule(min_new_decisions=50, min_interval=timedelta(hours=1))


def test_a_refit_is_due_with_enough_new_decisions_and_the_interval_passed() -> None:
    assert refit_due(SCHEDULE, 49, None, NOW) == refit_due(SCHEDULE, 49, None, NOW)
    assert not refit_due(SCHEDULE, 49, None, NOW).due
    assert "49 new decisions, 50 needed" in refit_due(SCHEDULE, 49, None, NOW).reason
    assert refit_due(SCHEDULE, 50, None, NOW).due  # the first attempt waits for decisions only
    recent = refit_due(SCHEDULE, 500, NOW - timedelta(minutes=59), NOW)
    assert not recent.due
    assert "next in 60 s" in recent.reason
    assert refit_due(SCHEDULE, 50, NOW - timedelta(hours=1), NOW).due
    assert not refit_due(SCHEDULE, 10, NOW - timedelta(days=3), NOW).due  # both, not either


def _metrics(**values: Any) -> Metrics:
    base: dict[str, Any] = {
        "roc_auc": 0.8,
        "brier": 0.1,
        "log_loss": 0.4,
        "weighted_roc_auc": None,
        "n_train": 60,
        "n_test": 20,
        "approved": 40,
        "rejected": 40,
    }
    return Metrics(**(base | values))


def test_an_outcome_says_why_from_the_gate_figures() -> None:
    assert outcome_of(_metrics(gate="nothing_live")) == (
        Outcome.PROMOTED,
        "no live model: the first fit ranks",
    )
    better = _metrics(gate="ips_ndcg", ips_ndcg=0.91, live_ips_ndcg=0.875, promoted=True)
    assert outcome_of(better) == (
        Outcome.PROMOTED,
        "better on held-out decisions: IPS-weighted nDCG@10 0.9100 against the live model's 0.8750",
    )
    worse = _metrics(gate="ips_roc_auc", ips_roc_auc=0.7, live_ips_roc_auc=0.8, promoted=False)
    assert outcome_of(worse)[0] is Outcome.KEPT_LIVE
    assert "IPS-weighted ROC AUC 0.7000 against the live model's 0.8000" in outcome_of(worse)[1]


def _uow(client: TestClient) -> UnitOfWork:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime.uow()


def _refits(outcome: Outcome) -> float:
    return sample_value("kakehashi_matching_refits_total", {"outcome": outcome.value}) or 0.0


def _decide_everyone(client: TestClient, first_n4: int = 0) -> None:
    """Reject the N4s (from `first_n4` on) and propose everyone else: 64 labelled pairs."""
    n4 = range(first_n4, PER_LEVEL)
    bulk(client, [item(f"N4-{i:02}", "reject", reason_code="japanese_level") for i in n4])
    approved = [f"{level}-{i:02}" for level in LEVELS[1:] for i in range(PER_LEVEL)]
    bulk(client, [item(c, "propose") for c in approved])


pytestmark = pytest.mark.integration


def test_the_schedule_refits_when_due_records_each_attempt_and_counts_it(
    client: TestClient, market: EventApplier
) -> None:
    uow = _uow(client)
    settings = LearningSettings()
    schedule = RefitSchedule(min_new_decisions=50, min_interval=timedelta(0))
    bulk(client, [item(f"N4-{i:02}", "reject", reason_code="japanese_level") for i in range(5)])
    waiting = tick(uow, settings, schedule, "loop-a")
    assert (waiting.outcome, waiting.reason) == (None, "5 new decisions, 50 needed")
    assert client.get("/ranking-model/attempts", headers=MANAGER).json() == []

    _decide_everyone(client, first_n4=5)
    promoted_before = _refits(Outcome.PROMOTED)
    first = tick(uow, settings, schedule, "loop-a")
    assert first.outcome is Outcome.PROMOTED
    assert first.reason == "no live model: the first fit ranks"
    assert _refits(Outcome.PROMOTED) == promoted_before + 1
    [attempt] = client.get("/ranking-model/attempts", headers=MANAGER).json()
    live = client.get("/ranking-model", headers=MANAGER).json()
    assert attempt["trigger"] == "schedule"
    assert attempt["outcome"] == "promoted"
    assert attempt["fit_id"] == live["id"]
    assert attempt["new_decisions"] == 4 * PER_LEVEL  # every decision: none was read before
    assert attempt["metrics"] == live["metrics"]
    assert live["fitted_by"] == "matching-refit-loop"
    assert live["metrics"]["ips"] is True
    assert live["metrics"]["gate"] == "nothing_live"

    # Nothing new since: not due, however long ago.
    assert tick(uow, settings, schedule, "loop-a").outcome is None
    # A manual fit is an attempt too; the same decisions fit the same model, which is not
    # better than itself: kept for the record, the live one ranks on.
    manual = client.post("/ranking-model/fit", headers=MANAGER).json()
    assert manual["metrics"]["promoted"] is False
    assert manual["metrics"]["gate"] == "ips_ndcg"
    latest = client.get("/ranking-model/attempts", params={"limit": 1}, headers=MANAGER).json()
    assert [(a["trigger"], a["outcome"], a["new_decisions"]) for a in latest] == [
        ("manual", "kept_live", 0)
    ]
    assert latest[0]["reason"].startswith("not better on held-out decisions: IPS-weighted nDCG@10")
    assert (
        client.get("/ranking-model/attempts", params={"limit": 0}, headers=MANAGER).status_code
        == 422
    )

    # The console's panel says what the last attempt did, in the reader's language.
    client.cookies.set(SESSION_COOKIE, token_for("admin", "kakehashi"))
    for language, said in (
        ("en", "not better than the live model"),
        ("ja", "稼働中のモデルより良くない"),
    ):
        page = client.get("/console/", headers={"Accept-Language": language}).text
        assert re.search(r'data-refit-outcome="kept_live">[^<]*' + said, page), page[-3000:]


def test_an_attempt_with_too_few_labelled_pairs_is_recorded_and_waits_for_new_decisions(
    client: TestClient, market: EventApplier
) -> None:
    uow = _uow(client)
    schedule = RefitSchedule(min_new_decisions=3, min_interval=timedelta(0))
    bulk(client, [item(f"N4-{i:02}", "reject", reason_code="japanese_level") for i in range(4)])
    outcome = tick(uow, LearningSettings(), schedule, "loop-a")
    assert outcome.outcome is Outcome.NOT_ENOUGH_DECISIONS
    [attempt] = client.get("/ranking-model/attempts", headers=MANAGER).json()
    assert (attempt["outcome"], attempt["fit_id"], attempt["new_decisions"]) == (
        "not_enough_decisions",
        None,
        4,
    )
    assert attempt["reason"].startswith("not enough decisions: have 4 labelled pairs")
    assert tick(uow, LearningSettings(), schedule, "loop-a").outcome is None  # none new since


def test_a_held_lease_keeps_a_second_scheduler_out_until_it_expires(
    client: TestClient, market: EventApplier
) -> None:
    uow = _uow(client)
    _decide_everyone(client)
    schedule = RefitSchedule(min_new_decisions=1, min_interval=timedelta(0))
    now = datetime.now(UTC)
    assert take_lease(uow, "loop-a", now, now + timedelta(minutes=15))
    assert not take_lease(uow, "loop-b", now, now + timedelta(minutes=15))
    busy_before = _refits(Outcome.BUSY)
    assert tick(uow, LearningSettings(), schedule, "loop-b").outcome is Outcome.BUSY
    assert _refits(Outcome.BUSY) == busy_before + 1
    assert client.get("/ranking-model/attempts", headers=MANAGER).json() == []  # not recorded
    # The holder died: its lease expires, and the other scheduler takes over.
    assert take_lease(uow, "loop-b", now + timedelta(minutes=16), now + timedelta(minutes=31))
    release_lease(uow, "loop-b")
    assert tick(uow, LearningSettings(), schedule, "loop-b").outcome is Outcome.PROMOTED
    release_lease(uow, "loop-a")  # no longer its lease: changes nothing
    assert take_lease(uow, "loop-c", now, now + timedelta(minutes=15))


def test_a_failing_fit_is_recorded_counted_and_releases_the_lease(
    client: TestClient, market: EventApplier, monkeypatch: pytest.MonkeyPatch
) -> None:
    uow = _uow(client)
    _decide_everyone(client)
    schedule = RefitSchedule(min_new_decisions=1, min_interval=timedelta(0))

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("the solver diverged")

    monkeypatch.setattr(domain_learning, "fit", broken)
    failed_before = _refits(Outcome.FAILED)
    assert tick(uow, LearningSettings(), schedule, "loop-a").outcome is Outcome.FAILED
    assert _refits(Outcome.FAILED) == failed_before + 1
    [attempt] = client.get("/ranking-model/attempts", headers=MANAGER).json()
    assert (attempt["outcome"], attempt["fit_id"], attempt["metrics"]) == ("failed", None, None)
    assert attempt["reason"] == "the fit failed: RuntimeError: the solver diverged"
    now = datetime.now(UTC)
    assert take_lease(uow, "loop-b", now, now + timedelta(minutes=1))  # given back
    release_lease(uow, "loop-b")
    monkeypatch.undo()
    # The decisions it could not learn from still count as new: the next tick refits.
    assert tick(uow, LearningSettings(), schedule, "loop-a").outcome is Outcome.PROMOTED
    latest = client.get("/ranking-model/attempts", params={"limit": 1}, headers=MANAGER).json()
    assert latest[0]["new_decisions"] == 4 * PER_LEVEL


def test_two_schedulers_ticking_at_once_fit_once(client: TestClient, market: EventApplier) -> None:
    _decide_everyone(client)
    schedule = RefitSchedule(min_new_decisions=1, min_interval=timedelta(hours=1))
    results: dict[str, learning_schedule.Tick] = {}
    start = threading.Barrier(2)

    def run(holder: str) -> None:
        start.wait()
        results[holder] = tick(_uow(client), LearningSettings(), schedule, holder)

    threads = [threading.Thread(target=run, args=(h,)) for h in ("loop-a", "loop-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcomes = sorted(str(r.outcome) for r in results.values())
    # One fitted; the other found the lease taken, or (arriving after) nothing due any more.
    assert outcomes in (["None", "promoted"], ["busy", "promoted"]), results
    with _uow(client) as uow:
        assert len(uow.session.exec(select(RankingModelFit)).all()) == 1
        assert len(uow.session.exec(select(RefitAttempt)).all()) == 1
