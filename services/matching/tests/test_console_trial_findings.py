"""What a new user's browser trial of the console found (second round): the history names who
decided in words, never a user's id; a rejection's reason is chosen, never pre-selected; refused
or missing pages are the console's own page in the reader's language, not JSON; the order's
"Selected n of m" follows a decision without a reload; an employer's header never shows the
same words for two pages; the dashboard's rows are cards on a phone."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from conftest import auth, token_for
from kakehashi.matching.bootstrap import SPEC
from kakehashi.shared.clock import utcnow
from kakehashi.shared.ui.browser_session import SESSION_COOKIE
from kakehashi.shared.ui.i18n import long_moment
from services.matching.tests.market_events import (
    applier,
    candidate_event,
    order_event,
    organisation_event,
)

pytestmark = pytest.mark.integration
HTMX = {"HX-Request": "true"}
DECIDE = "/console/orders/order-1/candidates/{}/decide"


@pytest.fixture
def client(service_client: Any) -> TestClient:
    client: TestClient = service_client(SPEC)
    market = applier(client)
    market.apply(order_event("order-1"))  # emp-aichi's, headcount 2
    market.apply(order_event("order-2", employer="emp-osaka", title="介護職 / Care worker"))
    market.apply(candidate_event("an", full_name="Nguyễn Thị Hằng", level="N3"))
    market.apply(candidate_event("binh", full_name="Trần Văn Bình"))
    return client


def sign_in(client: TestClient, role: str = "program_manager", org: str = "pm-office") -> None:
    client.cookies.set(SESSION_COOKIE, token_for(role, org))


def decide(client: TestClient, candidate: str, action: str, **form: str) -> Any:
    return client.post(DECIDE.format(candidate), data={"action": action} | form, headers=HTMX)


def interview_passed(client: TestClient, candidate: str) -> None:
    """The employer of order-1 records a passed interview, then the manager signs back in."""
    sign_in(client, "employer", "emp-aichi")
    url = f"/console/orders/order-1/candidates/{candidate}/interview"
    assert client.post(url, data={"result": "pass"}, headers=HTMX).status_code == 200
    sign_in(client)


def by_column(page: str) -> list[str]:
    """The History table's "By" cells, as read."""
    history = page.split('id="history"')[1] if 'id="history"' in page else page
    cells = re.findall(r'<td class="actor">([^<]*)</td>', history)
    return [html.unescape(c).strip() for c in cells]


def main_of(page: str) -> str:
    """The page's own content (the header names the signed-in user, as the kit does)."""
    return page.split("<main", 1)[1]


# 1. The history's "By" -------------------------------------------------------------------


def test_the_history_names_who_decided_by_role_and_organisation_never_by_id(
    client: TestClient,
) -> None:
    market = applier(client)
    market.apply(
        organisation_event("pm-office", "Kakehashi Program Office", kind="program_office",
                           name_ja="架け橋プログラム事務局", name_vi="Văn phòng chương trình Kakehashi")
    )  # fmt: skip
    market.apply(organisation_event("emp-aichi", "Tanaka Kogyo", name_ja="田中工業"))
    sign_in(client)
    for action in ("shortlist", "propose"):
        assert decide(client, "an", action).status_code == 200
    interview_passed(client, "an")
    undo = client.post("/console/orders/order-1/candidates/an/undo", headers=HTMX)
    assert undo.status_code == 200

    english = main_of(client.get("/console/candidates/an?lang=en").text)
    by = by_column(english)
    assert len(by) == 4  # shortlist, propose, interview, undo: newest first
    assert by[0] == "program manager — Kakehashi Program Office"  # the undo
    assert by[1] == "employer: Tanaka Kogyo"  # the interview
    assert by[2:] == ["program manager — Kakehashi Program Office"] * 2
    assert "user@pm-office" not in english
    assert "user@emp-aichi" not in english

    japanese = by_column(client.get("/console/candidates/an?lang=ja").text)
    assert japanese[0] == "プログラム担当者 — 架け橋プログラム事務局"
    assert japanese[1] == "企業：田中工業"  # noqa: RUF001
    vietnamese = by_column(client.get("/console/candidates/an?lang=vi").text)
    assert vietnamese[0] == "quản lý chương trình — Văn phòng chương trình Kakehashi"
    assert vietnamese[1] == "doanh nghiệp: Tanaka Kogyo"  # no Vietnamese name: the Latin one


def test_before_identity_named_the_organisation_the_history_says_a_user(
    client: TestClient,
) -> None:
    sign_in(client, org="pm-unheard-of")
    assert decide(client, "an", "propose").status_code == 200
    page = main_of(client.get("/console/candidates/an?lang=en").text)
    assert by_column(page) == ["a user (organisation not yet received)"]
    assert "user@pm-unheard-of" not in page
    assert "pm-unheard-of" not in page
    ja = by_column(client.get("/console/candidates/an?lang=ja").text)
    assert ja == ["利用者（所属組織は未受信）"]  # noqa: RUF001
    vi = by_column(client.get("/console/candidates/an?lang=vi").text)
    assert vi == ["một người dùng (chưa nhận được thông tin tổ chức)"]


def test_the_history_writes_its_times_as_the_portals_do(client: TestClient) -> None:
    """One date-time format per language across the system (the kit's `moment`): the console
    had its own short one ("14:14 30/11/26 UTC" where the portals wrote "30 thg 11, 2026")."""
    sign_in(client)
    before = utcnow().replace(second=0, microsecond=0)
    assert decide(client, "an", "propose").status_code == 200
    after = utcnow()
    for language in ("vi", "ja", "en"):
        page = main_of(client.get(f"/console/candidates/an?lang={language}").text)
        shown = {long_moment(before, language), long_moment(after, language)}
        assert any(text in page for text in shown), (language, shown)


def test_no_console_template_prints_an_actor_s_id() -> None:
    """Every place a decision's actor is shown goes through the namer."""
    from kakehashi.matching.entrypoints.console.rendering import HERE

    for template in (HERE / "templates").glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert "decided_by" not in text, template.name
        assert "fitted_by" not in text, template.name
        assert ".subject" not in text, template.name


# 2. The rejection's reason ---------------------------------------------------------------


def test_the_reject_form_starts_on_no_reason_and_requires_one(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/console/orders/order-1?lang=ja").text
    select = page.split('<select name="reason_code"')[1].split("</select>")[0]
    assert select.startswith(" required")
    options = re.findall(r"<option([^>]*)>([^<]*)</option>", select)
    assert options[0] == (' value="" selected', "理由を選んでください…")
    assert all("selected" not in attrs for attrs, _ in options[1:])
    english = client.get("/console/orders/order-1?lang=en").text
    assert '<option value="" selected>Choose a reason…</option>' in english


def test_a_rejection_without_a_reason_is_a_422_naming_reason_code(client: TestClient) -> None:
    sign_in(client)
    for sent in ({}, {"reason_code": ""}, {"reason_code": "not_a_reason"}):
        refused = decide(client, "an", "reject", **sent)
        assert refused.status_code == 422, sent
        [detail] = refused.json()["detail"]
        assert detail["loc"][-1] == "reason_code"
    cell = client.get("/console/orders/order-1?lang=en").text.split('id="decision-an"')[1]
    assert "status-rejected" not in cell.split("</div>")[0]  # nothing was recorded
    chosen = decide(client, "an", "reject", reason_code="skills")
    assert chosen.status_code == 200
    assert "status-rejected" in chosen.text


def test_the_api_names_reason_code_when_a_rejection_has_none(client: TestClient) -> None:
    """The API already required a reason; its 422 now names the field, as the console's does."""
    answer = client.post(
        "/job-orders/order-1/candidates/an/decisions",
        json={"action": "reject"},
        headers=auth("program_manager", "pm-office"),
    )
    assert answer.status_code == 422
    [detail] = answer.json()["detail"]
    assert detail["loc"][-1] == "reason_code"
    assert "reason code" in detail["msg"]


# 5. Refused and missing pages ------------------------------------------------------------


def test_an_employer_gets_the_console_s_403_page_in_its_language_with_a_way_home(
    client: TestClient,
) -> None:
    sign_in(client, "employer", "emp-aichi")
    answer = client.get("/console/candidates/an?lang=ja")
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("text/html")
    assert '<html lang="ja"' in answer.text
    assert "このページはプログラム担当者と管理者のためのものです。" in answer.text
    assert "for program managers and admins" not in answer.text
    home = re.search(r'<a href="([^"]+)" id="home-link">', answer.text)
    assert home is not None
    assert home.group(1).endswith("/portal/orders")  # the employer's own portal
    allocation = client.get("/console/allocation?lang=vi")
    assert allocation.status_code == 403
    assert "Trang này dành cho quản lý chương trình và quản trị viên." in allocation.text


def test_another_employer_s_order_is_the_console_s_404_page(client: TestClient) -> None:
    sign_in(client, "employer", "emp-aichi")
    answer = client.get("/console/orders/order-2?lang=en")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "This job order does not exist, or it is not yours to see." in answer.text
    assert '{"detail"' not in answer.text
    sign_in(client)  # a manager's way home is the console
    missing = client.get("/console/orders/no-such-order?lang=vi")
    assert missing.status_code == 404
    assert "Đơn hàng này không tồn tại" in missing.text
    assert 'href="/console/orders" id="home-link"' in missing.text
    unknown_page = client.get("/console/no-such-page")
    assert unknown_page.status_code == 404
    assert 'id="home-link"' in unknown_page.text


def test_the_api_and_htmx_keep_their_json_errors(client: TestClient) -> None:
    api = client.get("/job-orders/no-such-order/matches", headers=auth("program_manager", "pm"))
    assert api.status_code == 404
    assert api.json() == {"detail": "job order not found"}
    sign_in(client, "employer", "emp-aichi")
    htmx = client.get("/console/allocation", headers=HTMX)
    assert htmx.status_code == 403
    assert htmx.json() == {"detail": "for program managers and admins"}


# 6. The header's count follows the decision ----------------------------------------------


def selected_count(text: str) -> tuple[str, str]:
    found = re.search(r'<span id="selected-count"([^>]*)>([^<]*)</span>', text)
    assert found is not None, text
    return found.group(1), html.unescape(found.group(2))


def test_a_selection_updates_the_order_header_s_count_in_the_same_answer(
    client: TestClient,
) -> None:
    sign_in(client)
    assert selected_count(client.get("/console/orders/order-1?lang=en").text)[1] == (
        "Selected 0 of 2"
    )
    for action in ("shortlist", "propose"):
        assert decide(client, "an", action).status_code == 200
    interview_passed(client, "an")
    client.headers["Accept-Language"] = "en"
    selected = decide(client, "an", "select")
    assert selected.status_code == 200
    attributes, text = selected_count(selected.text)
    assert 'hx-swap-oob="true"' in attributes
    assert text == "Selected 1 of 2"
    undone = client.post("/console/orders/order-1/candidates/an/undo", headers=HTMX)
    assert selected_count(undone.text)[1] == "Selected 0 of 2"
    # The page's own header, which the swap replaces, carries the same id.
    page = client.get("/console/orders/order-1").text
    assert "hx-swap-oob" not in selected_count(page)[0]


def test_an_employer_s_interview_answer_swaps_no_header_it_does_not_have(
    client: TestClient,
) -> None:
    sign_in(client)
    for action in ("shortlist", "propose"):
        decide(client, "an", action)
    sign_in(client, "employer", "emp-aichi")
    answer = client.post(
        "/console/orders/order-1/candidates/an/interview", data={"result": "pass"}, headers=HTMX
    )
    assert answer.status_code == 200
    assert "selected-count" not in answer.text


# 7. The employer's header ----------------------------------------------------------------


def nav_labels(page: str) -> list[tuple[str, str]]:
    nav = page.split("<nav", 1)[1].split("</nav>", 1)[0]
    links = re.findall(r'<a[^>]*href="([^"]+)"[^>]*>([^<]+)</a>', nav)
    return [(html.unescape(text).strip(), url) for url, text in links]


@pytest.mark.parametrize("language", ["ja", "vi", "en"])
def test_an_employer_s_header_never_names_two_pages_alike(
    client: TestClient, language: str
) -> None:
    sign_in(client, "employer", "emp-aichi")
    for path in ("/console/orders", "/console/orders/order-1"):
        links = nav_labels(client.get(f"{path}?lang={language}").text)
        names = [name for name, _ in links]
        assert len(names) == len(set(names)), links
        paths = [urlsplit(url).path for _, url in links]
        assert len(paths) == len(set(paths)), links
    ja = dict(nav_labels(client.get("/console/orders?lang=ja").text))
    assert ja["自社の求人"].endswith("/portal/orders")
    assert ja["候補者リスト"].endswith("/console/orders")


def test_a_manager_s_header_keeps_job_orders(client: TestClient) -> None:
    sign_in(client)
    links = nav_labels(client.get("/console/orders?lang=ja").text)
    # Once: the kit's "Review console" leads to the job orders (a second link was the same page).
    to_orders = [name for name, url in links if urlsplit(url).path == "/console/orders"]
    assert to_orders == ["審査コンソール"]


# 4. The dashboard on a phone (the cards' labels; the layout itself: test_console_layout) --


def test_every_cell_of_the_dashboard_names_its_column(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/console/orders?lang=vi").text
    table = page.split('<table id="orders"')[1].split("</table>")[0]
    assert 'class="wide stack"' in table.split(">")[0]
    rows = re.findall(r"<tr data-order=.*?</tr>", table, flags=re.S)
    assert len(rows) == 2
    for row in rows:
        cells = re.findall(r"<td([^>]*)>", row)
        assert len(cells) == 7
        assert all("data-label=" in attrs for attrs in cells), cells


def test_the_allocation_page_is_the_one_link_marked_current(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/console/allocation?lang=en").text
    marked = re.findall(r'<a[^>]*href="([^"]+)"[^>]*aria-current="page"', page)
    assert [urlsplit(url).path for url in marked] == ["/console/allocation"], marked


def test_an_order_has_one_number_in_matching_and_at_the_employer() -> None:
    """The shortlist XLSX, the PDF and the console print the 求人番号 as the employers service
    does (upper case); the console's search still finds it typed in lower case."""
    from kakehashi.shared.reference import order_number

    assert order_number("9ea9a0c2-1b2c-4d5e-8f90-123456789abc") == "9EA9A0C2"


def test_the_dashboard_finds_an_order_by_its_number_in_either_case(client: TestClient) -> None:
    sign_in(client)
    for typed in ("ORDER1", "order1"):
        page = client.get(f"/console/orders?q={typed}&lang=en").text
        assert "/console/orders/order-1" in page, typed
    assert "/console/orders/order-1" not in client.get("/console/orders?q=ORDER9").text
