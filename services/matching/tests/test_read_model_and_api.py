"""The matching read model fed by events (applied as the consumer would), and the match list API."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import col, select

from conftest import auth
from kakehashi.matching.adapters.tables import CandidateView, ChangeSequence
from kakehashi.matching.bootstrap import SPEC
from kakehashi.matching.entrypoints.dependencies import services_of
from kakehashi.shared.applier import EventApplier, Position
from kakehashi.shared.events import CANDIDATE_EVENTS, EventEnvelope
from services.matching.tests.market_events import (
    applier,
    candidate_event,
    order_event,
    runtime_of_client,
    status_event,
)

pytestmark = pytest.mark.integration

MANAGER = auth("program_manager", "pm-office")
EMPLOYER = auth("employer", "emp-aichi")
OTHER_EMPLOYER = auth("employer", "emp-osaka")
CENTRE = auth("training_centre", "tc-tay-ninh")


@pytest.fixture
def client(service_client: Callable[..., TestClient]) -> TestClient:
    return service_client(SPEC)


@pytest.fixture
def consumer(client: TestClient) -> EventApplier:
    """The service's own event applier, without Kafka clients: events are handed to it here."""
    return applier(client)


def test_match_list_ranks_eligible_candidates_with_components_and_reasons(
    client: TestClient, consumer: EventApplier
) -> None:
    consumer.apply(order_event())
    consumer.apply(candidate_event("an", level="N3"))
    consumer.apply(candidate_event("binh", level="N4"))
    consumer.apply(candidate_event("cuong", level="N5"))  # below N4: not ranked
    consumer.apply(candidate_event("dung", sector="nursing_care"))  # another sector
    body = client.get("/job-orders/order-1/matches", headers=MANAGER).json()
    assert [m["candidate_id"] for m in body["matches"]] == ["an", "binh"]
    assert (body["candidates_evaluated"], body["candidates_eligible"]) == (3, 2)
    best = body["matches"][0]
    assert best["components"]["skills"] == 0.8  # met exactly: the surplus share is unearned
    assert 0 < best["score"] <= 1
    assert "Japanese N3 above the N4 required" in best["explanations"]


def test_a_redelivered_event_is_applied_once_and_an_older_version_is_ignored(
    client: TestClient, consumer: EventApplier
) -> None:
    consumer.apply(order_event())
    newer = candidate_event("an", version=2, level="N2")
    assert consumer.apply(newer) is True
    assert consumer.apply(newer) is False  # same event id: a no-op
    consumer.apply(candidate_event("an", version=1, level="N5"))  # late, older version
    [match] = client.get("/job-orders/order-1/matches", headers=MANAGER).json()["matches"]
    assert match["japanese_level"] == "N2"


def test_employers_see_only_their_own_orders_and_no_ranked_list(
    client: TestClient, consumer: EventApplier
) -> None:
    """The ranked list names candidates no program manager proposed: employers read the
    employer-safe shortlist of their own orders instead."""
    consumer.apply(order_event())
    assert client.get("/job-orders/order-1/matches", headers=EMPLOYER).status_code == 403
    assert client.get("/job-orders/order-1/shortlist", headers=EMPLOYER).status_code == 200
    assert client.get("/job-orders/order-1/shortlist", headers=OTHER_EMPLOYER).status_code == 404
    assert client.get("/job-orders/order-1/matches", headers=CENTRE).status_code == 403
    assert client.get("/job-orders/order-1/matches").status_code == 401
    assert client.get("/job-orders/missing/matches", headers=MANAGER).status_code == 404
    assert client.get("/job-orders", headers=OTHER_EMPLOYER).json()["total"] == 0
    assert client.get("/job-orders", headers=MANAGER).json()["total"] == 1


def _ranked(client: TestClient, order_id: str = "order-1") -> list[str]:
    return [
        m["candidate_id"]
        for m in client.get(f"/job-orders/{order_id}/matches", headers=MANAGER).json()["matches"]
    ]


def test_a_selected_candidate_leaves_other_lists_and_a_late_status_is_ignored(
    client: TestClient, consumer: EventApplier
) -> None:
    consumer.apply(order_event())
    consumer.apply(candidate_event("an"))
    consumer.apply(candidate_event("binh"))
    consumer.apply(status_event("candidate.status_changed", "candidate_id", "an", 3, "selected"))
    consumer.apply(status_event("candidate.status_changed", "candidate_id", "an", 2, "shortlisted"))
    assert _ranked(client) == ["binh"]


def test_an_erased_candidate_is_dropped_and_stays_dropped(
    client: TestClient, consumer: EventApplier
) -> None:
    consumer.apply(order_event())
    consumer.apply(candidate_event("an"))
    consumer.apply(
        EventEnvelope.new(
            type="candidate.erased",
            source="test",
            subject="an",
            data={"candidate_id": "an", "version": 2},
        )
    )
    consumer.apply(candidate_event("an", version=5))  # a late or replayed snapshot
    assert _ranked(client) == []


def test_closed_orders_are_not_matched_and_updates_carry_the_agreed_fields(
    client: TestClient, consumer: EventApplier
) -> None:
    consumer.apply(order_event())
    consumer.apply(
        candidate_event(
            "an",
            version=2,
            date_of_birth="2001-04-02",
            available_from="2027-01-15",
            eligible_tracks=["ssw1"],
            desired_prefectures=["Aichi"],
            experience_years=2.5,
        )
    )
    assert _ranked(client) == ["an"]
    consumer.apply(status_event("job_order.closed", "job_order_id", "order-1", 2, "closed"))
    body = client.get("/job-orders/order-1/matches", headers=MANAGER).json()
    assert (body["status"], body["matches"]) == ("closed", [])


def test_candidates_missing_data_are_listed_apart_with_what_is_missing(
    client: TestClient, consumer: EventApplier
) -> None:
    consumer.apply(order_event())
    consumer.apply(candidate_event("an"))
    consumer.apply(candidate_event("binh", date_of_birth=None))
    consumer.apply(candidate_event("cuong", level="N5"))
    body = client.get("/job-orders/order-1/matches", headers=MANAGER).json()
    assert [m["candidate_id"] for m in body["matches"]] == ["an"]
    assert body["needs_data"] == [
        {
            "candidate_id": "binh",
            "full_name": "Nguyễn Văn binh",
            "name_vi": None,
            "name_katakana": None,
            "missing": ["age"],
        }
    ]
    assert body["excluded_by"]["japanese_level"] == 1


def test_the_api_index_pulls_only_changes_and_rebuilds_only_touched_sectors(
    client: TestClient, consumer: EventApplier
) -> None:
    consumer.apply(order_event())
    consumer.apply(candidate_event("an"))
    consumer.apply(candidate_event("mai", sector="nursing_care"))
    assert _ranked(client) == ["an"]
    index = services_of(client.app).candidate_index
    uow = runtime_of_client(client).uow()
    construction, nursing = index.sector(uow, "construction"), index.sector(uow, "nursing_care")
    assert index.sector(uow, "construction") is construction  # nothing changed: same pool
    consumer.apply(candidate_event("binh"))
    assert _ranked(client) == ["an", "binh"]
    assert index.sector(uow, "nursing_care") is nursing  # untouched sector kept its pool
    consumer.apply(candidate_event("an", version=2, sector="nursing_care"))  # moved sector
    assert _ranked(client) == ["binh"]
    assert [r.candidate_id for r in index.sector(uow, "nursing_care").rows] == ["an", "mai"]


def test_the_allocation_proposal_places_each_candidate_once_and_beats_greedy(
    client: TestClient, consumer: EventApplier
) -> None:
    # Greedy gives "an" (best everywhere) to order-1, leaving order-2 with nobody it accepts.
    consumer.apply(order_event("order-1", headcount=1))
    consumer.apply(order_event("order-2", min_japanese_level="N2", headcount=1))
    consumer.apply(candidate_event("an", level="N1"))
    consumer.apply(candidate_event("binh", level="N4"))
    body = client.get("/allocations/proposal?sector=construction", headers=MANAGER).json()
    placed = {(p["job_order_id"], p["candidate_id"]) for p in body["placements"]}
    assert placed == {("order-2", "an"), ("order-1", "binh")}
    assert (body["slots"], body["placed"], body["fill_rate"]) == (2, 2, 1.0)
    assert body["greedy_fill_rate"] == 0.5
    assert body["total_score"] > body["greedy_total_score"]
    assert body["gain_over_greedy"] > 0
    assert client.get("/allocations/proposal", headers=EMPLOYER).status_code == 403


def test_an_unpublished_candidate_leaves_the_lists_until_published_again(
    client: TestClient, consumer: EventApplier
) -> None:
    consumer.apply(order_event())
    consumer.apply(candidate_event("an"))
    unpublished = {"candidate_id": "an", "version": 2}
    consumer.apply(
        EventEnvelope.new(
            type="candidate.unpublished", source="test", subject="an", data=unpublished
        )
    )
    assert _ranked(client) == []
    consumer.apply(candidate_event("an", version=3))  # consent given again: a fresh snapshot
    assert _ranked(client) == ["an"]


def test_ranked_orders_for_a_candidate_with_reasons_and_tenancy(
    client: TestClient, consumer: EventApplier
) -> None:
    consumer.apply(order_event("order-1"))
    consumer.apply(order_event("order-2", min_japanese_level="N5", required_skills=[]))
    consumer.apply(order_event("order-3", min_japanese_level="N1"))
    consumer.apply(candidate_event("an", level="N3"))
    body = client.get("/candidates/an/matches", headers=MANAGER).json()
    assert [m["job_order_id"] for m in body["matches"]] == [
        "order-2",
        "order-1",
    ]  # order-3 needs N1
    assert body["matches"][0]["score"] >= body["matches"][1]["score"]
    assert "Japanese N3 above the N5 required" in body["matches"][0]["explanations"]
    assert client.get("/candidates/an/matches", headers=CENTRE).status_code == 200  # their own
    assert (
        client.get(
            "/candidates/an/matches", headers=auth("training_centre", "tc-other")
        ).status_code
        == 404
    )
    assert client.get("/candidates/an/matches", headers=EMPLOYER).status_code == 403


def test_filters_narrow_the_list_without_changing_scores(
    client: TestClient, consumer: EventApplier
) -> None:
    consumer.apply(order_event())
    consumer.apply(candidate_event("an", level="N2"))
    consumer.apply(candidate_event("binh", level="N4", province="Nghệ An"))
    full = client.get("/job-orders/order-1/matches", headers=MANAGER).json()["matches"]
    scores = {m["candidate_id"]: m["score"] for m in full}
    narrowed = client.get("/job-orders/order-1/matches?province=Nghệ An", headers=MANAGER).json()[
        "matches"
    ]
    assert [(m["candidate_id"], m["score"]) for m in narrowed] == [("binh", scores["binh"])]
    by_level = client.get(
        "/job-orders/order-1/matches?min_japanese_level=N3", headers=MANAGER
    ).json()
    assert [m["candidate_id"] for m in by_level["matches"]] == ["an"]
    above = client.get(
        f"/job-orders/order-1/matches?min_score={scores['binh'] + 0.001}", headers=MANAGER
    ).json()
    assert [m["candidate_id"] for m in above["matches"]] == ["an"]
    assert client.get("/job-orders/order-1/matches?min_score=2", headers=MANAGER).status_code == 422


def test_events_applied_together_number_their_changes_in_order_and_reach_the_index(
    client: TestClient, consumer: EventApplier
) -> None:
    consumer.apply(order_event())
    assert _ranked(client) == []
    batch = [
        candidate_event("an"),
        candidate_event("binh"),
        candidate_event("an", version=2, level="N2"),  # a newer snapshot in the same batch
        status_event("candidate.status_changed", "candidate_id", "binh", 2, "withdrawn"),
        candidate_event("cuong", level="N3"),
    ]
    placed = [(event, Position(CANDIDATE_EVENTS, 0, n)) for n, event in enumerate(batch)]
    assert consumer.apply_together(placed) == 5
    uow = runtime_of_client(client).uow()
    with uow:
        rows = uow.session.exec(select(CandidateView).order_by(col(CandidateView.change_seq)))
        numbered = [(row.candidate_id, row.change_seq) for row in rows]
        counter = uow.session.get(ChangeSequence, "candidates")
        assert counter is not None
        # One number per change, ascending in the batch's order: an's second snapshot came
        # after binh's registration, and binh's withdrawal after that.
        assert numbered == [("an", 3), ("binh", 4), ("cuong", 5)]
        assert counter.value == 5
    assert _ranked(client) == ["an", "cuong"]


def test_a_candidate_erased_inside_a_batch_stays_erased_whatever_follows_it(
    client: TestClient, consumer: EventApplier
) -> None:
    consumer.apply(order_event())
    consumer.apply(candidate_event("an"))
    erased = EventEnvelope.new(
        type="candidate.erased", source="test", subject="an", data={"candidate_id": "an"}
    )
    batch = [
        candidate_event("an", version=2, level="N2"),
        erased,
        candidate_event("an", version=3),  # late or replayed: the tombstone wins
        candidate_event("binh"),
        candidate_event("binh", version=2, level="N3"),
    ]
    placed = [(event, Position(CANDIDATE_EVENTS, 0, n)) for n, event in enumerate(batch)]
    assert consumer.apply_together(placed) == 5
    uow = runtime_of_client(client).uow()
    with uow:
        assert uow.session.get(CandidateView, "an") is None
        binh = uow.session.get(CandidateView, "binh")
        assert binh is not None
        assert (binh.version, binh.japanese_level) == (2, "N3")
    assert _ranked(client) == ["binh"]


def test_a_batch_reads_its_candidates_in_a_fixed_number_of_queries(
    client: TestClient, consumer: EventApplier
) -> None:
    runtime = runtime_of_client(client)
    consumer.apply(candidate_event("known"))
    selects: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    def batch_of(size: int, first: int) -> list[tuple[EventEnvelope, Position]]:
        events = [candidate_event(f"c-{first + n}") for n in range(size)]
        events.append(candidate_event("known", version=first + 2))
        return [(e, Position(CANDIDATE_EVENTS, 0, first + n)) for n, e in enumerate(events)]

    event.listen(runtime.engine, "before_cursor_execute", note)
    try:
        consumer.apply_together(batch_of(5, 0))
        few = len(selects)
        selects.clear()
        consumer.apply_together(batch_of(50, 100))
    finally:
        event.remove(runtime.engine, "before_cursor_execute", note)
    assert len(selects) == few  # the same queries for 51 events as for 6
