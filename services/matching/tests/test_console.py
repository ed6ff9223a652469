"""The review console's pages: sign-in, roles, decisions through htmx, languages, charts."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from conftest import outbox_events, token_for
from kakehashi.matching.adapters.tables import RankingModelFit
from kakehashi.matching.bootstrap import SPEC
from kakehashi.shared.ui.browser_session import SESSION_COOKIE
from services.matching.tests.market_events import (
    applier,
    candidate_event,
    order_event,
    organisation_event,
    runtime_of_client,
)

pytestmark = pytest.mark.integration
HTMX = {"HX-Request": "true"}


def token(role: str, organisation: str) -> str:
    return token_for(role, organisation)


@pytest.fixture
def client(service_client: Any) -> TestClient:
    client: TestClient = service_client(SPEC)
    market = applier(client)
    market.apply(order_event("order-1", application_deadline="2020-01-31"))
    market.apply(order_event("order-2", employer="emp-osaka", title="介護職 / Care worker"))
    market.apply(candidate_event("an", full_name="Nguyễn Thị Hằng", level="N3"))
    market.apply(candidate_event("binh", full_name="Trần Văn Bình"))
    market.apply(candidate_event("cuong", level="N5"))  # below the floor
    return client


def sign_in(client: TestClient, role: str = "program_manager", org: str = "pm-office") -> None:
    """The single sign-on's cookie, as identity sets it after a password sign-in."""
    client.cookies.set(SESSION_COOKIE, token(role, org))


def test_pages_need_a_session_and_a_bad_token_is_refused(client: TestClient) -> None:
    response = client.get("/console/orders/order-1?x=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == (
        "http://127.0.0.1:8004/session/refresh?next="
        + quote("http://127.0.0.1:8003/console/orders/order-1?x=1", safe="")
    )
    client.cookies.set(SESSION_COOKIE, "not-a-token")
    assert client.get("/console/orders", follow_redirects=False).status_code == 303
    htmx = client.post("/console/ranking-model/fit", headers=HTMX)
    assert htmx.headers["HX-Redirect"].startswith("http://127.0.0.1:8004/session/refresh?next=")
    # The console's own sign-in (token paste, demo) exists in development only.
    assert client.get("/console/sign-in").status_code == 404
    assert client.post("/console/sign-in", data={"token": token("admin", "x")}).status_code == 404
    demo = client.post("/console/demo-sign-in", data={"role": "admin", "organisation_id": "x"})
    assert demo.status_code == 404


def test_dashboard_shows_open_orders_fill_rates_deadlines_and_warnings(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/console/orders", headers={"Accept-Language": "en"}).text
    assert "溶接工 / Welder" in page
    assert "介護職 / Care worker" in page
    assert "deadline passed with places unfilled" in page
    assert page.count('class="bar"') >= 2  # fill-rate charts by sector and prefecture
    assert 'data-label="Aichi"' in page


def test_a_program_manager_ranks_filters_and_decides_through_htmx(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/console/orders/order-1", headers={"Accept-Language": "en"}).text
    ranked = re.findall(r'<tr data-candidate="([^"]+)">', page.split('id="matches"')[1])
    assert ranked == ["an", "binh"]  # cuong is below the N4 floor
    assert "Nguyễn Thị Hằng" in page
    assert "Japanese N3 above the N4 required" in page
    counts = [int(n) for n in re.findall(r'data-count="(\d+)"', page)]
    assert sum(counts) == 2  # the histogram counts the eligible candidates
    filtered = client.get(
        "/console/orders/order-1", params={"min_japanese_level": "N3"}, headers=HTMX
    ).text
    assert filtered.startswith('<section id="matches">')  # only the list is re-rendered
    assert re.findall(r'<tr data-candidate="([^"]+)">', filtered) == ["an"]

    url = "/console/orders/order-1/candidates/an/decide"
    assert client.post(url, data={"action": "shortlist"}).status_code == 403  # not from htmx
    cell = client.post(url, data={"action": "shortlist"}, headers=HTMX)
    assert cell.status_code == 200
    assert 'class="status status-shortlisted"' in cell.text
    refused = client.post(url, data={"action": "select"}, headers=HTMX)
    assert "cannot go from shortlisted to selected" in refused.text
    no_reason = client.post(url, data={"action": "reject"}, headers=HTMX)
    assert "needs a reason code" in no_reason.text
    undone = client.post("/console/orders/order-1/candidates/an/undo", headers=HTMX)
    assert "status-shortlisted" not in undone.text
    # Undoing the pair's first decision returns it to no decision, not "withdrawn".
    assert 'class="status status-undecided">chưa quyết định<' in undone.text  # "no decision"
    assert "status-withdrawn" not in undone.text
    assert 'value="shortlist"' in undone.text
    events = [
        e["data"]["status"] for e in outbox_events(client) if e["type"] == "match.status_changed"
    ]
    assert events == ["shortlisted", "undecided"]


def _ranked(html: str) -> list[str]:
    return re.findall(r'<tr data-candidate="([^"]+)">', html)


def test_empty_filters_mean_no_filter_and_the_province_ignores_diacritics(
    client: TestClient,
) -> None:
    sign_in(client)
    url = "/console/orders/order-1"
    # The form sends every field; blank ones filter nothing (was: min_score= → 422).
    blank = {"min_score": "", "province": "", "min_japanese_level": "", "training_centre_id": ""}
    page = client.get(url, params=blank, headers=HTMX)
    assert page.status_code == 200, page.text
    assert _ranked(page.text) == ["an", "binh"]
    folded = client.get(url, params=blank | {"province": "tay  ninh"}, headers=HTMX)
    assert _ranked(folded.text) == ["an", "binh"]  # finds Tây Ninh
    centre = client.get(url, params=blank | {"training_centre_id": "tc-tay-ninh"}, headers=HTMX)
    assert _ranked(centre.text) == ["an", "binh"]


def test_a_filtered_empty_list_says_the_filters_hide_the_candidates(client: TestClient) -> None:
    sign_in(client)
    page = client.get(
        "/console/orders/order-1",
        params={"min_score": "", "province": "Thái Bình"},
        headers=HTMX | {"Accept-Language": "en"},
    ).text
    assert _ranked(page) == []
    assert "2 candidates meet this order's requirements, but the filters hide them all." in page
    assert "No candidate meets" not in page


def test_every_offered_level_is_accepted_and_another_is_a_422_not_a_500(
    client: TestClient,
) -> None:
    sign_in(client)
    page = client.get("/console/orders/order-1", headers={"Accept-Language": "en"}).text
    offered = re.findall(r"<option\s*(?:selected)?>(N\d)</option>", page)
    assert offered == ["N5", "N4", "N3", "N2", "N1"]
    for level in offered:
        answer = client.get(
            "/console/orders/order-1", params={"min_japanese_level": level}, headers=HTMX
        )
        assert answer.status_code == 200
    refused = client.get("/console/orders/order-1", params={"min_japanese_level": "A2"}, headers=HTMX)  # fmt: skip
    assert refused.status_code == 422
    assert "min_japanese_level" in refused.text  # the field is named; kakehashi.js shows it


def test_the_pages_show_refused_htmx_requests_in_a_banner(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/console/orders/order-1").text
    assert 'id="flash"' in page
    assert "/console/static/kakehashi.js" in page  # the UI kit's script
    script = client.get("/console/static/kakehashi.js")
    assert script.status_code == 200
    assert "htmx:responseError" in script.text


def test_the_pages_have_a_favicon(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/console/orders").text
    assert '<link rel="icon" type="image/svg+xml" href="/console/static/favicon.svg">' in page
    icon = client.get("/console/static/favicon.svg")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text.startswith("<svg")


def test_employers_see_only_candidates_proposed_to_them_and_record_interviews(
    client: TestClient,
) -> None:
    sign_in(client)
    for action in ("shortlist", "propose"):
        client.post(
            "/console/orders/order-1/candidates/an/decide", data={"action": action}, headers=HTMX
        )
    client.post(
        "/console/orders/order-1/candidates/binh/decide",
        data={"action": "shortlist"},
        headers=HTMX,
    )
    sign_in(client, "employer", "emp-aichi")
    page = client.get("/console/orders/order-1", headers={"Accept-Language": "en"}).text
    assert "Nguyễn Thị Hằng" in page
    assert "Trần Văn Bình" not in page  # shortlisted, not yet proposed to the employer
    assert "Japanese N3 above" not in page  # no ranking for employers
    assert client.get("/console/orders/order-2").status_code == 404  # another employer's order
    assert client.get("/console/candidates/an").status_code == 403
    decided = client.post(
        "/console/orders/order-1/candidates/an/decide", data={"action": "select"}, headers=HTMX
    )
    assert decided.status_code == 403
    passed = client.post(
        "/console/orders/order-1/candidates/an/interview",
        data={"result": "pass", "note": "良い"},
        headers=HTMX,
    )
    assert "status-interviewed" in passed.text


def test_training_centres_have_no_console(client: TestClient) -> None:
    sign_in(client, "training_centre", "tc-tay-ninh")
    assert client.get("/console/orders").status_code == 403


def test_a_training_centre_is_told_where_its_work_is_not_given_a_bare_403(
    client: TestClient,
) -> None:
    sign_in(client, "training_centre", "tc-tay-ninh")
    page = client.get("/console/orders", headers={"Accept-Language": "en"})
    assert page.status_code == 403
    assert page.headers["content-type"].startswith("text/html")
    assert "The review console is for program managers and employers" in page.text
    assert 'href="http://127.0.0.1:8001/portal/candidates"' in page.text
    assert "/session/sign-out" in page.text  # the layout's sign-out stays at hand
    vietnamese = client.get("/console/orders", headers={"Accept-Language": "vi"})
    assert "Mở dịch vụ ứng viên" in vietnamese.text


@pytest.mark.parametrize(
    ("header", "expected", "unexpected"),
    [
        ("vi-VN,vi;q=0.9", "Đơn hàng đang tuyển", "Open job orders"),
        ("ja-JP,ja;q=0.9,en;q=0.5", "募集中の求人", "Open job orders"),
        ("en-GB", "Open job orders", "募集中の求人"),
        ("fr-FR", "Đơn hàng đang tuyển", "Open job orders"),  # Vietnamese by default
    ],
)
def test_the_language_follows_the_browser(
    client: TestClient, header: str, expected: str, unexpected: str
) -> None:
    sign_in(client)
    page = client.get("/console/orders", headers={"Accept-Language": header}).text
    assert expected in page
    assert unexpected not in page


def test_a_chosen_language_is_remembered_and_reasons_are_translated(client: TestClient) -> None:
    sign_in(client)
    switch = client.get(
        "/console/language/ja", params={"next": "/console/orders/order-1"}, follow_redirects=False
    )
    assert switch.headers["location"] == "/console/orders/order-1"
    page = client.get("/console/orders/order-1", headers={"Accept-Language": "en"}).text
    assert '<html lang="ja">' in page
    assert "日本語N3は必要なN4を上回る" in page  # a reason, translated with its values
    assert "Nguyễn Thị Hằng" in page  # names stay as written
    assert "愛知県" in page  # the work site, as Japanese readers write it
    client.get("/console/language/vi")
    page = client.get("/console/orders/order-1").text
    assert "tiếng Nhật N3, cao hơn N4 yêu cầu" in page
    assert "Aichi" in page
    assert "愛知県" not in page
    away = client.get(
        "/console/language/en", params={"next": "https://evil.example/"}, follow_redirects=False
    )
    assert away.headers["location"] == "/console/orders"  # no open redirect


def test_candidate_page_shows_status_matches_and_history(client: TestClient) -> None:
    sign_in(client)
    client.post(
        "/console/orders/order-1/candidates/an/decide", data={"action": "shortlist"}, headers=HTMX
    )
    page = client.get("/console/candidates/an", headers={"Accept-Language": "en"}).text
    assert 'data-status="registered"' in page
    assert "溶接工 / Welder" in page
    assert "Shortlist" in page
    assert client.get("/console/candidates/nobody").status_code == 404


def organisation_shown(page: str, organisation_id: str) -> list[str]:
    """The text of every element marking `organisation_id` on the page."""
    pattern = rf'data-organisation="{re.escape(organisation_id)}">([^<]*)<'
    return re.findall(pattern, page)


def test_pages_name_organisations_in_the_reader_s_language_once_identity_told_them(
    client: TestClient,
) -> None:
    sign_in(client, "program_manager", "pm-office")
    english = {"Accept-Language": "en"}
    before = client.get("/console/candidates/an", headers=english).text
    assert organisation_shown(before, "tc-tay-ninh") == ["tc-tay-ninh"]  # not known yet: the id

    market = applier(client)
    market.apply(
        organisation_event(
            "tc-tay-ninh",
            "Tay Ninh Training Centre",
            name_vi="Trung tâm đào tạo Tây Ninh",
            name_ja="タイニン研修センター",
        )
    )
    market.apply(organisation_event("emp-aichi", "Tanaka Kogyo", name_ja="田中工業"))
    market.apply(
        organisation_event("pm-office", "Program Office", name_vi="Văn phòng chương trình")
    )

    candidate = client.get("/console/candidates/an", headers=english).text
    assert organisation_shown(candidate, "tc-tay-ninh") == ["Tay Ninh Training Centre"]
    assert "Tanaka Kogyo · Aichi" in candidate  # the employer of each order that fits
    for language, centre, employer, own in [
        ("vi", "Trung tâm đào tạo Tây Ninh", "Tanaka Kogyo", "Văn phòng chương trình"),
        ("ja", "タイニン研修センター", "田中工業", "Program Office"),
    ]:
        order = client.get(f"/console/orders/order-1?lang={language}").text
        assert organisation_shown(order, "emp-aichi") == [employer]  # the order's employer
        assert organisation_shown(order, "pm-office") == [own]  # who is signed in, in the header
        assert order.count(f"{centre} · Tây Ninh") == 2  # an and binh, ranked
        # The training-centre filter offers the centres by name.
        assert f'<option value="tc-tay-ninh">{centre}</option>' in order
        orders = client.get(f"/console/orders?lang={language}").text
        assert organisation_shown(orders, "emp-aichi") == [employer]
        assert organisation_shown(orders, "emp-osaka") == ["emp-osaka"]  # identity never told


def test_allocation_page_reports_the_gain_over_greedy(client: TestClient) -> None:
    sign_in(client)
    page = client.get(
        "/console/allocation", params={"sector": "construction"}, headers={"Accept-Language": "en"}
    ).text
    assert 'id="gain"' in page
    assert "Nguyễn Thị Hằng" in page or "Trần Văn Bình" in page


def test_the_list_can_be_ranked_by_the_learned_model(client: TestClient) -> None:
    sign_in(client)
    english = {"Accept-Language": "en"}
    params = {"ranking": "learned"}
    page = client.get("/console/orders/order-1", params=params, headers=english).text
    assert "no model has been learned from decisions yet" in page
    # A recorded fit that, unlike the weighted score, prefers less Japanese.
    with runtime_of_client(client).uow() as uow:
        uow.session.add(
            RankingModelFit(
                fitted_at=datetime.now(UTC),
                fitted_by="test",
                n_pairs=60,
                metrics={
                    "roc_auc": 0.8,
                    "brier": 0.2,
                    "log_loss": 0.5,
                    "weighted_roc_auc": 0.6,
                    "n_train": 45,
                    "n_test": 15,
                    "approved": 30,
                    "rejected": 30,
                },
                coefficients={"skills": 0, "japanese": -10, "experience": 0, "preferences": 0},
                intercept=0,
                folds=[{"coef": [0, -10, 0, 0], "intercept": 0, "a": -1, "b": 0}],
            )
        )
        uow.commit()
    weighted = client.get("/console/orders/order-1", headers=english).text
    learned = client.get("/console/orders/order-1", params=params, headers=english).text
    order_of = re.compile(r'<tr data-candidate="([^"]+)">')
    assert order_of.findall(weighted.split('id="matches"')[1]) == ["an", "binh"]
    assert order_of.findall(learned.split('id="matches"')[1]) == ["binh", "an"]
    assert "ranked by the model learned from decisions" in learned
    assert re.search(r'class="learned"[^>]*>\d+%<', learned)
    dashboard = client.get("/console/orders", headers=english).text
    assert '<td data-metric="roc_auc">0.800</td>' in dashboard
    assert "Fitted on" in dashboard


def test_managers_fit_the_learned_ranking_from_the_dashboard(client: TestClient) -> None:
    sign_in(client)
    english = {"Accept-Language": "en"}
    page = client.get("/console/orders", headers=english).text
    assert "No model yet: order lists are ranked by the weighted score." in page
    assert 'data-labelled="0"' in page
    client.post(
        "/console/orders/order-1/candidates/an/decide", data={"action": "propose"}, headers=HTMX
    )
    refused = client.post("/console/ranking-model/fit", headers=HTMX | english)
    assert refused.status_code == 200
    assert refused.text.startswith('<section class="panel" id="ranking-model">')
    assert "Not enough decisions yet" in refused.text
    assert 'data-labelled="1"' in refused.text  # the proposal labels one pair
    assert client.post("/console/ranking-model/fit").status_code == 403  # not from htmx


def test_employers_see_no_ranking_panel(client: TestClient) -> None:
    sign_in(client, "employer", "emp-aichi")
    page = client.get("/console/orders", headers={"Accept-Language": "en"}).text
    assert 'id="ranking-model"' not in page
    response = client.post("/console/ranking-model/fit", headers=HTMX)
    assert response.status_code == 403


def test_unreachable_issuer_keys_are_a_503_not_a_redirect_loop(service_client: Any) -> None:
    client: TestClient = service_client(
        SPEC, auth_jwks_file=None, auth_jwks_url="http://127.0.0.1:9/jwks.json"
    )
    client.cookies.set(SESSION_COOKIE, token("program_manager", "pm-office"))
    answer = client.get("/console/orders", follow_redirects=False)
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "30"
