"""Deterministic demo market: realistic candidates and job orders as API request bodies, no I/O."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar

from kakehashi.devtools.demo_vocabulary import (
    CANDIDATE_JAPANESE,
    EMPLOYERS,
    FAMILY_NAMES,
    FEMALE_SHARE,
    GIVEN_NAMES,
    HEADCOUNT,
    JOB_JAPANESE,
    KATAKANA,
    MIDDLE_NAMES,
    NURSING_JAPANESE,
    PREFECTURE_WEIGHTS,
    PROVINCES,
    REQUIRED_COUNT,
    REQUIRED_LEVEL,
    SECTOR_JOB_JAPANESE,
    SECTOR_WEIGHTS,
    SKILL_COUNT,
    SKILL_LEVEL,
    SKILLS,
    TRAINING_CENTRES,
    VIETNAMESE_EMPLOYERS,
)
from kakehashi.shared.reference import JapaneseLevel, Sector, Track

__all__ = [  # the vocabularies are re-exported for the tests that check the market against them
    "EMPLOYERS",
    "ESD_START",
    "FITS_PER_ORDER",
    "SKILLS",
    "SSW_FROM_2027",
    "TRAINING_CENTRES",
    "DemoMarket",
    "Review",
    "generate_market",
    "review_plan",
]
Payload = dict[str, Any]
K = TypeVar("K")


@dataclass
class DemoMarket:
    """Request bodies to post, each with the organisation that owns it, and where they go next.

    `stages[i]` is the pipeline status the seed moves candidate i to through the candidates API
    (registered, in_training or ready); `fits[j]` lists the candidates made to meet every hard
    constraint of job order j, so no order goes without eligible candidates.
    """

    candidates: list[tuple[str, Payload]] = field(default_factory=list)
    job_orders: list[tuple[str, Payload]] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    fits: dict[int, list[int]] = field(default_factory=dict)


def _pick(rng: random.Random, weights: dict[K, float]) -> K:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


ESD_START = date(2027, 4, 1)
# Sectors added to SSW by the 2026 decision: SSW i takes entrants in them from 2027-04-01 on
# (the candidates service's eligibility rules say so as data; the demo only avoids the gap).
SSW_FROM_2027: frozenset[Sector] = frozenset(
    {Sector.LINEN_SUPPLY, Sector.LOGISTICS_WAREHOUSE, Sector.RESOURCE_CIRCULATION}
)
# Birth dates count back from a fixed day, not today, so a person is the same person on any day
# the seed runs again: the candidates service then answers 409 and the seed keeps the record.
BIRTH_ANCHOR = date(2026, 1, 1)
FITS_PER_ORDER = 3  # employers often interview three candidates per vacancy
# The pipeline status a generated candidate is taken to, and how often.
STAGES: dict[str, float] = {"registered": 20, "in_training": 35, "ready": 45}
SHARING_CONSENT = {
    "purpose": "matching_in_japan",
    "scope": "share_with_employers_in_japan",
    "notice_version": "2026-01",
    "language": "vi",
}


def _passport_spelling(name: str) -> str:
    """The name as a Vietnamese passport prints it in Latin letters: no diacritics, đ as d."""
    decomposed = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _names(rng: random.Random, sex: str) -> Payload:
    """One person's name in the three spellings the candidates API takes: the passport's
    (`full_name`), the Vietnamese (`name_vi`) and the katakana Japanese readers know."""
    family = _pick(rng, FAMILY_NAMES)
    middle = _pick(rng, MIDDLE_NAMES[sex])
    given = rng.choice([g for g in GIVEN_NAMES[sex] if g != middle])
    vietnamese = f"{family} {middle} {given}"
    return {
        "full_name": _passport_spelling(vietnamese),
        "name_vi": vietnamese,
        "name_katakana": "・".join(KATAKANA[part] for part in (family, middle, given)),
    }


def _candidate(rng: random.Random, today: date) -> tuple[str, Payload]:
    province = _pick(rng, PROVINCES)
    local = [tc for tc, home in TRAINING_CENTRES.items() if home == province]
    centre = (
        rng.choice(local) if local and rng.random() < 0.8 else rng.choice(list(TRAINING_CENTRES))
    )
    sector = _pick(rng, SECTOR_WEIGHTS)
    sex = "female" if rng.random() < FEMALE_SHARE.get(sector, 0.3) else "male"
    vocabulary = list(SKILLS[sector])
    count = min(_pick(rng, SKILL_COUNT), len(vocabulary))
    skills = [{"code": c, "level": _pick(rng, SKILL_LEVEL)} for c in rng.sample(vocabulary, count)]
    japanese = NURSING_JAPANESE if sector is Sector.NURSING_CARE else CANDIDATE_JAPANESE
    level = _pick(rng, japanese)
    # Those at N4 or better have often passed their sector's SSW i skills test as well.
    if level.rank >= JapaneseLevel.N4.rank and skills and rng.random() < 0.6:
        passed = [f"ssw1_{sector.value}"]
        if sector is Sector.NURSING_CARE:
            passed.append("nursing_care_japanese")
        skills[0]["tests_passed"] = passed
    wishes = sorted({_pick(rng, PREFECTURE_WEIGHTS) for _ in range(rng.randint(0, 2))})
    payload: Payload = {
        **_names(rng, sex),
        "date_of_birth": _birth_date(rng).isoformat(),
        "sex": sex,
        "province": province,
        "sector": sector.value,
        "japanese_level": level.value,
        "skills": skills,
        "training_hours": rng.choice([0, 160, 240, 320, 480]),
        "available_from": (today + timedelta(days=rng.randint(14, 240))).isoformat(),
        "desired_prefectures": wishes,
        "work_history": _work_history(rng, sector, vocabulary, today, rng.choice([0, 0, 1, 2, 3])),
        # Most candidates agree to share their profile with employers in Japan; the rest stay
        # with their centre and are never published to matching.
        "consents": [SHARING_CONSENT] if rng.random() < 0.95 else [],
    }
    return centre, payload


def _birth_date(rng: random.Random, youngest: int = 19, oldest: int = 35) -> date:
    return BIRTH_ANCHOR - timedelta(days=rng.randint(youngest * 365 + 5, oldest * 365))


def _work_history(
    rng: random.Random, sector: Sector, vocabulary: list[str], today: date, years: float
) -> list[Payload]:
    """Jobs in Vietnam in the candidate's sector adding up to about `years`, the last ending
    a little before today (training for Japan usually follows a job)."""
    periods: list[Payload] = []
    end = today - timedelta(days=rng.randint(60, 300))
    left = round(years * 365)
    while left > 60:
        days = min(left, rng.randint(300, 1500))
        start = end - timedelta(days=days)
        title = SKILLS[sector][rng.choice(vocabulary)].split(" / ")[1]
        periods.append(
            {"employer": rng.choice(VIETNAMESE_EMPLOYERS), "role": title, "sector": sector.value,
             "from": start.isoformat(), "to": end.isoformat()}
        )  # fmt: skip
        left -= days
        end = start - timedelta(days=rng.randint(30, 120))
    return periods[::-1]


def _fit(rng: random.Random, order: Payload, today: date) -> Payload:
    """A candidate who meets every hard constraint of `order`: its sector, each required skill
    at its level or above, its Japanese floor and the track's (with the SSW i skills test),
    18 or older and available by its departure, with consent to share the profile."""
    sector = Sector(order["sector"])
    track = Track(order["track"])
    floor = JapaneseLevel(order["min_japanese_level"])
    if track is Track.SSW1:
        floor = max(floor, JapaneseLevel.N4, key=lambda lv: lv.rank)
        if sector is Sector.AUTOMOBILE_TRANSPORT:  # bus and taxi drivers need N3
            floor = max(floor, JapaneseLevel.N3, key=lambda lv: lv.rank)
    elif track is Track.ESD:
        floor = max(floor, JapaneseLevel.N5, key=lambda lv: lv.rank)
    elif sector is Sector.NURSING_CARE:
        floor = max(floor, JapaneseLevel.N4, key=lambda lv: lv.rank)
    levels = list(JapaneseLevel)  # in rank order
    bump = int(rng.random() < 0.3)
    level = levels[max(floor.rank, min(floor.rank + bump, JapaneseLevel.N2.rank))]
    skills: list[Payload] = [
        {"code": s["code"], "level": min(5, s["min_level"] + rng.choice([0, 0, 1, 2]))}
        for s in order["required_skills"]
    ]
    if track is Track.SSW1:
        passed = [f"ssw1_{sector.value}"]
        if sector is Sector.NURSING_CARE:
            passed.append("nursing_care_japanese")
        skills[0]["tests_passed"] = passed
    departure = date.fromisoformat(order["expected_departure_date"])
    # Eligibility is judged on the availability date, so a candidate for a track (or sector)
    # that opens on 2027-04-01 is available from that day, never before.
    opens_2027 = track is Track.ESD or (track is Track.SSW1 and sector in SSW_FROM_2027)
    earliest = max(today + timedelta(days=14), ESD_START if opens_2027 else today)
    # One draw whatever the span (randint's draws vary with it), so the people stay the same.
    span = max((departure - earliest).days, 0)
    available = earliest + timedelta(days=min(int(rng.random() * (span + 1)), span))
    sex = "female" if rng.random() < FEMALE_SHARE.get(sector, 0.3) else "male"
    province = _pick(rng, PROVINCES)
    local = [tc for tc, home in TRAINING_CENTRES.items() if home == province]
    years = order.get("experience_years_min", 0) + rng.choice([0, 0.5, 1, 2])
    return {
        **_names(rng, sex),
        "date_of_birth": _birth_date(rng, 20, 32).isoformat(),
        "sex": sex,
        "province": province,
        "sector": sector.value,
        "japanese_level": level.value,
        "skills": skills,
        "training_hours": rng.choice([240, 320, 480]),
        "available_from": available.isoformat(),
        "desired_prefectures": [order["prefecture"]] if rng.random() < 0.5 else [],
        "work_history": _work_history(rng, sector, list(SKILLS[sector]), today, years),
        "consents": [SHARING_CONSENT],
        "_centre": rng.choice(local) if local else rng.choice(list(TRAINING_CENTRES)),
    }


def _job_order(rng: random.Random, today: date) -> tuple[str, Payload]:
    sector = _pick(rng, SECTOR_WEIGHTS)
    employer = rng.choice([e for e, (_, sectors) in EMPLOYERS.items() if sector in sectors])
    home = EMPLOYERS[employer][0]
    prefecture = home if rng.random() < 0.75 else _pick(rng, PREFECTURE_WEIGHTS)
    vocabulary = SKILLS[sector]
    codes = rng.sample(list(vocabulary), min(_pick(rng, REQUIRED_COUNT), len(vocabulary)))
    required = [
        {
            "code": c,
            "min_level": _pick(rng, REQUIRED_LEVEL),
            "must_have": i == 0 or rng.random() < 0.5,
        }
        for i, c in enumerate(codes)
    ]
    level = _pick(rng, SECTOR_JOB_JAPANESE.get(sector, JOB_JAPANESE))
    departure = today + timedelta(days=rng.randint(90, 360))
    # SSW i needs N4 or better; orders asking less take trainees: TITP until it ends on
    # 2027-03-31, Employment for Skill Development (A1/N5 at least) after.
    ssw_open = sector not in SSW_FROM_2027 or departure >= ESD_START
    # Draw first: the same draws on any day keep the same people in the market.
    if rng.random() < 0.7 and level.rank >= JapaneseLevel.N4.rank and ssw_open:
        track = Track.SSW1
    elif departure < ESD_START:
        track = Track.TITP
    else:
        track = Track.ESD
        level = max(level, JapaneseLevel.N5, key=lambda lv: lv.rank)
    payload: Payload = {
        "title": vocabulary[codes[0]],
        "track": track.value,
        "sector": sector.value,
        "prefecture": prefecture,
        "headcount": _pick(rng, HEADCOUNT),
        "min_japanese_level": level.value,
        "required_skills": required,
        "experience_years_min": rng.choice([0, 0, 0, 1, 2]),
        "expected_departure_date": departure.isoformat(),
        "application_deadline": (departure - timedelta(days=rng.randint(45, 75))).isoformat(),
    }
    return employer, payload


def generate_market(
    candidates: int, job_orders: int, seed: int = 7, today: date | None = None
) -> DemoMarket:
    """`candidates` candidate and `job_orders` job-order bodies, identical for the same seed and day.

    Up to a third of the candidates are made to fit the orders (FITS_PER_ORDER each at most,
    one per order in turn), the rest are drawn from the weights above."""
    today = today or date.today()
    if candidates < 0 or job_orders < 0:
        raise ValueError("counts must not be negative")
    rng = random.Random(seed)
    market = DemoMarket()
    fitting = min(candidates // 3, FITS_PER_ORDER * job_orders)
    market.candidates.extend(_candidate(rng, today) for _ in range(candidates - fitting))
    market.job_orders.extend(_job_order(rng, today) for _ in range(job_orders))
    for n in range(fitting):
        order = n % job_orders
        body = _fit(rng, market.job_orders[order][1], today)
        market.fits.setdefault(order, []).append(len(market.candidates))
        market.candidates.append((body.pop("_centre"), body))
    fits = {i for indices in market.fits.values() for i in indices}
    for index in range(len(market.candidates)):
        # A candidate made for an order waits for it, ready; the others spread out.
        market.stages.append("ready" if index in fits else _pick(rng, STAGES))
    return market


@dataclass(frozen=True)
class Review:
    """A review the seed plays through matching's decision API: `candidate` of `job_order`
    taken to `pair_status`, then (for a selected one) along the pipeline to `then`."""

    job_order: int
    candidate: int
    pair_status: str
    then: str | None = None


def review_plan(market: DemoMarket) -> list[Review]:
    """Reviews that leave demo candidates at every stage a decision reaches (shortlisted,
    interviewed, selected, and past it departed and working), while each order keeps at least
    one fitting candidate undecided and an order with one vacancy is never filled."""
    reviews: list[Review] = []
    for order, fits in sorted(market.fits.items()):
        if len(fits) < FITS_PER_ORDER:
            continue
        headcount = market.job_orders[order][1]["headcount"]
        first, second = fits[0], fits[1]
        match order % 5:
            case 1:
                reviews.append(Review(order, first, "shortlisted"))
            case 2:
                reviews.append(Review(order, first, "proposed"))
            case 3:
                reviews.append(Review(order, first, "interviewed"))
                reviews.append(Review(order, second, "shortlisted"))
            case 4 if headcount > 1:
                after = (None, "departed", "working")[order // 5 % 3]
                reviews.append(Review(order, first, "selected", after))
                reviews.append(Review(order, second, "proposed"))
    return reviews
