"""The demo-market generator is deterministic, varied and produces valid API request bodies."""

from __future__ import annotations

import unicodedata

import pytest

from kakehashi.candidates.domain.names import fold
from kakehashi.candidates.entrypoints.schemas import CandidateCreate
from kakehashi.devtools.demo_data import (
    EMPLOYERS,
    SKILLS,
    TRAINING_CENTRES,
    DemoMarket,
    generate_market,
)
from kakehashi.devtools.demo_vocabulary import FAMILY_NAMES, GIVEN_NAMES, KATAKANA, MIDDLE_NAMES
from kakehashi.employers.entrypoints.schemas import JobOrderCreate
from kakehashi.shared.reference import JapaneseLevel, Sector


@pytest.fixture(scope="module")
def market() -> DemoMarket:
    return generate_market(300, 200, seed=7)


def test_same_seed_same_market_and_other_seed_differs() -> None:
    assert generate_market(50, 30, seed=3) == generate_market(50, 30, seed=3)
    assert generate_market(50, 30, seed=3) != generate_market(50, 30, seed=4)


@pytest.mark.parametrize(("candidates", "job_orders"), [(0, 0), (1, 0), (0, 1), (300, 200)])
def test_counts_are_exact(candidates: int, job_orders: int) -> None:
    market = generate_market(candidates, job_orders)
    assert len(market.candidates) == candidates
    assert len(market.job_orders) == job_orders


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        generate_market(-1, 0)


def test_every_candidate_validates_against_the_api_schema(market: DemoMarket) -> None:
    for organisation_id, body in market.candidates:
        assert organisation_id in TRAINING_CENTRES
        parsed = CandidateCreate.model_validate(body)
        assert 1 <= len(parsed.skills) <= 4
        vocabulary = SKILLS[parsed.sector]
        assert all(skill.code in vocabulary for skill in parsed.skills)
        assert len({skill.code for skill in parsed.skills}) == len(parsed.skills)


def test_every_job_order_validates_against_the_api_schema(market: DemoMarket) -> None:
    for organisation_id, body in market.job_orders:
        assert organisation_id in EMPLOYERS
        parsed = JobOrderCreate.model_validate(body)
        assert parsed.sector in EMPLOYERS[organisation_id][1]
        assert 1 <= parsed.headcount <= 10
        assert 1 <= len(parsed.required_skills) <= 3
        assert parsed.required_skills[0].must_have
        assert all(s.code in SKILLS[parsed.sector] for s in parsed.required_skills)
        assert " / " in parsed.title
        assert parsed.title == SKILLS[parsed.sector][parsed.required_skills[0].code]


def test_every_sector_has_a_valid_vocabulary_and_an_employer() -> None:
    assert set(SKILLS) == set(Sector)
    hired = {sector for _, sectors in EMPLOYERS.values() for sector in sectors}
    assert hired == set(Sector)
    for vocabulary in SKILLS.values():
        assert len(vocabulary) >= 3
        CandidateCreate.model_validate(
            {"full_name": "x", "province": "x", "sector": "construction",
             "skills": [{"code": code, "level": 1} for code in vocabulary]}
        )  # fmt: skip


def test_candidates_are_varied(market: DemoMarket) -> None:
    bodies = [body for _, body in market.candidates]
    assert len({b["sector"] for b in bodies}) >= 8
    assert len({b["province"] for b in bodies}) >= 15
    assert len({organisation for organisation, _ in market.candidates}) >= 8
    assert len({b["full_name"] for b in bodies}) >= 200
    levels = [JapaneseLevel(b["japanese_level"]) for b in bodies]
    assert levels.count(JapaneseLevel.N5) + levels.count(JapaneseLevel.N4) > len(levels) / 2
    assert JapaneseLevel.NONE in levels
    assert JapaneseLevel.N3 in levels


def test_sectors_are_weighted_like_practice(market: DemoMarket) -> None:
    sectors = [body["sector"] for _, body in market.candidates]
    big = sectors.count("industrial_products_manufacturing") + sectors.count("construction")
    small = sectors.count("aviation") + sectors.count("railway")
    assert big > 5 * max(small, 1)


def test_names_are_vietnamese_with_diacritics(market: DemoMarket) -> None:
    names = [body["name_vi"] for _, body in market.candidates]
    with_diacritics = [n for n in names if not n.isascii()]
    assert len(with_diacritics) > 0.9 * len(names)
    assert all(unicodedata.is_normalized("NFC", n) and len(n.split()) == 3 for n in names)
    nguyen = sum(n.startswith("Nguyễn ") for n in names) / len(names)
    assert 0.25 < nguyen < 0.5


def test_each_name_has_its_passport_and_katakana_spellings(market: DemoMarket) -> None:
    """Readers see the spelling they expect: the passport's Latin letters (the same person to
    the candidates service's duplicate check), Vietnamese, and katakana in three parts."""
    for _, body in market.candidates:
        passport, vietnamese, katakana = body["full_name"], body["name_vi"], body["name_katakana"]
        assert passport.isascii()
        assert fold(passport) == fold(vietnamese)
        parts = katakana.split("・")
        assert len(parts) == 3
        assert all(unicodedata.name(ch).startswith("KATAKANA") for part in parts for ch in part)
    an = [b for _, b in market.candidates if b["name_vi"].startswith("Nguyễn Văn ")]
    assert an
    assert an[0]["name_katakana"].startswith("グエン・ヴァン・")
    assert an[0]["full_name"].startswith("Nguyen Van ")


def test_every_name_syllable_has_its_katakana() -> None:
    syllables = set(FAMILY_NAMES) | {m for names in MIDDLE_NAMES.values() for m in names}
    syllables |= {g for names in GIVEN_NAMES.values() for g in names}
    assert syllables <= set(KATAKANA)


def test_job_orders_are_varied(market: DemoMarket) -> None:
    bodies = [body for _, body in market.job_orders]
    assert len({b["sector"] for b in bodies}) >= 8
    assert len({b["prefecture"] for b in bodies}) >= 10
    assert len({organisation for organisation, _ in market.job_orders}) >= 10
    assert any(not s["must_have"] for b in bodies for s in b["required_skills"])


def test_nursing_care_job_orders_need_at_least_n4() -> None:
    market = generate_market(0, 400, seed=11)
    nursing = [b for _, b in market.job_orders if b["sector"] == Sector.NURSING_CARE.value]
    assert nursing
    assert all(
        JapaneseLevel(b["min_japanese_level"]).rank >= JapaneseLevel.N4.rank for b in nursing
    )
