"""What a new user's trial of the console found missing (issue #13): an order's own warnings
reach the program manager (codes from employers, shown in their language, never a preference's
value), the search finds an order by its employer's name in any script, and a candidate's
passed skills tests are shown where their skills are."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from conftest import auth, outbox_events, token_for
from kakehashi.employers.bootstrap import SPEC as EMPLOYERS
from kakehashi.matching.adapters.tables import CandidateView, JobOrderView
from kakehashi.matching.bootstrap import SPEC
from kakehashi.shared.events import EventEnvelope
from kakehashi.shared.ui.browser_session import SESSION_COOKIE
from services.matching.tests.market_events import (
    applier,
    candidate_event,
    order_event,
    organisation_event,
    runtime_of_client,
)

pytestmark = pytest.mark.integration
ENGLISH = {"Accept-Language": "en"}
BELOW_MINIMUM_WAGE = "pay below the prefecture's minimum wage"
SEX_PREFERENCE = (
    "the employer states a preference on sex (against fair selection; not used in matching)"
)
# An order as an employer in Aichi posts it: 170,000 yen a month for 40 h a week is about
# 981 yen an hour, below Aichi's minimum wage; and it states preferences on sex and age.
LOW_PAY_ORDER = {
    "title": "溶接工 / Welder",
    "sector": "construction",
    "prefecture": "Aichi",
    "headcount": 2,
    "min_japanese_level": "N4",
    "required_skills": [{"code": "welding", "min_level": 3, "must_have": True}],
    "status": "open",
    "track": "ssw1",
    "monthly_base_pay_yen": 170_000,
    "hours_per_week": 40,
    "preferred_sex": "male",
    "age_min": 20,
    "age_max": 30,
}


@pytest.fixture
def console(service_client: Any) -> TestClient:
    client: TestClient = service_client(SPEC)
    client.cookies.set(SESSION_COOKIE, token_for("program_manager", "pm-office"))
    return client


def _warnings_in_row(page: str, order_id: str) -> list[str]:
    row = page.split(f'<tr data-order="{order_id}">')[1].split("</tr>")[0]
    return [html.unescape(w) for w in re.findall(r'<div class="warning">⚠ ([^<]+)</div>', row)]


def _listed(page: str) -> list[str]:
    return re.findall(r'<tr data-order="([^"]+)"', page)


def test_an_order_posted_below_the_minimum_wage_warns_the_program_manager(
    service_client: Any, console: TestClient, tmp_path: Path
) -> None:
    """From the employer's form to the console: employers' own event, as its relay would send
    it, applied by matching's consumer (its applier), then the dashboard and the order's page."""
    employers: TestClient = service_client(
        EMPLOYERS, database_url=f"sqlite:///{tmp_path / 'employers.db'}"
    )
    posted = employers.post(
        "/job-orders", json=LOW_PAY_ORDER, headers=auth("employer", "emp-aichi")
    )
    assert posted.status_code == 201, posted.text
    order_id = posted.json()["id"]
    [event] = outbox_events(employers)
    assert event["data"]["warnings"] == ["sex_preference", "age_preference", "below_minimum_wage"]
    assert applier(console).apply(EventEnvelope.model_validate(event))

    board = console.get("/console/orders", headers=ENGLISH).text
    warnings = _warnings_in_row(board, order_id)
    assert BELOW_MINIMUM_WAGE in warnings
    assert SEX_PREFERENCE in warnings
    assert any("age range" in w for w in warnings)
    # The codes only: which sex or ages the employer wanted never reaches matching.
    for value in ("male", "20", "30"):
        assert not any(value in w for w in warnings)

    in_japanese = console.get("/console/orders?lang=ja").text
    assert "都道府県の最低賃金を下回っています" in " ".join(_warnings_in_row(in_japanese, order_id))
    in_vietnamese = console.get("/console/orders?lang=vi").text
    assert "thấp hơn mức lương tối thiểu" in " ".join(_warnings_in_row(in_vietnamese, order_id))

    order_page = console.get(f"/console/orders/{order_id}?lang=en").text
    box = order_page.split('id="order-warnings"')[1].split("</section>")[0]
    assert BELOW_MINIMUM_WAGE in html.unescape(box)


def test_warnings_of_the_terms_come_before_those_of_the_deadline_and_old_events_have_none(
    console: TestClient,
) -> None:
    market = applier(console)
    market.apply(
        order_event("o-warned", application_deadline="2020-01-31",
                    warnings=["overtime_above_standard_limit", "marital_status_preference",
                              "a_code_we_do_not_know_yet"])
    )  # fmt: skip
    market.apply(order_event("o-old"))  # an older producer: no `warnings` at all
    with Session(runtime_of_client(console).engine) as session:
        stored = session.get(JobOrderView, "o-warned")
        old = session.get(JobOrderView, "o-old")
        assert stored is not None
        assert old is not None
        assert stored.warnings == [
            "overtime_above_standard_limit",
            "marital_status_preference",
            "a_code_we_do_not_know_yet",
        ]
        assert old.warnings == []
    board = console.get("/console/orders", headers=ENGLISH).text
    assert _warnings_in_row(board, "o-warned") == [
        "overtime above the standard limit of an article 36 agreement",
        "the employer states a preference on marital status "
        "(against fair selection; not used in matching)",
        "a_code_we_do_not_know_yet",  # shown as it is rather than hidden
        "deadline passed with places unfilled",
    ]
    assert _warnings_in_row(board, "o-old") == []
    assert 'id="order-warnings"' not in console.get("/console/orders/o-old").text


def test_a_bad_warnings_field_is_refused_not_stored(console: TestClient) -> None:
    market = applier(console)
    with pytest.raises(ValueError, match="warnings"):
        market.apply(order_event("o-bad", warnings="below_minimum_wage"))
    with Session(runtime_of_client(console).engine) as session:
        assert session.get(JobOrderView, "o-bad") is None


def test_the_search_finds_an_order_by_its_employers_name_in_any_script(
    console: TestClient,
) -> None:
    market = applier(console)
    market.apply(
        organisation_event("emp-aichi", "Tanaka Kogyo Co., Ltd.", name_ja="株式会社田中工業",
                           name_vi="Công ty Tanaka Kōgyō")
    )  # fmt: skip
    market.apply(organisation_event("emp-osaka", "Naniwa Kaigo", name_ja="株式会社なにわ介護"))
    market.apply(order_event("o-aichi", employer="emp-aichi", title="Welder"))
    market.apply(order_event("o-osaka", employer="emp-osaka", title="Care worker"))

    def found(q: str) -> list[str]:
        answer = console.get("/console/orders", params={"q": q}, headers=ENGLISH)
        assert answer.status_code == 200, answer.text
        return _listed(answer.text)

    assert found("株式会社田中工業") == ["o-aichi"]
    assert found("田中") == ["o-aichi"]
    assert found("なにわ") == ["o-osaka"]
    assert sorted(found("株式会社")) == ["o-aichi", "o-osaka"]
    assert found("tanaka kogyo") == ["o-aichi"]  # Latin, and Vietnamese without its marks
    assert found("cong ty tanaka") == ["o-aichi"]
    assert found("emp-osaka") == ["o-osaka"]  # the id still finds it
    assert found("山田") == []


def test_passed_skills_tests_are_kept_and_shown_where_skills_are(console: TestClient) -> None:
    market = applier(console)
    market.apply(order_event("order-1"))
    skills = [{"code": "welding", "level": 3, "tests_passed": ["ssw1_construction"]}]
    market.apply(candidate_event("an", full_name="Nguyễn Thị Hằng", skills=skills))
    market.apply(candidate_event("binh", full_name="Trần Văn Bình"))  # no tests_passed at all
    with Session(runtime_of_client(console).engine) as session:
        an, binh = session.get(CandidateView, "an"), session.get(CandidateView, "binh")
        assert an is not None
        assert binh is not None
        assert an.skills == skills
        assert binh.skills[0].get("tests_passed", []) == []

    candidate = console.get("/console/candidates/an?lang=vi").text
    shown = candidate.split('id="tests-passed"')[1].split("</span></span>")[0]
    assert 'data-test="ssw1_construction"' in shown
    assert "Kỳ thi Kỹ năng đặc định số 1: Xây dựng" in shown  # the shared label, in Vietnamese
    assert 'id="tests-passed"' not in console.get("/console/candidates/binh").text

    ranked = console.get("/console/orders/order-1?lang=en").text
    row_an = ranked.split('data-candidate="an"')[1].split("</tr>")[0]
    row_binh = ranked.split('data-candidate="binh"')[1].split("</tr>")[0]
    assert "Skills tests passed" in row_an
    assert 'data-test="ssw1_construction"' in row_an
    assert "Skills tests passed" not in row_binh
