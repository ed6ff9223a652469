"""`GET /job-orders/{id}/export.xlsx`: the 求人票 workbook, read back with openpyxl (real database)."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from conftest import auth
from kakehashi.shared.applier import EventApplier
from kakehashi.shared.events import EventEnvelope
from services.employers.tests.samples import EMPLOYER, MANAGER, OTHER_EMPLOYER, Body, Headers

pytestmark = pytest.mark.integration

ADMIN = auth("admin", "hq")
TRAINING_CENTRE = auth("training_centre", "tc-hanoi")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ORDER = {
    "title": "溶接工 / Welder",
    "track": "ssw1",
    "sector": "construction",
    "job_category": "welding",
    "prefecture": "Aichi",
    "headcount": 3,
    "min_japanese_level": "N4",
    "required_skills": [
        {"code": "welding", "min_level": 3, "must_have": True},
        {"code": "scaffolding", "min_level": 2, "must_have": False},
    ],
    "experience_years_min": 2,
    "education": "upper_secondary",
    "monthly_base_pay_yen": 230_000,
    "hours_per_week": 40,
    "overtime_hours_per_month": 20,
    "days_off_per_year": 105,
    "housing": {"provided": True, "monthly_cost_yen": 25_000},
    "contract_months": 36,
    "interview": {"date": "2027-02-10", "format": "online"},
    "expected_departure_date": "2027-06-01",
    "application_deadline": "2027-01-31",
    # Stored to warn about; must never reach the sheet.
    "preferred_sex": "female",
    "age_min": 23,
    "age_max": 37,
    "preferred_marital_status": "married",
}
PROFILE = {
    "company_name_ja": "田中工業株式会社",
    "company_name_romaji": "Tanaka Kogyo Co., Ltd.",
    "prefecture": "Gifu",
    "industry": "construction",
    "intermediary_kind": "registered_support_organisation",
    "intermediary_name": "Chubu Support Association",
}


def _post(client: TestClient, body: Body) -> str:
    response = client.post("/job-orders", json=body, headers=EMPLOYER)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _sheet(client: TestClient, order_id: str, headers: Headers = EMPLOYER) -> Any:
    response = client.get(f"/job-orders/{order_id}/export.xlsx", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX
    number = order_id.replace("-", "")[:8].upper()
    assert f'filename="kyujinhyo-{number}.xlsx"' in response.headers["content-disposition"]
    workbook = load_workbook(BytesIO(response.content))
    assert workbook.sheetnames == ["求人票"]
    return workbook["求人票"]


def _rows(sheet: Any) -> dict[str, list[Any]]:
    """Label → its values, in sheet order (a label such as 必須 may appear more than once)."""
    rows: dict[str, list[Any]] = {}
    for label, value in sheet.iter_rows(min_col=1, max_col=2, values_only=True):
        if label is not None:
            rows.setdefault(label, []).append(value)
    return rows


def test_the_export_is_a_kyujinhyo_with_the_order_and_employer(client: TestClient) -> None:
    assert client.put("/employers/me", json=PROFILE, headers=EMPLOYER).status_code == 200
    order_id = _post(client, ORDER)
    sheet = _sheet(client, order_id)
    rows = _rows(sheet)

    # A short number people can read out, the one the order's page shows; not the UUID.
    assert rows["求人番号 (Job order no.)"] == [order_id.replace("-", "")[:8].upper()]
    assert rows["事業所名 (Company name)"] == ["田中工業株式会社\nTanaka Kogyo Co., Ltd."]
    assert rows["所在地 (Prefecture)"] == ["岐阜県 (Gifu)"]
    assert rows["都道府県 (Prefecture)"] == ["愛知県 (Aichi)"]  # the work site, not the office
    assert rows["登録支援機関 (Registered support organisation)"] == ["Chubu Support Association"]
    assert rows["在留資格 (Residence status)"] == ["特定技能1号 (Specified Skilled Worker i)"]
    assert rows["求人名 (Job title)"] == ["溶接工 / Welder"]
    assert rows["分野 (Sector)"] == ["建設 (construction)"]
    assert rows["職種 (Job category)"] == ["溶接 (Welding)"]
    assert rows["必須 (Must have)"] == ["溶接 (Welding): レベル3以上 (level 3 or above)"]
    assert rows["歓迎 (Nice to have)"] == ["とび (Scaffolding): レベル2以上 (level 2 or above)"]
    assert rows["必要な日本語能力 (Minimum level)"] == ["N4以上 (N4 or above)"]
    assert rows["経験年数 (Experience in the sector)"] == ["2年以上 (2 years or more)"]
    assert rows["所定労働時間 (Hours per week)"] == ["週40時間 (40 h/week)"]
    assert rows["時間外労働 (Overtime per month)"] == ["月20時間 (20 h/month)"]
    assert rows["年間休日 (Days off per year)"] == ["年105日 (105 days/year)"]
    assert rows["住居 (Housing)"] == ["提供あり (provided)"]
    assert rows["契約期間 (Contract period)"] == ["36か月 (36 months)"]
    assert rows["面接方法 (Format)"] == ["オンライン (online)"]
    assert rows["面接日 (Date)"] == [dt.datetime(2027, 2, 10)]
    assert rows["入国予定日 (Expected date of entry)"] == [dt.datetime(2027, 6, 1)]
    assert rows["応募締切 (Application deadline)"] == [dt.datetime(2027, 1, 31)]
    for section in ("求人者 (Employer)", "必要な技能 (Required skills)", "賃金 (Wages)"):
        assert f"■ {section}" in rows

    # Quantities stay numbers, shown the way the form writes them.
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_col=1, max_col=2)}
    headcount = cells["募集人数 (Headcount)"]
    assert (headcount.value, headcount.number_format) == (3, '0"名"')
    pay = cells["基本給・月額 (Monthly base pay)"]
    assert pay.value == 230_000
    assert "#,##0" in pay.number_format
    assert "¥" in pay.number_format
    assert cells["住居費・月額 (Monthly cost)"].value == 25_000

    # Bold labels, wrapped text and set widths.
    assert cells["求人名 (Job title)"].alignment.wrap_text
    assert sheet.cell(cells["求人名 (Job title)"].row, 1).font.bold
    assert sheet.column_dimensions["A"].width >= 30
    assert sheet.column_dimensions["B"].width >= 50


def test_the_export_never_shows_sex_age_or_marital_preferences(client: TestClient) -> None:
    order_id = _post(client, ORDER)
    assert {
        w["code"]
        for w in client.get(f"/job-orders/{order_id}", headers=EMPLOYER).json()["warnings"]
    } >= {"sex_preference", "age_preference", "marital_status_preference"}
    for who in (EMPLOYER, MANAGER):  # the manager sees the preferences in the API, not here
        sheet = _sheet(client, order_id, who)
        values = [v for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
        number = order_id.replace("-", "")[:8].upper()  # hex digits: may hold "23" by chance
        texts = [v.lower() for v in values if isinstance(v, str) and v != number]
        for word in (
            "性別",
            "年齢",
            "婚姻",
            "既婚",
            "女性",
            "female",
            "sex",
            "(age",
            "marital",
            "married",
        ):
            assert not any(word in text for text in texts), word
        for age in ("23", "37"):
            assert not any(age in text for text in texts), age
        assert not {23, 37} & {v for v in values if isinstance(v, int)}


def test_an_order_with_only_the_required_fields_and_no_profile_exports(
    client: TestClient,
) -> None:
    body = {k: ORDER[k] for k in ("title", "sector", "prefecture", "headcount")}
    order_id = _post(client, body | {"track": "titp", "min_japanese_level": "none"})
    rows = _rows(_sheet(client, order_id))
    assert rows["事業所名 (Company name)"] == ["未登録 (no employer profile yet)"]
    assert rows["所在地 (Prefecture)"] == ["未登録 (no employer profile yet)"]
    assert rows["在留資格 (Residence status)"] == ["技能実習 (Technical Intern Training)"]
    assert rows["必要な技能 (Required skills)"] == ["なし (none)"]
    assert rows["必要な日本語能力 (Minimum level)"] == ["不問 (not required)"]
    assert rows["基本給・月額 (Monthly base pay)"] == ["未記入 (not stated)"]
    assert rows["住居 (Housing)"] == ["未記入 (not stated)"]
    assert rows["面接 (Interview)"] == ["未記入 (not stated)"]
    # No weekly hours: the rules hold the order to the standard 40, and the sheet says so.
    assert rows["所定労働時間 (Hours per week)"] == ["法定労働時間 週40時間 (standard 40 h/week)"]


def test_without_a_profile_the_company_is_named_from_the_organisation_directory(
    client: TestClient, consumer: EventApplier
) -> None:
    """The page header names the employer from identity's organisation: so does the sheet;
    only the profile's own fields say 未登録."""
    consumer.apply(
        EventEnvelope.new(
            type="organisation.registered",
            source="kakehashi.identity",
            subject="emp-aichi",
            data={
                "organisation_id": "emp-aichi",
                "version": 1,
                "kind": "employer",
                "name_latin": "Tanaka Kogyo",
                "name_ja": "田中工業株式会社",
            },
        )
    )
    rows = _rows(_sheet(client, _post(client, ORDER)))
    assert rows["事業所名 (Company name)"] == ["田中工業株式会社\nTanaka Kogyo"]
    assert rows["業種 (Industry)"] == ["未登録 (no employer profile yet)"]


def test_skills_are_named_never_shown_as_codes(client: TestClient) -> None:
    """Taxonomy skills (and the job category, coded alike) read 溶接 (Welding); a code the
    taxonomy lacks is made readable."""
    skills = [
        {"code": "welding", "min_level": 3, "must_have": True},
        {"code": "pipe_fitting", "min_level": 1, "must_have": False},
    ]
    values = [
        str(v)
        for row in _sheet(client, _post(client, {**ORDER, "required_skills": skills})).iter_rows(
            values_only=True
        )
        for v in row
        if v is not None
    ]
    assert "溶接 (Welding): レベル3以上 (level 3 or above)" in values
    assert "Pipe fitting: レベル1以上 (level 1 or above)" in values
    assert not [v for v in values if "welding" in v or "pipe_fitting" in v]


def test_only_the_owner_managers_and_admins_may_export(client: TestClient) -> None:
    order_id = _post(client, ORDER)
    url = f"/job-orders/{order_id}/export.xlsx"
    for who in (EMPLOYER, MANAGER, ADMIN):
        assert client.get(url, headers=who).status_code == 200
    hidden = client.get(url, headers=OTHER_EMPLOYER)
    assert (hidden.status_code, hidden.json()) == (404, {"detail": "job order not found"})
    assert client.get(url, headers=TRAINING_CENTRE).status_code == 403
    assert client.get(url).status_code in (401, 403)
    assert client.get("/job-orders/no-such-order/export.xlsx", headers=MANAGER).status_code == 404


def test_text_that_would_be_a_formula_is_written_as_text(client: TestClient) -> None:
    """A title or company name starting with `=` is never a live formula in the 求人票."""
    client.put(
        "/employer-profile", json={**PROFILE, "company_name_romaji": "=1+1"}, headers=EMPLOYER
    )
    sheet = _sheet(client, _post(client, {**ORDER, "title": '=HYPERLINK("http://x")'}))
    values = [
        cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)
    ]
    assert '\'=HYPERLINK("http://x")' in values
    assert not [value for value in values if value.startswith(("=", "+", "-", "@"))]
