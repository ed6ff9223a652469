"""The demo data agrees with the product a trial user sees: candidates and centres are in the 34
provinces the form offers (in force since the 2025 merger), each employer posts orders of its
own trade (a builder never posts plastic moulding), and the seed saves each employer's company
profile through employers' API, so the 求人票 names the company instead of "未登録"."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

from conftest import auth, free_port, issuer_settings, served, sign_as_test_issuer
from kakehashi.candidates.domain.provinces import provinces_in_force
from kakehashi.devtools.demo_data import EMPLOYERS, TRAINING_CENTRES, generate_market
from kakehashi.devtools.demo_organisations import BY_ID, ORGANISATIONS, employer_profile
from kakehashi.devtools.seed import _employer_profiles
from kakehashi.devtools.seed_api import Api
from kakehashi.devtools.seed_report import SeedReport
from kakehashi.employers.bootstrap import SPEC
from kakehashi.employers.config import EmployersSettings
from kakehashi.employers.entrypoints.employer_profile import EmployerProfileIn
from kakehashi.shared.reference import Sector
from kakehashi.shared.runtime import Runtime

S = Sector
TODAY = date(2026, 11, 30)
IN_FORCE = {unit.name for unit in provinces_in_force(TODAY)}
# What an employer's name says it does -> the only sectors it may hire for.
TRADE_WORDS: dict[str, set[Sector]] = {
    "Kensetsu": {S.CONSTRUCTION},
    "Kaigo": {S.NURSING_CARE},
    "Care": {S.NURSING_CARE},
    "Farm": {S.AGRICULTURE},
    "Zosen": {S.SHIPBUILDING},
    "Suisan": {S.FISHERIES, S.FOOD_BEVERAGE_MANUFACTURING},
    "Foods": {S.FOOD_BEVERAGE_MANUFACTURING, S.FOOD_SERVICE},
    "Shokuhin": {S.FOOD_BEVERAGE_MANUFACTURING},
    "Hotel": {S.ACCOMMODATION, S.FOOD_SERVICE},
    "Mokuzai": {S.WOOD_INDUSTRY, S.FORESTRY},
    "Recycle": {S.RESOURCE_CIRCULATION},
    "Unyu": {S.AUTOMOBILE_TRANSPORT, S.LOGISTICS_WAREHOUSE},
    "Ground Service": {S.AVIATION},
    "Tetsudo": {S.RAILWAY},
    "Building Service": {S.BUILDING_CLEANING},
    "Linen": {S.LINEN_SUPPLY},
    "Jidosha Seibi": {S.AUTOMOBILE_MAINTENANCE},
    "Kogyo": {S.INDUSTRIAL_PRODUCTS_MANUFACTURING},
    "Seiko": {S.INDUSTRIAL_PRODUCTS_MANUFACTURING},
}


def test_candidates_and_centres_are_in_provinces_in_force() -> None:
    market = generate_market(400, 40, seed=7, today=TODAY)
    used = {body["province"] for _, body in market.candidates}
    assert used <= IN_FORCE, sorted(used - IN_FORCE)
    assert set(TRAINING_CENTRES.values()) <= IN_FORCE
    centres = [o for o in ORGANISATIONS if o.kind == "training_centre"]
    assert {o.province for o in centres} <= IN_FORCE
    # A centre keeps the name it was founded under; its province is the one in force.
    assert BY_ID["tc-bac-giang-01"].province == "Bắc Ninh"
    assert BY_ID["tc-bac-giang-01"].name_vi == "Trung tâm đào tạo Bắc Giang 1"


def test_each_employer_posts_orders_of_its_own_trade() -> None:
    for employer, (_prefecture, sectors) in EMPLOYERS.items():
        name = BY_ID[employer].name_latin
        words = [word for word in TRADE_WORDS if word in name]
        assert words, f"{name}: no trade word known for it"
        allowed = set.union(*(TRADE_WORDS[word] for word in words))
        assert set(sectors) <= allowed, f"{name} hires for {sectors}"
    market = generate_market(400, 200, seed=7, today=TODAY)
    hitachi = {b["sector"] for e, b in market.job_orders if e == "emp-ibaraki-hitachi-kensetsu"}
    assert hitachi == {"construction"}
    assert all(
        body["sector"] in {s.value for s in EMPLOYERS[e][1]} for e, body in market.job_orders
    )


def test_every_employer_profile_is_one_the_employers_api_accepts() -> None:
    for employer, (prefecture, sectors) in EMPLOYERS.items():
        profile = EmployerProfileIn.model_validate(employer_profile(employer))
        assert profile.company_name_ja == BY_ID[employer].name_ja
        assert profile.prefecture == prefecture
        assert profile.industry in sectors


@pytest.fixture
def employers(tmp_path: Path, test_jwks_file: Path) -> Iterator[str]:
    """The employers app served on a free port (SQLite, no broker: events wait in the outbox)."""
    port = free_port()
    settings = EmployersSettings(
        database_url=f"sqlite:///{tmp_path / 'employers.db'}",
        environment="test",
        kafka_bootstrap_servers="127.0.0.1:9",
        **issuer_settings(test_jwks_file),
    )
    runtime = Runtime.build(settings, SPEC.migrations)
    runtime.migrate()
    try:
        with served(SPEC.create_app(runtime), port) as url:
            yield url
    finally:
        runtime.engine.dispose()


def test_the_seed_saves_each_employers_profile_once_and_the_kyujinhyo_names_it(
    employers: str,
) -> None:
    market = generate_market(30, 12, seed=7, today=TODAY)
    posting = {employer for employer, _ in market.job_orders}
    report = SeedReport()
    with Api({"employers": employers}, sign_as_test_issuer) as api:
        _employer_profiles(api, market, report)
        assert (report.profiles, report.profiles_existing) == (len(posting), 0)
        again = SeedReport()
        _employer_profiles(api, market, again)  # a second run keeps what is there
        assert (again.profiles, again.profiles_existing) == (0, len(posting))
    employer, body = market.job_orders[0]
    headers = auth("employer", employer)
    saved = httpx.get(f"{employers}/employers/me", headers=headers).json()
    assert saved["company_name_ja"] == BY_ID[employer].name_ja
    order = httpx.post(f"{employers}/job-orders", json=body, headers=headers)
    assert order.status_code == 201, order.text
    sheet = httpx.get(f"{employers}/job-orders/{order.json()['id']}/export.xlsx", headers=headers)
    assert sheet.status_code == 200
    cells = [
        str(cell.value)
        for row in load_workbook(io.BytesIO(sheet.content)).active.iter_rows()
        for cell in row
        if cell.value is not None
    ]
    assert not any("未登録" in text for text in cells)
    assert any(BY_ID[employer].name_ja in text for text in cells)
