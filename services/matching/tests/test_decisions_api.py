"""Program managers' decisions on match pairs, employers' shortlists and interview results."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import auth, outbox_events
from kakehashi.matching.bootstrap import SPEC
from kakehashi.matching.domain.learning import FEATURES
from kakehashi.matching.service_layer.learning import decision_rows
from kakehashi.shared.applier import EventApplier
from kakehashi.shared.events import EventEnvelope
from services.matching.tests.market_events import (
    applier,
    candidate_event,
    order_event,
    runtime_of_client,
    status_event,
)

pytestmark = pytest.mark.integration

MANAGER = auth("program_manager", "pm-office")
ADMIN = auth("admin", "kakehashi")
EMPLOYER = auth("employer", "emp-aichi")
OTHER_EMPLOYER = auth("employer", "emp-osaka")
CENTRE = auth("training_centre", "tc-tay-ninh")


@pytest.fixture
def client(service_client: Any) -> TestClient:
    client: TestClient = service_client(SPEC)
    return client


@pytest.fixture
def market(client: TestClient) -> EventApplier:
    consumer = applier(client)
    consumer.apply(order_event("order-1", headcount=1))
    consumer.apply(order_event("order-2"))
    for name in ("an", "binh", "cuong"):
        consumer.apply(candidate_event(name))
    consumer.apply(candidate_event("duc", level="N5"))  # below the N4 the orders require
    return consumer


def decide(client: TestClient, candidate: str, action: str, order: str = "order-1", **body: Any):  # type: ignore[no-untyped-def]
    return client.post(
        f"/job-orders/{order}/candidates/{candidate}/decisions",
        json={"action": action} | body,
        headers=MANAGER,
    )


def match_events(client: TestClient) -> list[dict[str, Any]]:
    return [e["data"] for e in outbox_events(client) if e["type"] == "match.status_changed"]


def test_a_pair_goes_from_shortlist_to_selection_and_each_step_is_an_event_and_audited(
    client: TestClient, market: EventApplier
) -> None:
    assert decide(client, "an", "shortlist").json()["status"] == "shortlisted"
    assert decide(client, "an", "propose").json()["status"] == "proposed"
    interview = client.post(
        "/job-orders/order-1/candidates/an/interview",
        json={"result": "pass", "note": "good welding test"},
        headers=EMPLOYER,
    )
    assert interview.status_code == 200, interview.text
    selected = decide(client, "an", "select").json()
    assert (selected["status"], selected["version"]) == ("selected", 4)

    events = match_events(client)
    assert [(e["previous_status"], e["status"], e["version"]) for e in events] == [
        (None, "shortlisted", 1),
        ("shortlisted", "proposed", 2),
        ("proposed", "interviewed", 3),
        ("interviewed", "selected", 4),
    ]
    assert {e["match_id"] for e in events} == {"order-1:an"}
    # Who decided travels as a role and an office or company, never as the person.
    manager_org, employer_org = "pm-office", "emp-aichi"
    assert [(e["decided_by_role"], e["decided_by_organisation_id"]) for e in events] == [
        ("program_manager", manager_org),
        ("program_manager", manager_org),
        ("employer", employer_org),
        ("program_manager", manager_org),
    ]
    history = client.get("/job-orders/order-1/decisions", headers=MANAGER).json()
    assert [(h["action"], h["decided_by_role"]) for h in history] == [
        ("shortlist", "program_manager"),
        ("propose", "program_manager"),
        ("interview", "employer"),
        ("select", "program_manager"),
    ]
    assert history[0]["score"] is not None  # the score the decision was taken on
    # What learning fits on: the components, and the pair features beside them.
    with runtime_of_client(client).uow() as uow:
        recorded = decision_rows(uow)
    assert [r.action for r in recorded][:2] == ["shortlist", "propose"]
    assert recorded[0].components is not None
    assert set(recorded[0].components) == set(FEATURES)
    assert history[2]["note"] == "good welding test"


def test_only_program_managers_decide(client: TestClient, market: EventApplier) -> None:
    url = "/job-orders/order-1/candidates/an/decisions"
    for headers in (CENTRE, EMPLOYER, ADMIN):
        response = client.post(url, json={"action": "shortlist"}, headers=headers)
        assert response.status_code == 403
    assert client.post(url, json={"action": "shortlist"}).status_code == 401
    bulk = {"decisions": [{"job_order_id": "order-1", "candidate_id": "an", "action": "shortlist"}]}
    assert client.post("/decisions/bulk", json=bulk, headers=EMPLOYER).status_code == 403
    assert client.post("/job-orders/order-1/candidates/an/undo", headers=CENTRE).status_code == 403
    assert match_events(client) == []


def test_bad_decisions_are_refused_with_the_reason(
    client: TestClient, market: EventApplier
) -> None:
    no_reason = decide(client, "an", "reject")
    assert no_reason.status_code == 422
    assert "reason code" in no_reason.text
    other_without_note = decide(client, "an", "reject", reason_code="other")
    assert other_without_note.status_code == 422
    assert "note" in other_without_note.text
    unknown = decide(client, "an", "hire")
    assert unknown.status_code == 422
    assert "action" in unknown.text
    skipping = decide(client, "an", "select")
    assert skipping.status_code == 409
    assert "cannot go from undecided to selected" in skipping.json()["detail"]
    below_floor = decide(client, "duc", "shortlist")
    assert below_floor.status_code == 409
    assert "hard constraints" in below_floor.json()["detail"]
    assert decide(client, "nobody", "shortlist").status_code == 404
    assert decide(client, "an", "shortlist", order="order-9").status_code == 404
    rejected = decide(client, "an", "reject", reason_code="japanese_level", note="N4 weak")
    assert rejected.json()["status"] == "rejected"
    assert decide(client, "an", "shortlist").status_code == 409  # final, except by undo
    # The event carries the reason's code (the training centre is told why), never the note.
    (event,) = match_events(client)
    assert (event["status"], event["reason_code"]) == ("rejected", "japanese_level")
    assert "N4 weak" not in str(event)


def test_selection_respects_headcount_and_one_order_per_candidate(
    client: TestClient, market: EventApplier
) -> None:
    for name in ("an", "binh"):
        for step in ("shortlist", "propose"):
            assert decide(client, name, step).status_code == 200
        client.post(
            f"/job-orders/order-1/candidates/{name}/interview",
            json={"result": "pass"},
            headers=EMPLOYER,
        )
    assert decide(client, "an", "select").status_code == 200
    full = decide(client, "binh", "select")  # order-1 has a headcount of 1
    assert full.status_code == 409
    assert "headcount" in full.json()["detail"]
    for step in ("shortlist", "propose"):
        decide(client, "an", step, order="order-2")
    client.post(
        "/job-orders/order-2/candidates/an/interview", json={"result": "pass"}, headers=EMPLOYER
    )
    twice = decide(client, "an", "select", order="order-2")
    assert twice.status_code == 409
    assert "already selected" in twice.json()["detail"]


def test_bulk_decisions_are_all_or_nothing(client: TestClient, market: EventApplier) -> None:
    def item(candidate: str, action: str = "shortlist") -> dict[str, str]:
        return {"job_order_id": "order-2", "candidate_id": candidate, "action": action}

    refused = client.post(
        "/decisions/bulk",
        json={"decisions": [item("an"), item("binh"), item("cuong", "select")]},
        headers=MANAGER,
    )
    assert refused.status_code == 409
    assert refused.json()["detail"][0]["loc"] == ["body", "decisions", 2]
    assert client.get("/job-orders/order-2/shortlist", headers=MANAGER).json()["entries"] == []
    assert match_events(client) == []

    done = client.post(
        "/decisions/bulk",
        json={"decisions": [item("an"), item("binh"), item("cuong")]},
        headers=MANAGER,
    )
    assert done.status_code == 200
    assert [p["status"] for p in done.json()] == ["shortlisted"] * 3
    assert len(match_events(client)) == 3


def test_undo_within_the_window_restores_the_previous_status(
    client: TestClient, market: EventApplier
) -> None:
    decide(client, "an", "shortlist")
    decide(client, "an", "reject", reason_code="employer_preference")
    undone = client.post("/job-orders/order-1/candidates/an/undo", headers=MANAGER)
    assert undone.status_code == 200
    assert (undone.json()["status"], undone.json()["version"]) == ("shortlisted", 3)
    again = client.post("/job-orders/order-1/candidates/an/undo", headers=MANAGER)
    assert again.status_code == 409  # an undo is not itself undone
    last = match_events(client)[-1]
    assert (last["previous_status"], last["status"], last["action"]) == (
        "rejected",
        "shortlisted",
        "undo",
    )
    first = client.post("/job-orders/order-1/candidates/binh/undo", headers=MANAGER)
    assert first.status_code == 409  # nothing decided yet


def test_undoing_a_pairs_first_decision_returns_it_to_no_decision(
    client: TestClient, market: EventApplier
) -> None:
    decide(client, "binh", "propose")
    undone = client.post("/job-orders/order-1/candidates/binh/undo", headers=MANAGER)
    assert undone.status_code == 200
    assert undone.json()["status"] == "undecided"  # was: withdrawn
    assert match_events(client)[-1]["status"] == "undecided"
    again = decide(client, "binh", "reject", reason_code="skills")  # as from no decision
    assert again.status_code == 200, again.text


def test_undo_after_the_window_is_refused(service_client: Any) -> None:
    client: TestClient = service_client(SPEC, undo_window_minutes=0)
    consumer = applier(client)
    consumer.apply(order_event())
    consumer.apply(candidate_event("an"))
    decide(client, "an", "shortlist")
    late = client.post("/job-orders/order-1/candidates/an/undo", headers=MANAGER)
    assert late.status_code == 409
    assert "only within 0 minutes" in late.json()["detail"]


def test_an_employer_sees_only_candidates_proposed_to_its_own_order_without_private_data(
    client: TestClient, market: EventApplier
) -> None:
    decide(client, "an", "shortlist")
    decide(client, "binh", "shortlist")
    decide(client, "binh", "propose")
    mine = client.get("/job-orders/order-1/shortlist", headers=EMPLOYER).json()
    [entry] = mine["entries"]
    assert entry["status"] == "proposed"
    assert set(entry["candidate"]) == {
        "candidate_id",
        "full_name",
        "name_vi",
        "name_katakana",
        "age",
        "province",
        "japanese_level",
        "skills",
        "experience_years",
        "available_from",
    }
    assert entry["candidate"]["full_name"] == "Nguyễn Văn binh"
    everyone = client.get("/job-orders/order-1/shortlist", headers=MANAGER).json()
    assert len(everyone["entries"]) == 2
    assert client.get("/job-orders/order-1/shortlist", headers=OTHER_EMPLOYER).status_code == 404
    assert client.get("/job-orders/order-1/shortlist", headers=CENTRE).status_code == 403
    # Interview results: only for a proposed candidate, only by the order's own employer.
    url = "/job-orders/order-1/candidates/{}/interview"
    assert (
        client.post(url.format("an"), json={"result": "pass"}, headers=EMPLOYER).status_code == 409
    )
    other = client.post(url.format("binh"), json={"result": "pass"}, headers=OTHER_EMPLOYER)
    assert other.status_code == 404
    failed = client.post(
        url.format("binh"), json={"result": "fail", "note": "no show"}, headers=EMPLOYER
    )
    assert failed.json()["status"] == "rejected"
    history = client.get(
        "/job-orders/order-1/decisions", params={"candidate_id": "binh"}, headers=MANAGER
    ).json()
    assert (history[-1]["reason_code"], history[-1]["note"]) == ("interview_failed", "no show")
    assert match_events(client)[-1]["reason_code"] == "interview_failed"


def test_an_employer_never_sees_a_rejection_of_someone_never_proposed_to_it(
    client: TestClient, market: EventApplier
) -> None:
    """The program office's own rejections are its business; the employer hears of a rejection
    (its own interview's, or the office's) only for a candidate proposed to it."""
    for candidate, action, body in (
        ("an", "reject", {"reason_code": "skills", "note": "not enough welding"}),
        ("binh", "propose", {}),
        ("binh", "reject", {"reason_code": "skills"}),
    ):
        decided = decide(client, candidate, action, **body)
        assert decided.status_code in (200, 201), decided.text
    entries = client.get("/job-orders/order-1/shortlist", headers=EMPLOYER).json()["entries"]
    assert [(e["candidate"]["candidate_id"], e["status"]) for e in entries] == [
        ("binh", "rejected")
    ]
    everyone = client.get("/job-orders/order-1/shortlist", headers=MANAGER).json()["entries"]
    assert len(everyone) == 2


def test_an_employer_no_longer_sees_a_candidate_who_withdrew_consent_to_share(
    client: TestClient, market: EventApplier
) -> None:
    decide(client, "binh", "propose")
    shown = client.get("/job-orders/order-1/shortlist", headers=EMPLOYER).json()["entries"]
    assert shown[0]["candidate"]["full_name"] == "Nguyễn Văn binh"
    unpublished = {"candidate_id": "binh", "version": 2}
    market.apply(
        EventEnvelope.new(
            type="candidate.unpublished", source="test", subject="binh", data=unpublished
        )
    )
    [entry] = client.get("/job-orders/order-1/shortlist", headers=EMPLOYER).json()["entries"]
    assert entry["status"] == "proposed"  # the pair stays; the profile is no longer shared
    assert entry["candidate"] is None
    sheet = client.get("/job-orders/order-1/shortlist.xlsx", headers=EMPLOYER)
    assert sheet.status_code == 200
    assert b"binh" not in sheet.content
    # The program office still sees whom the pair is about.
    [manager_entry] = client.get("/job-orders/order-1/shortlist", headers=MANAGER).json()["entries"]
    assert manager_entry["candidate"]["candidate_id"] == "binh"


def test_a_withdrawn_or_erased_candidate_leaves_every_order(
    client: TestClient, market: EventApplier
) -> None:
    decide(client, "an", "shortlist")
    decide(client, "an", "shortlist", order="order-2")
    decide(client, "binh", "shortlist")
    market.apply(status_event("candidate.status_changed", "candidate_id", "an", 2, "withdrawn"))
    statuses = {(e["job_order_id"], e["candidate_id"]): e["status"] for e in match_events(client)}
    assert statuses == {
        ("order-1", "an"): "withdrawn",
        ("order-2", "an"): "withdrawn",
        ("order-1", "binh"): "shortlisted",
    }
    matches = client.get("/job-orders/order-1/matches", headers=MANAGER).json()["matches"]
    assert "an" not in {m["candidate_id"] for m in matches}  # the list follows the status

    client.post(
        "/job-orders/order-1/candidates/binh/decisions",
        json={"action": "reject", "reason_code": "other", "note": "told us about family"},
        headers=MANAGER,
    )
    erased = {"candidate_id": "binh", "version": 2}
    from kakehashi.shared.events import EventEnvelope

    market.apply(
        EventEnvelope.new(type="candidate.erased", source="test", subject="binh", data=erased)
    )
    history = client.get(
        "/job-orders/order-1/decisions", params={"candidate_id": "binh"}, headers=MANAGER
    ).json()
    assert [h["note"] for h in history] == [None, None]  # free text about them is gone
    [entry] = [
        e
        for e in client.get("/job-orders/order-1/shortlist", headers=MANAGER).json()["entries"]
        if e["match_id"] == "order-1:binh"
    ]
    assert entry["candidate"] is None


def _refusal(candidate: str, order: str, match_version: int, reason: str) -> EventEnvelope:
    return EventEnvelope.new(
        type="candidate.match_refused",
        source="test",
        subject=candidate,
        data={
            "match_id": f"{order}:{candidate}",
            "job_order_id": order,
            "candidate_id": candidate,
            "match_version": match_version,
            "status": "selected",
            "reason_code": reason,
            "message": "the candidate is selected for another order",
        },
    )


def test_a_refused_decision_is_marked_on_the_pair_and_holds_no_place(
    client: TestClient, market: EventApplier
) -> None:
    for step in ("shortlist", "propose"):
        assert decide(client, "an", step).status_code == 200
    client.post("/job-orders/order-1/candidates/an/interview", json={"result": "pass"}, headers=EMPLOYER)  # fmt: skip
    selected = decide(client, "an", "select")
    assert selected.status_code == 200
    version = selected.json()["version"]
    assert market.apply(_refusal("an", "order-1", version - 1, "withdrawn"))  # stale: ignored
    shortlist = client.get("/job-orders/order-1/shortlist", headers=MANAGER).json()
    assert (shortlist["selected"], shortlist["entries"][0]["refusal_code"]) == (1, None)

    assert market.apply(_refusal("an", "order-1", version, "selected_elsewhere"))
    shortlist = client.get("/job-orders/order-1/shortlist", headers=MANAGER).json()
    entry = shortlist["entries"][0]
    assert (entry["status"], entry["refusal_code"]) == ("selected", "selected_elsewhere")
    assert entry["refusal_message"] == "the candidate is selected for another order"
    assert shortlist["selected"] == 0  # the refused selection holds no place
    for step in ("shortlist", "propose"):
        decide(client, "binh", step)
    client.post("/job-orders/order-1/candidates/binh/interview", json={"result": "pass"}, headers=EMPLOYER)  # fmt: skip
    assert decide(client, "binh", "select").status_code == 200  # headcount 1, yet free

    withdrawn = decide(client, "an", "withdraw")
    assert withdrawn.json()["refusal_code"] is None  # a new decision clears the refusal


def test_match_lists_show_each_candidates_pipeline_status(
    client: TestClient, market: EventApplier
) -> None:
    market.apply(
        EventEnvelope.new(
            type="candidate.status_changed",
            source="test",
            subject="an",
            data={
                "candidate_id": "an",
                "version": 2,
                "status": "shortlisted",
                "previous_status": "in_training",
                "reason": None,
                "training_status": "in_training",
            },
        )
    )
    matches = client.get("/job-orders/order-1/matches", headers=MANAGER).json()["matches"]
    by_id = {m["candidate_id"]: m for m in matches}
    assert (by_id["an"]["pipeline_status"], by_id["an"]["training_status"]) == (
        "shortlisted",
        "in_training",
    )
    assert (by_id["binh"]["pipeline_status"], by_id["binh"]["training_status"]) == (
        "registered",
        None,
    )


def test_allocation_leaves_out_rejected_pairs_and_counts_selections_against_headcount(
    client: TestClient, market: EventApplier
) -> None:
    def placed() -> set[tuple[str, str]]:
        body = client.get("/allocations/proposal?sector=construction", headers=MANAGER).json()
        return {(p["job_order_id"], p["candidate_id"]) for p in body["placements"]}

    first = placed()
    [(_, on_order_1)] = [pair for pair in first if pair[0] == "order-1"]  # headcount 1
    rejected = decide(client, on_order_1, "reject", reason_code="skills")
    assert rejected.status_code in (200, 201), rejected.text
    second = placed()
    assert ("order-1", on_order_1) not in second
    assert any(order == "order-1" for order, _ in second)  # someone else takes the place
    # A selection holds order-1's only place: nobody more is proposed for it.
    [(_, other)] = [pair for pair in second if pair[0] == "order-1"]
    assert decide(client, other, "propose").status_code in (200, 201)
    interview = client.post(
        f"/job-orders/order-1/candidates/{other}/interview",
        json={"result": "pass"},
        headers=EMPLOYER,
    )
    assert interview.status_code == 200, interview.text
    assert decide(client, other, "select").status_code in (200, 201)
    assert not any(order == "order-1" for order, _ in placed())
