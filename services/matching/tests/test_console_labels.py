"""Every label in the reader's words: skills by the shared taxonomy, tracks by their names,
prefectures, levels, dates and counts in Vietnamese, Japanese and English, on every page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import token_for
from kakehashi.matching.bootstrap import SPEC
from kakehashi.matching.entrypoints.console.rendering import PAGES
from kakehashi.shared.ui.browser_session import SESSION_COOKIE
from services.matching.tests.market_events import applier, candidate_event, order_event

pytestmark = pytest.mark.integration
HTMX = {"HX-Request": "true"}


@pytest.fixture
def client(service_client: Any) -> TestClient:
    client: TestClient = service_client(SPEC)
    market = applier(client)
    market.apply(
        order_event(
            "order-1", track="ssw1", expected_departure_date="2027-09-01", experience_years_min=1
        )
    )
    market.apply(
        candidate_event(
            "an", full_name="Nguyễn Thị Hằng", level="N3", experience_years=1,
            desired_prefectures=["Aichi"], available_from="2027-01-10", eligible_tracks=["ssw1"],
        )
    )  # fmt: skip
    market.apply(
        candidate_event("binh", full_name="Trần Văn Bình", experience_years=2.5,
                        available_from="2027-02-01", eligible_tracks=["ssw1"])
    )  # fmt: skip
    client.cookies.set(SESSION_COOKIE, token_for("program_manager", "pm-office"))
    return client


def reasons_of(page: str, candidate: str) -> str:
    row = page.split(f'<tr data-candidate="{candidate}">')[1].split("</tr>")[0]
    return " ".join(re.findall(r"<li>(.*?)</li>", row))


@pytest.mark.parametrize(
    ("language", "expected", "unexpected"),
    [
        ("ja", ["溶接", "特定技能1号", "愛知県", "2027/01/10", "同分野で1年"], ["welding", "SSW i", "Aichi", "2027-01-10"]),
        ("vi", ["Hàn", "Kỹ năng đặc định số 1", "Aichi", "10 thg 1, 2027", "1 năm"], ["welding", "SSW i", "2027-01-10"]),
        ("en", ["Welding", "Specified Skilled Worker (i)", "Aichi", "Jan 10, 2027", "1 year in the sector"], ["welding level", "SSW i", "1 years", "2027-01-10"]),
    ],
)  # fmt: skip
def test_reasons_name_skills_tracks_places_and_dates_in_the_readers_words(
    client: TestClient, language: str, expected: list[str], unexpected: list[str]
) -> None:
    page = client.get("/console/orders/order-1", params={"lang": language}).text
    reasons = reasons_of(page, "an")
    for text in expected:
        assert text in reasons, (text, reasons)
    for text in unexpected:
        assert text not in reasons, (text, reasons)


def test_counts_take_the_right_plural(client: TestClient) -> None:
    english = client.get("/console/orders/order-1", params={"lang": "en"}).text
    assert "1 year in the sector (1 asked)" in reasons_of(english, "an")
    assert "2.5 years in the sector (1 asked)" in reasons_of(english, "binh")


def test_the_order_and_candidate_pages_show_skills_tracks_and_wishes_by_label(
    client: TestClient,
) -> None:
    order = client.get("/console/orders/order-1", params={"lang": "ja"}).text
    assert re.search(r'id="required-skills">[^<]*溶接 3', order)
    assert "特定技能1号" in order
    candidate = client.get("/console/candidates/an", params={"lang": "vi"}).text
    assert "Hàn 3" in candidate
    assert "welding" not in candidate
    client.post(
        "/console/orders/order-1/candidates/an/decide", data={"action": "shortlist"}, headers=HTMX
    )
    history = client.get("/console/candidates/an", params={"lang": "ja"}).text
    assert "愛知県" in history  # the prefecture the candidate wishes for
    assert "特定技能1号" in history.split("<h2>")[0]  # the tracks they are eligible for
    assert re.search(r"<td>\d{4}/\d{2}/\d{2} \d{1,2}:\d{2} UTC</td>", history)  # ja short date


def test_the_employer_sees_skills_by_label(client: TestClient) -> None:
    for action in ("shortlist", "propose"):
        client.post(
            "/console/orders/order-1/candidates/an/decide", data={"action": action}, headers=HTMX
        )
    client.cookies.set(SESSION_COOKIE, token_for("employer", "emp-aichi"))
    page = client.get("/console/orders/order-1", params={"lang": "ja"}).text
    assert "溶接 3" in page
    assert "welding" not in page


def test_counts_on_pages_take_the_right_plural_in_each_language(service_client: Any) -> None:
    client: TestClient = service_client(SPEC)
    market = applier(client)
    market.apply(order_event("order-1"))
    market.apply(candidate_event("an", full_name="Nguyễn Thị Hằng", level="N3"))
    client.cookies.set(SESSION_COOKIE, token_for("program_manager", "pm-office"))
    client.post(
        "/console/orders/order-1/candidates/an/decide", data={"action": "propose"}, headers=HTMX
    )
    english = client.get("/console/orders/order-1", params={"lang": "en"}).text
    assert "1 eligible of 1 candidate in the sector" in english
    hidden = client.get(
        "/console/orders/order-1", params={"province": "Huế", "lang": "en"}, headers=HTMX
    ).text
    assert "1 candidate meets this order's requirements, but the filters hide them." in hidden
    dashboard = client.get("/console/orders", params={"lang": "en"}).text
    assert "1 decided pair (1 approved, 0 rejected)" in dashboard
    assert (
        "1 ứng viên đủ điều kiện trong 1 ứng viên của ngành"
        in client.get("/console/orders/order-1", params={"lang": "vi"}).text
    )
    assert (
        "同分野の候補者1名のうち1名が要件を満たす"
        in client.get("/console/orders/order-1", params={"lang": "ja"}).text
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ja", "特定技能2号評価試験（介護）"), ("vi", "Kỳ thi Kỹ năng đặc định số 2: Điều dưỡng")],  # noqa: RUF001
)
def test_the_console_names_a_skills_test_by_the_kit(language: str, expected: str) -> None:
    """Candidate events carry no tests passed today; when a console page shows one, it is
    named by the kit's `skills_test` filter in the reader's language, not by its code."""
    page = PAGES.environments[language].from_string("{{ code | skills_test }}")
    assert page.render(code="ssw2_nursing_care") == expected
    assert page.render(code="jft_basic") == '<code lang="en">jft_basic</code>'
