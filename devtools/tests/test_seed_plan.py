"""The seed's plan, without a running system: fitting candidates, pipeline stages, reviews, and
what a user reads at the end."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from typer.testing import CliRunner

from kakehashi.candidates.entrypoints.schemas import CandidateCreate
from kakehashi.devtools.cli import app
from kakehashi.devtools.demo_data import (
    ESD_START,
    FITS_PER_ORDER,
    SSW_FROM_2027,
    DemoMarket,
    generate_market,
    review_plan,
)
from kakehashi.devtools.seed_report import SeedReport, seed_summary
from kakehashi.shared.reference import JapaneseLevel, Sector, Track

TODAY = date(2026, 11, 30)


@pytest.fixture(scope="module")
def market() -> DemoMarket:
    return generate_market(400, 40, seed=7, today=TODAY)


def test_a_third_of_the_candidates_fit_the_orders_three_each(market: DemoMarket) -> None:
    assert {len(fits) for fits in market.fits.values()} == {FITS_PER_ORDER}
    assert len(market.fits) == 40
    small = generate_market(30, 40, seed=7, today=TODAY)
    assert sum(len(f) for f in small.fits.values()) == 10  # a third, one per order in turn


def test_a_fitting_candidate_meets_every_hard_constraint_of_its_order(market: DemoMarket) -> None:
    for order_index, fits in market.fits.items():
        order = market.job_orders[order_index][1]
        departure = date.fromisoformat(order["expected_departure_date"])
        track, sector = Track(order["track"]), Sector(order["sector"])
        for index in fits:
            body = market.candidates[index][1]
            CandidateCreate.model_validate(body)
            assert body["sector"] == order["sector"]
            levels = {s["code"]: s["level"] for s in body["skills"]}
            for skill in order["required_skills"]:
                assert levels[skill["code"]] >= skill["min_level"]
            level = JapaneseLevel(body["japanese_level"])
            assert level.rank >= JapaneseLevel(order["min_japanese_level"]).rank
            available = date.fromisoformat(body["available_from"])
            assert TODAY < available <= departure
            if track is Track.ESD or (track is Track.SSW1 and sector in SSW_FROM_2027):
                assert available >= ESD_START
            if track is Track.SSW1:
                assert level.rank >= JapaneseLevel.N4.rank
                assert f"ssw1_{sector.value}" in body["skills"][0]["tests_passed"]
            assert (departure - date.fromisoformat(body["date_of_birth"])).days > 18 * 366
            assert body["consents"]


def test_no_ssw_order_in_a_sector_before_it_opens(market: DemoMarket) -> None:
    for _, order in generate_market(0, 400, seed=5, today=TODAY).job_orders:
        if order["track"] == "ssw1" and Sector(order["sector"]) in SSW_FROM_2027:
            assert date.fromisoformat(order["expected_departure_date"]) >= ESD_START


def test_the_same_people_on_another_day(market: DemoMarket) -> None:
    later = generate_market(400, 40, seed=7, today=date(2027, 2, 1))

    def identities(m: DemoMarket) -> list[tuple[str, str]]:
        return [(b["full_name"], b["date_of_birth"]) for _, b in m.candidates]

    assert identities(later) == identities(market)


def test_candidates_have_years_of_experience(market: DemoMarket) -> None:
    histories = [b["work_history"] for _, b in market.candidates]
    assert 0.3 < sum(bool(h) for h in histories) / len(histories) < 0.9
    for history in histories:
        for period in history:
            assert period["from"] < period["to"] < TODAY.isoformat()


def test_stages_spread_and_fitting_candidates_wait_ready(market: DemoMarket) -> None:
    stages = Counter(market.stages)
    assert len(market.stages) == len(market.candidates)
    assert min(stages["registered"], stages["in_training"], stages["ready"]) > 30
    assert all(market.stages[i] == "ready" for fits in market.fits.values() for i in fits)


def test_reviews_reach_every_stage_and_leave_each_order_a_candidate(market: DemoMarket) -> None:
    reviews = review_plan(market)
    assert {r.pair_status for r in reviews} == {
        "shortlisted",
        "proposed",
        "interviewed",
        "selected",
    }
    assert {r.then for r in reviews} == {None, "departed", "working"}
    for order_index, fits in market.fits.items():
        reviewed = {r.candidate for r in reviews if r.job_order == order_index}
        assert reviewed <= set(fits)
        assert len(set(fits) - reviewed) >= 1
    for review in reviews:
        if review.pair_status == "selected":
            assert market.job_orders[review.job_order][1]["headcount"] > 1


def test_summary_ends_with_a_token_command_per_role_that_the_cli_runs() -> None:
    report = SeedReport(candidates_existing=400, job_orders_existing=40, fewest_eligible=2)
    report.training_centres |= {"tc-nghe-an-01", "tc-ha-noi-01"}
    report.employers |= {"emp-osaka-sakura-foods"}
    text = seed_summary(report, Counter({"ready": 3, "selected": 1, "working": 0}))
    lines = text.splitlines()
    assert lines[0].startswith("already seeded: all 400 candidates and 40 job orders")
    assert lines[1] == "pipeline: ready 3, selected 1"
    assert "the fewest: 2" in lines[2]
    commands = [line[line.index("uv run ") :] for line in lines[-4:]]
    assert commands[0] == "uv run kakehashi token --role training_centre --org tc-ha-noi-01"
    assert commands[1] == "uv run kakehashi token --role employer --org emp-osaka-sakura-foods"
    for command in commands:
        result = CliRunner().invoke(app, command.split()[3:])
        assert result.exit_code == 0, result.output
        assert result.output.count(".") == 2  # a JWT


def test_a_fresh_run_says_what_it_did() -> None:
    report = SeedReport(candidates=10, job_orders=2, moves=5, decisions=3)
    assert seed_summary(report, Counter()).startswith("seeded: 10 candidates registered")
