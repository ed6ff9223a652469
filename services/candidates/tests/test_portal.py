"""The training-centre portal's pages: sessions and roles, the list with search and filters,
the register / edit form (inline errors in the reader's language, duplicates, consent), a
candidate's page (eligibility, history, matching, privacy actions), CSRF on every form."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from fastapi.testclient import TestClient

from conftest import match_decision, outbox_events, token_for
from kakehashi.candidates.adapters.spreadsheets import FileFormat
from kakehashi.candidates.bootstrap import SPEC
from kakehashi.candidates.entrypoints.import_rows import template_rows
from kakehashi.candidates.service_layer import imports
from kakehashi.shared.applier import EventApplier
from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.ui.browser_session import CSRF_COOKIE, SESSION_COOKIE
from services.candidates.tests.samples import CENTRE, SHARING, runtime_of
from services.candidates.tests.test_profile_api import FULL

pytestmark = pytest.mark.integration

ORIGIN = {"Origin": "http://127.0.0.1:8001"}
CSRF = "c" * 43  # a double-submit token as the kit makes them (43 characters)
EN = {"Accept-Language": "en"}

# The form's fields for one person: what a centre types in.
PERSON = {
    "full_name": "Nguyen Thi Hang",
    "name_vi": "Nguyễn Thị Hằng",
    "name_katakana": "グエン・ティ・ハン",
    "date_of_birth": "2001-04-12",
    "sex": "female",
    "province": "Tây Ninh",
    "phone": "+84 912 000 111",
    "passport_number": "C7654321",
    "sector": "construction",
    "skills.welding.level": "3",
    "skills.welding.tests_passed": "ssw1_construction",
    "japanese_tests.0.test": "jlpt",
    "japanese_tests.0.level": "N4",
    "japanese_tests.0.date": "2025-12-07",
    "training_hours": "420",
    "training_cohort": "2026-A",
    "desired_tracks": "ssw1",
    "desired_prefectures": "Aichi",
    "available_from": "2027-02-01",
    "notice_language": "vi",
    "consent_sharing": "yes",
}


def sign_in(client: TestClient, role: str = "training_centre", org: str = "tc-tay-ninh") -> None:
    """The single sign-on's cookie, as identity sets it, and the CSRF cookie of the kit."""
    client.cookies.set(SESSION_COOKIE, token_for(role, org))
    client.cookies.set(CSRF_COOKIE, CSRF)


def post(client: TestClient, url: str, data: dict[str, Any], **headers: str) -> Any:
    """A form sent from one of our pages: our Origin and the CSRF token."""
    return client.post(
        url, data={"csrf_token": CSRF, **data}, headers=ORIGIN | headers, follow_redirects=False
    )


def register(client: TestClient, **changes: str) -> str:
    response = post(client, "/portal/candidates/new", PERSON | changes)
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/portal/candidates/([0-9a-f-]{36})", response.headers["location"])
    assert found is not None
    return found.group(1)


def test_pages_need_a_session_and_say_where_other_roles_work(client: TestClient) -> None:
    response = client.get("/portal/candidates?q=an", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == (
        "http://127.0.0.1:8004/session/refresh?next="
        + quote("http://127.0.0.1:8001/portal/candidates?q=an", safe="")
    )
    client.cookies.set(SESSION_COOKIE, "not-a-token")
    assert client.get("/portal/candidates", follow_redirects=False).status_code == 303
    htmx = client.get("/portal/candidates", headers={"HX-Request": "true"})
    assert htmx.headers["HX-Redirect"].startswith("http://127.0.0.1:8004/session/refresh")

    sign_in(client, "employer", "emp-aichi")
    page = client.get("/portal/candidates", headers=EN)
    assert page.status_code == 403
    assert "employer portal" in page.text
    assert "/portal/orders" in page.text
    sign_in(client, "program_manager", "pm-office")
    page = client.get("/portal/candidates", headers=EN)
    assert page.status_code == 403
    assert "/console/orders" in page.text
    # Admins read every centre's candidates but do not register or import.
    sign_in(client, "admin", "ops")
    assert client.get("/portal/candidates").status_code == 200
    for url in ("/portal/candidates/new", "/portal/imports"):
        refused = client.get(url, headers=EN)
        assert refused.status_code == 403
        assert "only the centre that trains a person registers" in refused.text


def test_the_portal_speaks_vietnamese_by_default_and_japanese_or_english_on_request(
    client: TestClient,
) -> None:
    sign_in(client)
    register(client)
    vi = client.get("/portal/candidates").text
    assert '<html lang="vi">' in vi
    assert "Ứng viên của tôi" in vi  # "My candidates"
    assert "Nguyễn Thị Hằng" in vi  # the Vietnamese spelling for Vietnamese readers
    ja = client.get("/portal/candidates?lang=ja").text
    assert '<html lang="ja">' in ja
    assert "グエン・ティ・ハン (Nguyen Thi Hang)" in ja  # katakana with the passport name
    assert "建設" in ja  # the sector named in Japanese
    en = client.get("/portal/candidates?lang=en").text
    assert "My candidates" in en
    assert "Construction" in en


def test_a_centre_registers_through_the_form_and_sees_the_candidate(
    client: TestClient,
) -> None:
    sign_in(client)
    form = client.get("/portal/candidates/new", headers=EN).text
    assert 'name="csrf_token"' in form
    assert "Privacy notice, version 2026-01" in form
    assert '<label for="f-full_name"' in form  # labels are tied to their inputs
    skills = client.get(
        "/portal/candidates/form/skills?sector=construction", headers={"Accept-Language": "vi"}
    ).text
    assert 'name="skills.welding.level"' in skills
    assert "Hàn" in skills  # the taxonomy's Vietnamese label of welding

    response = post(client, "/portal/candidates/new", PERSON)
    assert response.status_code == 303
    candidate_id = response.headers["location"].rsplit("/", 1)[1]
    page = client.get(response.headers["location"], headers=EN)
    assert "The candidate is registered." in page.text
    assert "Nguyen Thi Hang" in page.text
    # Same use case as the API: the candidate, the consent, and the event for matching.
    api = client.get(f"/candidates/{candidate_id}", headers=CENTRE).json()
    assert api["skills"] == [{"code": "welding", "level": 3, "tests_passed": ["ssw1_construction"]}]
    assert api["japanese_level"] == "N4"
    assert api["published"] is True
    consents = client.get(f"/candidates/{candidate_id}/consents", headers=CENTRE).json()
    assert [(c["scope"], c["notice_version"], c["language"]) for c in consents] == [
        ("share_with_employers_in_japan", "2026-01", "vi")
    ]
    registered = [e for e in outbox_events(client) if e["type"] == "candidate.registered"]
    assert [e["subject"] for e in registered] == [candidate_id]

    listed = client.get("/portal/candidates", headers=EN).text
    assert f'data-candidate="{candidate_id}"' in listed


def test_refused_fields_come_back_next_to_their_inputs_in_the_readers_language(
    client: TestClient,
) -> None:
    sign_in(client)
    bad = PERSON | {
        "full_name": "",
        "phone": "call me",
        "japanese_tests.0.date": "",
        "training_hours": "many",
    }
    response = post(client, "/portal/candidates/new", bad, **{"Accept-Language": "en"})
    assert response.status_code == 422
    html = response.text
    assert 'id="e-full_name">Required.<' in html
    assert 'id="e-phone">Not in the expected format.<' in html
    assert 'id="e-japanese_tests-0-date">Required.<' in html
    assert 'id="e-training_hours">Enter a whole number.<' in html
    # The summary above the form names each field and links to it.
    assert '<a href="#f-phone">Phone: Not in the expected format.</a>' in html
    assert '<a href="#f-japanese_tests-0-date">Date taken (1): Required.</a>' in html
    assert 'aria-describedby="h-phone e-phone"' in html
    assert 'value="call me"' in html  # what was typed is kept
    vi = post(client, "/portal/candidates/new", bad, **{"Accept-Language": "vi"}).text
    assert 'id="e-full_name">Bắt buộc.<' in vi
    # A rule of the domain (an unknown province) also lands next to its field.
    domain = post(client, "/portal/candidates/new", PERSON | {"province": "Atlantis"}, **EN)
    assert domain.status_code == 422
    assert 'id="e-province">Choose a province from the list.<' in domain.text
    assert client.get("/candidates", headers=CENTRE).json()["total"] == 0


def test_a_person_registered_twice_is_a_warning_with_a_link(client: TestClient) -> None:
    sign_in(client)
    first = register(client)
    again = post(client, "/portal/candidates/new", PERSON | {"phone": ""}, **EN)
    assert again.status_code == 409
    assert "This person is already registered" in again.text
    assert f'href="/portal/candidates/{first}"' in again.text
    sign_in(client, org="tc-nghe-an")
    elsewhere = post(client, "/portal/candidates/new", PERSON, **EN)
    assert elsewhere.status_code == 409
    assert "already registered at another training centre" in elsewhere.text
    assert first not in elsewhere.text


def test_the_form_warns_of_a_registered_person_while_it_is_filled_in(
    client: TestClient,
) -> None:
    sign_in(client)
    first = register(client)
    url = "/portal/candidates/form/duplicates"
    by_passport = client.get(url, params={"passport_number": "c 7654321"}, headers=EN).text
    assert by_passport.startswith('<div id="duplicate"')
    assert f'href="/portal/candidates/{first}"' in by_passport
    same_name = {"full_name": "NGUYEN THI HANG", "date_of_birth": "2001-04-12"}
    assert first in client.get(url, params=same_name, headers=EN).text
    other_day = same_name | {"date_of_birth": "2001-04-13"}
    assert "already registered" not in client.get(url, params=other_day, headers=EN).text
    # Editing the person is not a duplicate of themselves.
    itself = client.get(url, params={"passport_number": "C7654321", "candidate_id": first})
    assert "already registered" not in itself.text
    form = client.get("/portal/candidates/new").text
    assert 'hx-get="/portal/candidates/form/duplicates"' in form
    sign_in(client, org="tc-nghe-an")
    elsewhere = client.get(url, params={"passport_number": "C7654321"}, headers=EN).text
    assert "already registered at another training centre" in elsewhere
    assert first not in elsewhere


def test_a_centre_edits_its_candidate_and_a_blank_field_clears_it(client: TestClient) -> None:
    sign_in(client)
    candidate_id = register(client)
    form = client.get(f"/portal/candidates/{candidate_id}/edit", headers=EN).text
    assert 'value="Nguyen Thi Hang"' in form
    assert re.search(r'name="skills.welding.level".*?<option value="3" selected', form, re.S)
    changed = PERSON | {"phone": "", "training_hours": "500", "skills.scaffolding.level": "2"}
    response = post(client, f"/portal/candidates/{candidate_id}/edit", changed)
    assert response.status_code == 303
    api = client.get(f"/candidates/{candidate_id}", headers=CENTRE).json()
    assert api["phone"] is None
    assert api["training_hours"] == 500
    assert {s["code"] for s in api["skills"]} == {"welding", "scaffolding"}
    assert api["version"] == 2
    invalid = post(
        client, f"/portal/candidates/{candidate_id}/edit", PERSON | {"email": "no-at"}, **EN
    )
    assert invalid.status_code == 422
    assert 'id="e-email">Not in the expected format.<' in invalid.text


def test_another_centres_candidate_is_not_found(client: TestClient) -> None:
    sign_in(client)
    candidate_id = register(client)
    sign_in(client, org="tc-nghe-an")
    for url in (f"/portal/candidates/{candidate_id}", f"/portal/candidates/{candidate_id}/edit"):
        assert client.get(url).status_code == 404
    for action in ("edit", "erase", "export", "move", "consents", "consents/x/withdraw"):
        data = PERSON | {"confirm": "yes", "to": "in_training"}
        response = post(client, f"/portal/candidates/{candidate_id}/{action}", data)
        assert response.status_code == 404, action
    assert client.get(f"/candidates/{candidate_id}", headers=CENTRE).json()["erased_at"] is None
    sign_in(client, "admin", "ops")  # admins see every centre's
    assert client.get(f"/portal/candidates/{candidate_id}").status_code == 200


def test_every_form_needs_our_origin_and_the_csrf_token(client: TestClient) -> None:
    sign_in(client)
    candidate_id = register(client)
    forms = {
        "/portal/candidates/new": PERSON,
        f"/portal/candidates/{candidate_id}/edit": PERSON,
        f"/portal/candidates/{candidate_id}/erase": {"confirm": "yes"},
        f"/portal/candidates/{candidate_id}/export": {},
        f"/portal/candidates/{candidate_id}/move": {"to": "in_training"},
        f"/portal/candidates/{candidate_id}/consents": {"confirm": "yes"},
        f"/portal/candidates/{candidate_id}/consents/x/withdraw": {},
        "/portal/imports": {},
    }
    for url, data in forms.items():
        no_token = client.post(url, data=data, headers=ORIGIN | EN)
        assert no_token.status_code == 403, url
        assert "The form was refused" in no_token.text
        wrong_token = client.post(url, data={"csrf_token": "x" * 43, **data}, headers=ORIGIN)
        assert wrong_token.status_code == 403, url
        elsewhere = {"Origin": "https://evil.example"}
        assert (
            client.post(url, data={"csrf_token": CSRF, **data}, headers=elsewhere).status_code
            == 403
        )
    api = client.get(f"/candidates/{candidate_id}", headers=CENTRE).json()
    assert (api["status"], api["erased_at"], api["version"]) == ("registered", None, 1)


def test_the_list_searches_any_script_filters_sorts_pages_and_counts(client: TestClient) -> None:
    sign_in(client)
    hang = register(client)
    binh = register(
        client,
        full_name="Tran Van Binh",
        name_vi="Trần Văn Bình",
        name_katakana="チャン・ヴァン・ビン",
        passport_number="B1111111",
        **{"japanese_tests.0.level": "N5"},
    )
    post(client, f"/portal/candidates/{binh}/move", {"to": "in_training"})

    def listed(query: str) -> list[str]:
        html = client.get(f"/portal/candidates?{query}", headers={"HX-Request": "true"}).text
        assert html.startswith('<div id="results"')  # htmx gets the results only
        return re.findall(r'data-candidate="([^"]+)"', html)

    assert listed("q=tran van binh") == [binh]
    assert listed("q=Trần Văn") == [binh]
    assert listed("q=ビン") == [binh]
    assert listed(f"q={hang[:8]}") == [hang]
    assert listed("q=hang") == [hang]
    assert listed("status=in_training") == [binh]
    assert listed("level=N4") == [hang]
    assert listed("track=ssw1") == [hang]  # N4 and the skills test: eligible for SSW i
    assert listed("sector=nursing_care") == []
    assert listed("sort=name") == [hang, binh]
    assert listed("sort=oldest") == [hang, binh]
    assert listed("") == [binh, hang]  # newest first
    assert listed("status=bogus") == [binh, hang]  # an unknown value is no filter
    # A count's link filters by its status; htmx's answer also sets the status filter (oob).
    partial = client.get(
        "/portal/candidates?status=in_training", headers={"HX-Request": "true", **EN}
    ).text
    assert re.search(r'<select id="f-status" name="status" hx-swap-oob="true">', partial)
    assert '<option value="in_training" selected>' in partial
    counts = client.get("/portal/candidates?status=in_training", headers=EN).text
    assert "hx-swap-oob" not in counts
    assert re.search(r'data-status="registered"[^>]*>registered <strong>1<', counts)
    assert re.search(r'data-status="in_training"[^>]*>in training <strong>1<', counts)
    # Another centre sees none of them, and may not narrow by centre; admins see all, by centre.
    sign_in(client, org="tc-nghe-an")
    assert listed("") == []
    assert listed("centre=tc-tay-ninh") == []
    sign_in(client, "admin", "ops")
    assert listed("centre=tc-tay-ninh") == [binh, hang]
    assert listed("centre=tc-nghe-an") == []
    assert 'id="f-centre"' in client.get("/portal/candidates").text


def test_pages_of_25_link_to_the_next(client: TestClient) -> None:
    sign_in(client)
    for n in range(27):
        register(
            client,
            full_name=f"Person {n:02d}",
            passport_number=f"P{n:07d}",
            name_vi="",
            name_katakana="",
        )
    first = client.get("/portal/candidates?sort=name", headers=EN).text
    assert first.count("data-candidate=") == 25
    assert 'href="/portal/candidates?page=2&amp;sort=name" rel="next"' in first
    second = client.get("/portal/candidates?sort=name&page=2", headers=EN).text
    assert second.count("data-candidate=") == 2
    assert "Page 2 of 2" in second


def test_the_candidate_page_shows_eligibility_history_matching_and_privacy(
    client: TestClient, consumer: EventApplier
) -> None:
    sign_in(client)
    candidate_id = register(client)
    moved = post(client, f"/portal/candidates/{candidate_id}/move", {"to": "ready"})
    assert moved.status_code == 303
    consumer.apply(match_decision("order-1", candidate_id, "proposed", 1))
    consumer.apply(match_decision("order-2", candidate_id, "rejected", 1))
    page = client.get(f"/portal/candidates/{candidate_id}", headers=EN).text
    assert 'data-status="shortlisted"' in page  # matching's proposal moved the pipeline
    ssw1 = page.split('data-track="ssw1"')[1].split("</tr>")[0]
    assert "yes" in ssw1
    assert "Japanese N4 (needs N4)" in ssw1
    assert "Specified Skilled Worker (i) skills test (Construction) passed" in ssw1
    assert "registered → ready" in page
    assert "matching: proposed to employer for order (title not yet received)" in page
    assert re.search(r'data-order="order-1">.*?proposed to employer', page, re.S)
    assert re.search(r'data-order="order-2">.*?rejected', page, re.S)
    vi = client.get(f"/portal/candidates/{candidate_id}", headers={"Accept-Language": "vi"}).text
    assert "tiếng Nhật N4 (cần N4)" in vi  # the reasons in Vietnamese

    notifications = client.get("/portal/notifications", headers=EN).text
    assert "proposed to employer" in notifications
    assert 'data-order="order-2"' in notifications

    export = post(client, f"/portal/candidates/{candidate_id}/export", {})
    assert export.headers["content-disposition"].startswith("attachment")
    assert export.json()["candidate"]["id"] == candidate_id
    unconfirmed = post(client, f"/portal/candidates/{candidate_id}/erase", {})
    assert unconfirmed.status_code == 303
    assert client.get(f"/candidates/{candidate_id}", headers=CENTRE).json()["erased_at"] is None
    erased = post(client, f"/portal/candidates/{candidate_id}/erase", {"confirm": "yes"})
    assert erased.status_code == 303
    api = client.get(f"/candidates/{candidate_id}", headers=CENTRE).json()
    assert api["erased_at"] is not None
    assert api["status"] == "withdrawn"
    assert "candidate.erased" in {e["type"] for e in outbox_events(client)}


def test_a_consent_given_later_publishes_the_candidate(client: TestClient) -> None:
    sign_in(client)
    candidate_id = register(client, consent_sharing="")
    page = client.get(f"/portal/candidates/{candidate_id}", headers=EN).text
    assert "not shared with matching" in page
    assert 'action="/portal/candidates/' + candidate_id + '/consents"' in page
    post(
        client,
        f"/portal/candidates/{candidate_id}/consents",
        {"confirm": "yes", "notice_language": "ja"},
    )
    api = client.get(f"/candidates/{candidate_id}", headers=CENTRE).json()
    assert api["published"] is True
    consents = client.get(f"/candidates/{candidate_id}/consents", headers=CENTRE).json()
    assert [(c["notice_version"], c["language"]) for c in consents] == [("2026-01", "ja")]
    assert SHARING["scope"] == consents[0]["scope"]
    # The person takes it back: matching drops the candidate.
    withdraw = f"/portal/candidates/{candidate_id}/consents/{consents[0]['id']}/withdraw"
    assert f'action="{withdraw}"' in client.get(f"/portal/candidates/{candidate_id}").text
    assert post(client, withdraw, {"reason": "changed their mind"}).status_code == 303
    api = client.get(f"/candidates/{candidate_id}", headers=CENTRE).json()
    assert api["published"] is False
    again = post(client, withdraw, {})
    assert again.status_code == 303
    assert "withdrawn already" in client.get(again.headers["location"], headers=EN).text
    assert "candidate.unpublished" in {e["type"] for e in outbox_events(client)}


def _csv(*people: dict[str, str]) -> bytes:
    """The import template's columns, one row per person (the example row's values otherwise)."""
    header, (example,) = template_rows()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for person in people:
        row = dict(zip(header, example, strict=True)) | person
        writer.writerow([row[column] for column in header])
    return out.getvalue().encode()


def upload(client: TestClient, content: bytes, name: str = "people.csv", **headers: str) -> Any:
    return client.post(
        "/portal/imports",
        data={"csrf_token": CSRF},
        files={"file": (name, content, "text/csv")},
        headers=ORIGIN | headers,
        follow_redirects=False,
    )


def test_a_centre_imports_a_file_and_follows_its_progress(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/portal/imports", headers=EN).text
    assert 'href="/imports/template.csv"' in page
    assert 'href="/imports/template.xlsx"' in page
    assert 'enctype="multipart/form-data"' in page
    good = {"full_name": "Le Van Mot", "passport_number": "D1000001"}
    bad = {"full_name": "Le Van Hai", "passport_number": "D1000002", "sector": "mining"}
    response = upload(client, _csv(good, bad))
    assert response.status_code == 303
    job_url = response.headers["location"]
    assert re.fullmatch(r"/portal/imports/[0-9a-f-]{36}", job_url)
    # The TestClient ran the job after the response, as the API process does.
    progress = client.get(job_url, headers={"HX-Request": "true", **EN}).text
    assert progress.startswith('<div id="progress" data-status="done"')
    assert "hx-trigger" not in progress  # a finished job is not polled again
    assert 'id="created">1<' in progress
    assert 'id="failed">1<' in progress
    assert f'href="{job_url}/failures.csv"' in progress
    failures = client.get(f"{job_url}/failures.csv")
    assert failures.status_code == 200
    rows = list(csv.DictReader(io.StringIO(failures.content.decode("utf-8-sig"))))
    assert [(r["row"], r["full_name"]) for r in rows] == [("3", "Le Van Hai")]
    assert (
        client.get("/portal/candidates?q=le van mot", headers=EN).text.count("data-candidate=") == 1
    )
    # Another centre does not see the job.
    sign_in(client, org="tc-nghe-an")
    assert client.get(job_url).status_code == 404
    assert client.get(f"{job_url}/failures.csv").status_code == 404


def test_a_running_job_is_polled_and_a_bad_file_is_refused_before_it_starts(
    client: TestClient,
) -> None:
    sign_in(client)
    runtime = runtime_of(client)
    job = imports.create_job(
        runtime.uow(), Principal(subject="u", role=Role.TRAINING_CENTRE, organisation_id="tc-tay-ninh"),
        "waiting.csv", FileFormat.CSV, _csv({}),
    )  # fmt: skip
    waiting = client.get(f"/portal/imports/{job.id}", headers=EN).text
    assert 'hx-trigger="every 1s"' in waiting
    assert "waiting to start" in waiting
    unknown = upload(client, b"fullname,sector\nAn,construction\n", **EN)
    assert unknown.status_code == 422
    assert "Not accepted:" in unknown.text
    assert 'aria-invalid="true"' in unknown.text
    wrong_type = upload(client, _csv({}), name="people.txt", **EN)
    assert wrong_type.status_code == 422
    # One import at a time per centre: the page says so and links the running one.
    busy = upload(client, _csv({"full_name": "Le Van Ba", "passport_number": "D1000003"}), **EN)
    assert busy.status_code == 409
    assert "still running" in busy.text
    assert f'href="/portal/imports/{job.id}"' in busy.text
    no_file = client.post(
        "/portal/imports", data={"csrf_token": CSRF}, headers=ORIGIN | EN, follow_redirects=False
    )
    assert no_file.status_code == 422
    assert "Choose a CSV or XLSX file." in no_file.text


def test_going_back_to_a_filtered_list_gets_the_whole_page(client: TestClient) -> None:
    """htmx restores history it has no copy of by asking again: that answer is the page."""
    sign_in(client)
    restore = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    page = client.get("/portal/candidates?q=lan", headers=restore)
    assert page.text.startswith("<!doctype html>")
    # The results alone are never cached as the page of that URL.
    results = client.get("/portal/candidates?q=lan", headers={"HX-Request": "true"})
    assert results.headers["Vary"] == "HX-Request"
    assert results.headers["Cache-Control"] == "no-store"


class _FormFields(HTMLParser):
    """The fields a browser would send from a page's form: inputs, ticked boxes, chosen options."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if tag == "input" and "name" in found:
            if found.get("type") in ("checkbox", "radio") and "checked" not in found:
                return
            if found.get("type") == "file":
                return
            self.fields.append((found["name"], found.get("value", "")))
        elif tag == "select":
            self._select = found.get("name")
        elif tag == "option" and self._select and "selected" in found:
            self.fields.append((self._select, found.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def test_a_full_profile_goes_through_the_edit_form_unchanged(client: TestClient) -> None:
    """Every stored field is on the form: sending the form back as it is changes nothing."""
    created = client.post("/candidates", json=FULL, headers=CENTRE)
    assert created.status_code == 201, created.text
    before = created.json()
    sign_in(client)
    form = client.get(f"/portal/candidates/{before['id']}/edit", headers=EN).text
    parser = _FormFields()
    parser.feed(form.split('class="form candidate-form"')[1].split("</form>")[0])
    fields = [(k, v) for k, v in parser.fields if k != "csrf_token"]
    response = client.post(
        f"/portal/candidates/{before['id']}/edit",
        content=urlencode([("csrf_token", CSRF), *fields]).encode(),
        headers=ORIGIN | {"Content-Type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    after = client.get(f"/candidates/{before['id']}", headers=CENTRE).json()
    changing = {"version", "updated_at"}
    for wishes in (before, after):  # a multiple choice lists its options in their own order
        wishes["desired_prefectures"].sort()
    assert {k: v for k, v in after.items() if k not in changing} == {
        k: v for k, v in before.items() if k not in changing
    }
    assert after["version"] == before["version"] + 1


def test_the_excel_template_imports_from_the_portal(client: TestClient) -> None:
    sign_in(client)
    template = client.get("/imports/template.xlsx").content  # the link on the upload page
    response = upload(client, template, name="mau.xlsx")
    assert response.status_code == 303
    progress = client.get(response.headers["location"], headers=EN).text
    assert 'data-status="done"' in progress
    assert 'id="created">1<' in progress


def test_a_file_over_the_services_limits_is_refused_on_the_upload_page(
    service_client: Callable[..., TestClient],
) -> None:
    client = service_client(SPEC, import_max_rows=1)
    sign_in(client)
    two = _csv({"passport_number": "D2000001"}, {"passport_number": "D2000002"})
    response = upload(client, two, **EN)
    assert response.status_code == 422
    assert re.search(r'id="upload-error">Not accepted: [^<]*1', response.text)
    assert client.get("/candidates", headers=CENTRE).json()["total"] == 0


def test_the_portal_takes_files_as_large_as_the_api(client: TestClient) -> None:
    """The upload form may send up to the API's file size, not the 1 MB of other forms."""
    sign_in(client)
    people = [{"full_name": f"Le Van {n}", "passport_number": f"F{n:07d}"} for n in range(6000)]
    content = _csv(*people)
    assert len(content) > 1024 * 1024
    response = upload(client, content)
    assert response.status_code == 303
