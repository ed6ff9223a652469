"""Skills tests on the training-centre portal are named in the reader's language (the UI kit's
`skills_test`), never shown as their codes: on a candidate's page (skills and eligibility
reasons) and as the form's suggestions. A test no rule names is shown as a code."""

# ruff: noqa: RUF001 (Japanese names are written with full-width brackets)
from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from services.candidates.tests.test_portal import register, sign_in

pytestmark = pytest.mark.integration

TESTS = {"skills.welding.tests_passed": "ssw1_construction; ssw2_construction; local_weld_b2"}


def _text(html: str) -> str:
    """What a reader sees: the page without its tags (so without its attributes)."""
    return re.sub(r"<[^>]+>", " ", html)


def _track_row(page: str, track: str) -> str:
    return page.split(f'data-track="{track}"')[1].split("</tr>")[0]


def test_the_candidate_page_names_the_tests_passed_in_japanese(client: TestClient) -> None:
    sign_in(client)
    candidate_id = register(client, **TESTS)
    page = client.get(f"/portal/candidates/{candidate_id}?lang=ja").text
    assert "特定技能1号評価試験（建設）" in page
    assert "特定技能2号評価試験（建設）" in page
    assert "特定技能1号評価試験（建設）：合格" in _track_row(page, "ssw1")
    assert "特定技能2号評価試験（建設）：合格" in _track_row(page, "ssw2")
    assert '<code lang="en">local_weld_b2</code>' in page  # no rule names it: shown as a code
    shown = _text(page)
    assert "ssw1_construction" not in shown
    assert "ssw2_construction" not in shown


def test_the_candidate_page_names_the_tests_passed_in_vietnamese(client: TestClient) -> None:
    sign_in(client)
    candidate_id = register(client, **TESTS)
    page = client.get(f"/portal/candidates/{candidate_id}?lang=vi").text
    assert "Kỳ thi Kỹ năng đặc định số 1: Xây dựng" in page
    assert "đã đỗ Kỳ thi Kỹ năng đặc định số 1: Xây dựng" in _track_row(page, "ssw1")
    assert "ssw1_construction" not in _text(page)


def test_a_test_not_passed_is_named_in_the_reason(client: TestClient) -> None:
    sign_in(client)
    candidate_id = register(client, **{"skills.welding.tests_passed": ""})
    ssw1 = _track_row(client.get(f"/portal/candidates/{candidate_id}?lang=ja").text, "ssw1")
    assert "特定技能1号評価試験（建設）：未合格" in ssw1
    en = _track_row(client.get(f"/portal/candidates/{candidate_id}?lang=en").text, "ssw1")
    assert "Specified Skilled Worker (i) skills test (Construction) not passed" in en


def test_the_form_offers_the_sector_s_tests_by_name_to_tick(client: TestClient) -> None:
    sign_in(client)
    form = client.get("/portal/candidates/form/skills?sector=construction&lang=vi").text
    assert (
        '<input type="checkbox" name="skills.welding.tests_passed" value="ssw1_construction" >'
        " Kỳ thi Kỹ năng đặc định số 1: Xây dựng</label>"
    ) in form
    assert "Kỳ thi Kỹ năng đặc định số 2: Xây dựng" in form
    assert 'type="text" name="skills.welding.tests_passed"' not in form  # nothing to type
    care = client.get("/portal/candidates/form/skills?sector=nursing_care&lang=ja").text
    assert "介護日本語評価試験" in care
    # The form sends the codes ticked; a test held that no rule of the sector names stays ticked.
    candidate_id = register(client, **TESTS)
    edit = client.get(f"/portal/candidates/{candidate_id}/edit?lang=ja").text
    for code in ("ssw1_construction", "ssw2_construction", "local_weld_b2"):
        assert f'name="skills.welding.tests_passed" value="{code}" checked>' in edit
    assert "特定技能2号評価試験（建設）" in edit
    assert 'value="ssw1_construction" checked> 特定技能1号評価試験（建設）' in edit
