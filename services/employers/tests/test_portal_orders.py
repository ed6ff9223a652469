"""The employer portal's job-order pages: my orders, posting a 求人票 (valid, refused with
inline errors in the reader's language), the live checks, editing, the lifecycle, downloads."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from conftest import token_for
from kakehashi.employers.adapters.kyujinhyo_xlsx import XLSX_MEDIA_TYPE
from kakehashi.shared.auth import Language
from kakehashi.shared.ui.browser_session import SESSION_COOKIE
from services.employers.tests.portal_browser import (
    EN,
    HTMX,
    WELDER,
    days_ahead,
    post_form,
    post_order,
    sign_in,
)
from services.employers.tests.samples import EMPLOYER

pytestmark = pytest.mark.integration


def test_a_posted_order_is_saved_with_every_field_and_listed_with_status_fill_and_deadline(
    client: TestClient,
) -> None:
    sign_in(client)
    order_id = post_order(
        client, housing_provided="yes", housing_monthly_cost_yen="20000",
        interview_format="online", interview_date=days_ahead(60),
    )  # fmt: skip
    saved = client.get(f"/job-orders/{order_id}", headers=EMPLOYER).json()
    assert saved["title"] == "溶接工 / Welder"
    assert saved["status"] == "open"
    assert saved["required_skills"] == [{"code": "welding", "min_level": 3, "must_have": True}]
    assert saved["monthly_base_pay_yen"] == 230000
    assert saved["housing"] == {"provided": True, "monthly_cost_yen": 20000}
    assert saved["interview"] == {"date": days_ahead(60), "format": "online"}
    page = client.get(f"/portal/orders/{order_id}", headers=EN)
    assert "The job order was saved." in page.text  # the flash after the redirect
    assert 'data-status="open"' in page.text
    assert "0 of 2 selected" in page.text
    listed = client.get("/portal/orders", headers=EN).text
    row = re.search(rf'<tr data-order="{order_id}">.*?</tr>', listed, re.S)
    assert row is not None
    assert "open" in row.group()
    assert "0 of 2" in row.group()
    deadline = date.fromisoformat(days_ahead(40))
    assert f"{deadline:%b} {deadline.day}, {deadline.year}" in row.group()
    assert "(40 days left)" in row.group()


def test_a_draft_is_posted_private_and_the_list_filters_by_status_and_sorts(
    client: TestClient,
) -> None:
    sign_in(client)
    draft = post_order(client, status="draft", title="B draft", application_deadline=days_ahead(70))
    opened = post_order(client, title="A open", application_deadline=days_ahead(60))
    drafts = client.get("/portal/orders", params={"status": "draft"}).text
    assert draft in drafts
    assert opened not in drafts
    by_title = client.get("/portal/orders", params={"sort": "title"}).text
    assert by_title.index(opened) < by_title.index(draft)
    newest = client.get("/portal/orders").text
    assert newest.index(opened) < newest.index(draft)
    by_deadline = client.get("/portal/orders", params={"sort": "deadline"}).text
    assert by_deadline.index(opened) < by_deadline.index(draft)
    assert client.get("/portal/orders", params={"sort": "salary"}).status_code == 422


def test_a_refused_form_shows_each_error_next_to_its_field_in_the_readers_language(
    client: TestClient,
) -> None:
    sign_in(client)
    refused = post_form(client, "/portal/orders", WELDER | {"title": "", "headcount": "0"})
    assert refused.status_code == 422
    page = refused.text
    assert '<html lang="ja">' in page  # the employer portal is Japanese by default
    assert re.search(r'id="f-title-error">必須です。<', page)
    assert re.search(r'id="f-headcount-error">1以上にしてください。<', page)
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="f-headcount-error"' in page
    # What the reader typed is kept.
    assert '<option value="Aichi" selected>' in page
    assert 'name="skill" value="welding" checked' in page
    in_vietnamese = post_form(client, "/portal/orders?lang=vi", WELDER | {"headcount": "x"})
    assert re.search(r'id="f-headcount-error">Nhập một số nguyên.<', in_vietnamese.text)
    assert client.get("/job-orders", headers=EMPLOYER).json()["total"] == 0


def test_a_domain_rule_is_shown_next_to_its_field(client: TestClient) -> None:
    sign_in(client)
    below = post_form(client, "/portal/orders", WELDER | {"min_japanese_level": "N5"}, EN)
    assert below.status_code == 422
    assert 'id="f-min_japanese_level-error">Below the Japanese floor' in below.text
    housing = post_form(
        client, "/portal/orders", WELDER | {"housing_provided": "no", "housing_monthly_cost_yen": "1"}, EN
    )  # fmt: skip
    assert 'id="f-housing_monthly_cost_yen-error">Housing that is not provided' in housing.text
    format_missing = post_form(
        client, "/portal/orders", WELDER | {"interview_date": days_ahead(60)}, EN
    )
    assert 'id="f-interview_format-error">Required.' in format_missing.text
    assert client.get("/job-orders", headers=EMPLOYER).json()["total"] == 0


def test_the_live_checks_show_the_japanese_floor_the_minimum_wage_and_preference_warnings(
    client: TestClient,
) -> None:
    sign_in(client)
    typing = WELDER | {
        "title": "",  # still being typed: the checks do not wait for it
        "min_japanese_level": "N5",
        "monthly_base_pay_yen": "100000",
        "preferred_sex": "male",
        "age_min": "20",
    }
    fragment = post_form(client, "/portal/orders/check", typing, HTMX | EN)
    assert fragment.status_code == 200
    html = fragment.text
    assert html.lstrip().startswith('<section id="checks"')  # the fragment, not a page
    floor = re.search(r'<li data-check="japanese-floor" class="check-bad">(.*?)</li>', html, re.S)
    assert floor is not None
    assert "is N4" in floor.group(1)
    assert "asks for N5" in floor.group(1)
    wage = re.search(r'<li data-check="minimum-wage" class="check-warn">(.*?)</li>', html, re.S)
    assert wage is not None
    assert "Minimum wage in Aichi" in wage.group(1)
    assert "below the minimum wage" in wage.group(1)
    assert 'data-check="sex_preference"' in html
    assert 'data-check="age_preference"' in html
    assert 'data-check="marital_status_preference"' not in html
    fine = post_form(client, "/portal/orders/check", WELDER, HTMX | EN).text
    assert '<li data-check="japanese-floor" class="check-ok">' in fine
    assert '<li data-check="minimum-wage" class="check-ok">' in fine
    in_japanese = post_form(client, "/portal/orders/check", typing, HTMX).text
    assert "最低賃金を下回っています" in in_japanese
    assert "愛知県" in in_japanese
    unknown = post_form(client, "/portal/orders/check", {"title": "x"}, HTMX | EN).text
    assert "Choose the sector and the prefecture" in unknown


def test_the_skills_offered_are_the_sectors_labelled_in_the_readers_language(
    client: TestClient,
) -> None:
    sign_in(client)
    care = client.get(
        "/portal/orders/skills",
        params={"sector": "nursing_care", "skill": "welding", "level_welding": "4"},
        headers=HTMX,
    )
    assert care.status_code == 200
    assert 'value="welding" checked' in care.text  # chosen before, kept
    assert 'name="level_welding" value="4"' in care.text
    assert "介護" in care.text  # a nursing-care skill, in Japanese


def test_the_owner_edits_an_order_with_the_same_rules(client: TestClient) -> None:
    sign_in(client)
    order_id = post_order(client)
    form = client.get(f"/portal/orders/{order_id}/edit")
    assert form.status_code == 200
    assert 'value="溶接工 / Welder"' in form.text
    assert 'value="230000"' in form.text
    changed = post_form(
        client, f"/portal/orders/{order_id}", WELDER | {"title": "溶接工 (夜勤)", "monthly_base_pay_yen": ""}
    )  # fmt: skip
    assert changed.status_code == 303
    saved = client.get(f"/job-orders/{order_id}", headers=EMPLOYER).json()
    assert saved["title"] == "溶接工 (夜勤)"
    assert saved["monthly_base_pay_yen"] is None  # cleared
    refused = post_form(client, f"/portal/orders/{order_id}", WELDER | {"headcount": "501"}, EN)
    assert refused.status_code == 422
    assert 'id="f-headcount-error">Must be at most 500.' in refused.text


def test_lifecycle_actions_open_and_cancel_with_a_reason(client: TestClient) -> None:
    sign_in(client)
    order_id = post_order(client, status="draft")
    url = f"/portal/orders/{order_id}/transitions"
    page = client.get(f"/portal/orders/{order_id}", headers=EN).text
    assert 'id="shortlist-view"' not in page  # matching knows nothing of a draft
    assert "Matching proposes candidates once the order is open." in page
    assert 'class="form lifecycle-open"' in page
    assert 'class="form lifecycle-cancelled"' in page
    assert post_form(client, url, {"to": "open"}).status_code == 303
    assert client.get(f"/job-orders/{order_id}", headers=EMPLOYER).json()["status"] == "open"
    no_reason = post_form(client, url, {"to": "cancelled", "reason": " "})
    assert no_reason.status_code == 422
    assert 'id="cancel-reason-error">取消の理由を入力してください。<' in no_reason.text
    cancelled = post_form(client, url, {"to": "cancelled", "reason": "受注が取り消された"})
    assert cancelled.status_code == 303
    page = client.get(f"/portal/orders/{order_id}", headers=EN).text
    assert 'data-status="cancelled"' in page
    assert "受注が取り消された" in page
    assert "The job order was cancelled." in page
    # Nothing follows a cancellation: the page says so, and a forged action is refused.
    assert "This job order is final" in page
    again = post_form(client, url, {"to": "open"})
    assert again.status_code == 303
    assert "does not allow this" in client.get(again.headers["location"], headers=EN).text
    assert post_form(client, url, {"to": "sold"}).status_code == 422
    assert client.get(f"/portal/orders/{order_id}/edit", follow_redirects=False).status_code == 303


def test_the_kyujinhyo_downloads_from_the_order_page(client: TestClient) -> None:
    sign_in(client)
    order_id = post_order(client)
    page = client.get(f"/portal/orders/{order_id}").text
    assert f'href="/portal/orders/{order_id}/kyujinhyo.xlsx"' in page
    workbook = client.get(f"/portal/orders/{order_id}/kyujinhyo.xlsx")
    assert workbook.status_code == 200
    assert workbook.headers["content-type"] == XLSX_MEDIA_TYPE
    assert workbook.content[:2] == b"PK"


@pytest.mark.parametrize(
    ("language", "standard"),
    [("en", "40 h (standard)"), ("vi", "40 giờ (tiêu chuẩn)"), ("ja", "法定労働時間 40時間")],
)
def test_blank_weekly_hours_read_as_the_standard_40_the_rules_use(
    client: TestClient, language: str, standard: str
) -> None:
    sign_in(client)
    blank = client.get(f"/portal/orders/{post_order(client)}", params={"lang": language}).text
    assert f'<dd id="hours-per-week">{standard}</dd>' in blank


@pytest.mark.parametrize(
    ("language", "weekly"), [("en", "38.5 h/week"), ("vi", "38.5 giờ/tuần"), ("ja", "週38.5時間")]
)
def test_given_weekly_hours_carry_their_unit_and_no_standard_note(
    client: TestClient, language: str, weekly: str
) -> None:
    sign_in(client)
    order_id = post_order(client, hours_per_week="38.5")
    given = client.get(f"/portal/orders/{order_id}", params={"lang": language}).text
    assert f'<dd id="hours-per-week">{weekly}</dd>' in given
    # The order's number, as the 求人票 prints it.
    number = order_id.replace("-", "")[:8].upper()
    assert number in given.split('id="order-number">', 1)[1].split("</span>", 1)[0]


def test_the_list_pages_by_fifty(client: TestClient) -> None:
    sign_in(client)
    body = {"title": "溶接工", "sector": "construction", "prefecture": "Aichi", "headcount": 1}
    for _ in range(51):
        assert client.post("/job-orders", json=body, headers=EMPLOYER).status_code == 201
    first = client.get("/portal/orders", headers=EN).text
    assert first.count("<tr data-order=") == 50
    assert "51 job orders" in first
    assert 'href="?status=&amp;sort=newest&amp;offset=50">Next<' in first
    second = client.get("/portal/orders", params={"offset": 50}, headers=EN).text
    assert second.count("<tr data-order=") == 1
    assert ">Previous<" in second
    assert ">Next<" not in second


def test_the_header_marks_the_current_page_once(client: TestClient) -> None:
    sign_in(client)
    orders = client.get("/portal/orders", params={"lang": "ja"}).text
    header = orders.split("</header>", 1)[0]
    assert header.count('aria-current="page"') == 1
    assert 'data-service="employers" aria-current="page">自社の求人</a>' in header
    assert "候補者リスト" in header  # the console's list is named apart
    profile = client.get("/portal/profile").text.split("</header>", 1)[0]
    assert profile.count('aria-current="page"') == 1
    assert '/portal/profile" aria-current="page"' in profile


@pytest.mark.parametrize("language", ["vi", "ja", "en"])
def test_a_signed_in_user_reads_their_own_language_whatever_the_browser_says(
    client: TestClient, language: Language
) -> None:
    client.cookies.set(SESSION_COOKIE, token_for("employer", "emp-aichi", language=language))
    other = {"vi": "ja", "ja": "en-US,en;q=0.9", "en": "vi"}[language]
    page = client.get("/portal/orders", headers={"Accept-Language": other}).text
    assert f'<html lang="{language}">' in page
    # The switcher's choice still wins over it.
    chosen = client.get("/portal/orders", params={"lang": other[:2]}).text
    assert f'<html lang="{other[:2]}">' in chosen


def test_the_form_to_post_an_order_is_marked_current_alone(client: TestClient) -> None:
    # The header's "Our job orders" leads to /portal/orders; the portal's "Post a job order"
    # to /portal/orders/new: the longer one is the page's.
    sign_in(client)
    header = client.get("/portal/orders/new", headers=EN).text.split("</header>", 1)[0]
    assert header.count('aria-current="page"') == 1
    assert '/portal/orders/new" aria-current="page"' in header
    order = client.get(f"/portal/orders/{post_order(client)}").text.split("</header>", 1)[0]
    assert 'data-service="employers" aria-current="page"' in order


def test_the_order_page_and_the_kyujinhyo_print_one_order_number(client: TestClient) -> None:
    # One form everywhere the employer sees it: upper-case, as the 求人票 prints it.
    sign_in(client)
    order_id = post_order(client)
    page = client.get(f"/portal/orders/{order_id}", headers=EN).text
    span = page.split('id="order-number">', 1)[1].split("</span>", 1)[0]
    [number] = re.findall(r"\b[0-9A-Fa-f]{8}\b", span)
    assert number == number.upper()
    workbook = load_workbook(
        BytesIO(client.get(f"/portal/orders/{order_id}/kyujinhyo.xlsx").content)
    )
    printed = {cell.value for row in workbook.active.iter_rows() for cell in row}
    assert number in printed
