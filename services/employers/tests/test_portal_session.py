"""The employer portal's session, roles and languages; another employer's order; the CSRF
check; the company profile; the candidates matching proposed; every message translated."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from conftest import match_decision, refused_tokens
from kakehashi.shared.applier import EventApplier
from kakehashi.shared.events import EventEnvelope
from kakehashi.shared.ui.browser_session import CSRF_FIELD, SESSION_COOKIE
from services.employers.tests.portal_browser import (
    CSRF,
    EN,
    HTMX,
    WELDER,
    post_form,
    post_order,
    sign_in,
)
from services.employers.tests.samples import EMPLOYER

pytestmark = pytest.mark.integration
SERVICE = Path(__file__).resolve().parents[1]
LOCALES = SERVICE / "src/kakehashi/employers/entrypoints/portal/locales"


def test_without_a_valid_session_the_portal_sends_the_browser_to_sign_in(
    client: TestClient,
) -> None:
    page = client.get("/portal/orders?status=open", follow_redirects=False)
    assert page.status_code == 303
    here = quote("http://127.0.0.1:8002/portal/orders?status=open", safe="")
    assert page.headers["location"] == f"http://127.0.0.1:8004/session/refresh?next={here}"
    htmx = client.post("/portal/orders/check", headers=HTMX)
    assert htmx.status_code == 204
    assert "/session/refresh" in htmx.headers["HX-Redirect"]
    client.cookies.set(SESSION_COOKIE, refused_tokens("employer", "emp-aichi")["expired"])
    assert client.get("/portal/orders", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("role", ["program_manager", "training_centre"])
def test_other_roles_get_a_page_saying_the_portal_is_for_employers(
    client: TestClient, role: str
) -> None:
    sign_in(client, role, "elsewhere")
    page = client.get("/portal/orders", headers=EN)
    assert page.status_code == 403
    assert "<h1>The employer portal is for employers</h1>" in page.text
    assert "Sign out" in page.text


def test_an_admin_reads_every_employers_orders_but_posts_none(client: TestClient) -> None:
    sign_in(client)
    order_id = post_order(client)
    sign_in(client, "admin", "kakehashi")
    listed = client.get("/portal/orders", headers=EN)
    assert listed.status_code == 200
    assert order_id in listed.text
    assert "<h1>Employers' job orders</h1>" in listed.text
    assert client.get(f"/portal/orders/{order_id}").status_code == 200
    assert client.get("/portal/orders/new").status_code == 403
    assert client.get("/portal/profile").status_code == 403


def test_japanese_by_default_vietnamese_and_english_on_request(client: TestClient) -> None:
    sign_in(client)
    japanese = client.get("/portal/orders")
    assert '<html lang="ja">' in japanese.text
    assert "<h1>自社の求人</h1>" in japanese.text
    vietnamese = client.get("/portal/orders?lang=vi")
    assert "<h1>Đơn hàng của tôi</h1>" in vietnamese.text
    assert client.get("/portal/orders").text.count("<h1>Đơn hàng của tôi</h1>") == 1  # kept
    client.cookies.delete("kakehashi_lang")
    english = client.get("/portal/orders", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert "<h1>My job orders</h1>" in english.text


def test_another_employers_order_is_not_found_on_every_page(client: TestClient) -> None:
    sign_in(client)
    order_id = post_order(client)
    sign_in(client, "employer", "emp-osaka")
    assert order_id not in client.get("/portal/orders").text
    for url in (f"/portal/orders/{order_id}", f"/portal/orders/{order_id}/edit",
                f"/portal/orders/{order_id}/kyujinhyo.xlsx"):  # fmt: skip
        missing = client.get(url)
        assert missing.status_code == 404, url
        assert "この求人は見つかりません" in missing.text  # the portal's page, not JSON
    moved = post_form(
        client, f"/portal/orders/{order_id}/transitions", {"to": "cancelled", "reason": "x"}
    )
    assert moved.status_code == 404
    changed = post_form(client, f"/portal/orders/{order_id}", WELDER | {"title": "mine now"})
    assert changed.status_code == 404
    assert client.get(f"/job-orders/{order_id}", headers=EMPLOYER).json()["status"] == "open"


def test_a_post_without_our_csrf_token_or_from_another_site_is_refused(client: TestClient) -> None:
    sign_in(client)
    without = client.post("/portal/orders", data=WELDER, headers={"Origin": "http://testserver"})
    assert without.status_code == 403
    assert (
        "The form has expired"
        in client.post(
            "/portal/orders", data=WELDER, headers={"Origin": "http://testserver"} | EN
        ).text
    )
    wrong = client.post(
        "/portal/orders", data=WELDER | {CSRF_FIELD: "d" * 43}, headers={"Origin": "http://testserver"}
    )  # fmt: skip
    assert wrong.status_code == 403
    elsewhere = client.post(
        "/portal/orders", data=WELDER | {CSRF_FIELD: CSRF}, headers={"Origin": "https://evil.example"}
    )  # fmt: skip
    assert elsewhere.status_code == 403
    assert client.post("/portal/profile", data={CSRF_FIELD: CSRF}).status_code == 403  # no Origin
    assert client.get("/job-orders", headers=EMPLOYER).json()["total"] == 0


def test_the_company_profile_is_shown_and_changed_with_inline_errors(client: TestClient) -> None:
    sign_in(client)
    empty = client.get("/portal/profile")
    assert empty.status_code == 200
    assert 'data-empty="profile"' in empty.text
    profile = {
        "company_name_ja": "田中工業株式会社",
        "company_name_romaji": "田中",
        "prefecture": "Aichi",
        "industry": "construction",
        "intermediary_kind": "",
        "intermediary_name": "",
    }
    romaji = post_form(client, "/portal/profile", profile)
    assert romaji.status_code == 422
    assert 'id="f-company_name_romaji-error">ローマ字で入力してください。<' in romaji.text
    profile["company_name_romaji"] = "Tanaka Kogyo Co., Ltd."
    unnamed = post_form(client, "/portal/profile", profile | {"intermediary_kind": "registered_support_organisation"})  # fmt: skip
    assert 'id="f-intermediary_name-error">仲介機関の名称を入力してください。<' in unnamed.text
    saved = post_form(client, "/portal/profile", profile)
    assert saved.status_code == 303
    page = client.get("/portal/profile").text
    assert "会社情報を保存しました。" in page
    assert 'value="Tanaka Kogyo Co., Ltd."' in page
    assert (
        client.get("/employers/me", headers=EMPLOYER).json()["company_name_ja"]
        == "田中工業株式会社"
    )


def test_the_order_page_shows_the_candidates_proposed_and_links_to_matchings_view(
    client: TestClient, consumer: EventApplier
) -> None:
    sign_in(client)
    order_id = post_order(client)
    page = client.get(f"/portal/orders/{order_id}", headers=EN).text
    assert 'data-empty="proposals"' in page
    view = f"http://127.0.0.1:8003/console/orders/{order_id}"
    assert f'id="shortlist-view" href="{view}"' in page
    assert f'href="{view}/shortlist.xlsx"' in page
    assert f'href="{view}/shortlist.pdf"' in page
    consumer.apply(match_decision(order_id, "cand-a", "shortlisted", 1))  # not shown to employers
    consumer.apply(match_decision(order_id, "cand-b", "proposed", 2))
    consumer.apply(match_decision(order_id, "cand-c", "selected", 4))
    page = client.get(f"/portal/orders/{order_id}", headers=EN).text
    assert re.findall(r'data-proposal="(\w+)"', page) == ["proposed", "selected"]
    assert 'data-count="proposed">proposed to you: 1<' in page
    assert "1 of 2 selected" in page
    assert "cand-" not in page  # no ids: matching's view names the people


def candidate_event(kind: str, candidate_id: str, version: int, **names: str) -> EventEnvelope:
    """A candidates event as candidates publishes it (a snapshot carries more than the name)."""
    data = {"candidate_id": candidate_id, "version": version}
    if kind in ("registered", "updated"):
        data |= {"training_centre_id": "tc-hanoi", "date_of_birth": "2000-01-01", **names}
    return EventEnvelope.new(
        type=f"candidate.{kind}", source="kakehashi.candidates", subject=candidate_id, data=data
    )


AN = {
    "full_name": "Nguyen Van An",
    "name_vi": "Nguyễn Văn An",
    "name_katakana": "グエン・ヴァン・アン",
}
BINH = {"full_name": "Tran Thi Binh"}  # no Vietnamese or katakana spelling given


def _names(page: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r'<td class="candidate-name">(.*?)</td>', page)
    ]


def test_the_order_page_names_the_proposed_candidates_as_each_reader_knows_them(
    client: TestClient, consumer: EventApplier
) -> None:
    """Employers arrange interviews by name: katakana with the passport's letters for Japanese
    readers, the Vietnamese spelling for Vietnamese ones, the passport's otherwise."""
    sign_in(client)
    order_id = post_order(client)
    consumer.apply(candidate_event("registered", "cand-an", 1, **AN))
    consumer.apply(candidate_event("registered", "cand-binh", 1, **BINH))
    consumer.apply(match_decision(order_id, "cand-an", "proposed", 2))
    consumer.apply(match_decision(order_id, "cand-binh", "interviewed", 3))
    consumer.apply(match_decision(order_id, "cand-chi", "proposed", 2))  # no snapshot yet
    url = f"/portal/orders/{order_id}"
    assert _names(client.get(url, params={"lang": "ja"}).text) == [
        "グエン・ヴァン・アン (Nguyen Van An)",
        "Tran Thi Binh",
        "氏名はまだ届いていません",
    ]
    assert _names(client.get(url, params={"lang": "vi"}).text)[:2] == [
        "Nguyễn Văn An",
        "Tran Thi Binh",
    ]
    english = client.get(url, params={"lang": "en"}).text
    assert _names(english) == ["Nguyen Van An", "Tran Thi Binh", "Name not received yet"]
    assert "cand-" not in english  # names, never ids


def test_a_candidate_who_withdrew_consent_is_never_shown(
    client: TestClient, consumer: EventApplier
) -> None:
    sign_in(client)
    order_id = post_order(client)
    consumer.apply(candidate_event("registered", "cand-an", 1, **AN))
    consumer.apply(candidate_event("registered", "cand-binh", 1, **BINH))
    consumer.apply(match_decision(order_id, "cand-an", "proposed", 2))
    consumer.apply(match_decision(order_id, "cand-binh", "proposed", 2))
    consumer.apply(candidate_event("unpublished", "cand-an", 3))
    consumer.apply(candidate_event("updated", "cand-an", 2, **AN))  # late: changes nothing
    url = f"/portal/orders/{order_id}"
    page = client.get(url, headers=EN).text
    assert _names(page) == ["Tran Thi Binh"]
    assert "Nguyen" not in page
    assert 'data-count="proposed">proposed to you: 1<' in page
    consumer.apply(candidate_event("erased", "cand-binh", 2))
    assert 'data-empty="proposals"' in client.get(url, headers=EN).text
    # Published again (consent given anew): a newer snapshot shows them again.
    consumer.apply(candidate_event("updated", "cand-an", 4, **AN))
    assert _names(client.get(url, headers=EN).text) == ["Nguyen Van An"]


def extracted() -> set[str]:
    with (SERVICE / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)  # type: ignore[no-untyped-call]
    keywords = DEFAULT_KEYWORDS | {"N_": None}  # as the Makefile's -k flag
    messages = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        SERVICE, method_map, options_map, keywords=keywords
    ):
        messages.add(message if isinstance(message, str) else message[0])
    return {m for m in messages if m}


@pytest.mark.parametrize("language", ["vi", "ja"])
def test_every_portal_message_is_translated_with_its_placeholders(language: str) -> None:
    with (LOCALES / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=language)
    messages = extracted()
    assert len(messages) > 150  # the extraction found the templates and the Python sources
    placeholder = re.compile(r"%\((\w+)\)[sd]")
    missing, mismatched = [], []
    for text in sorted(messages):
        entry = catalog.get(text)
        if entry is None or not entry.string or "fuzzy" in entry.flags:
            missing.append(text)
            continue
        strings = entry.string if isinstance(entry.string, tuple | list) else (entry.string,)
        if any(set(placeholder.findall(s)) != set(placeholder.findall(text)) for s in strings):
            mismatched.append(text)
    assert (missing, mismatched) == ([], [])
