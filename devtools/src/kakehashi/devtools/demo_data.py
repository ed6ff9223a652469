"""Deterministic demo market: realistic candidates and job orders as API request bodies, no I/O."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar

from kakehashi.shared.reference import PREFECTURES, JapaneseLevel, Sector, Track

Payload = dict[str, Any]
K = TypeVar("K")
S = Sector

# fmt: off
FAMILY_NAMES: dict[str, float] = {
    "Nguyễn": 38, "Trần": 11, "Lê": 9.5, "Phạm": 7, "Hoàng": 5, "Huỳnh": 4, "Phan": 4,
    "Vũ": 3.5, "Võ": 3, "Đặng": 2, "Bùi": 2, "Đỗ": 1.5, "Hồ": 1.5, "Ngô": 1.3, "Dương": 1,
    "Lý": 0.5,
}
MIDDLE_NAMES: dict[str, dict[str, float]] = {
    "male": {"Văn": 50, "Đức": 10, "Minh": 9, "Hữu": 7, "Quốc": 6, "Thanh": 5, "Công": 5,
             "Đình": 5, "Xuân": 3},
    "female": {"Thị": 60, "Ngọc": 9, "Thu": 8, "Thanh": 6, "Thùy": 5, "Minh": 4, "Kim": 4,
               "Phương": 4},
}
GIVEN_NAMES: dict[str, tuple[str, ...]] = {
    "male": ("An", "Bình", "Cường", "Dũng", "Duy", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy",
             "Khánh", "Long", "Mạnh", "Nam", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tài",
             "Thắng", "Thành", "Trung", "Tuấn", "Việt", "Vinh", "Đạt", "Lộc"),
    "female": ("Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Huyền",
               "Lan", "Linh", "Loan", "Mai", "My", "Ngân", "Nga", "Nhung", "Oanh", "Phương",
               "Quỳnh", "Thảo", "Trang", "Tuyết", "Vân", "Yến"),
}
# Provinces that send many workers to Japan (pre-2025-merger names), weighted by volume.
PROVINCES: dict[str, float] = {
    "Nghệ An": 12, "Thanh Hóa": 11, "Hà Tĩnh": 8, "Thái Bình": 6, "Nam Định": 6,
    "Bắc Giang": 6, "Hải Dương": 5, "Hà Nội": 5, "Phú Thọ": 4, "Hưng Yên": 4, "Tây Ninh": 4,
    "Quảng Bình": 3, "Hải Phòng": 3, "Ninh Bình": 3, "Vĩnh Phúc": 3, "Bắc Ninh": 3,
    "Đà Nẵng": 2, "Quảng Trị": 2, "Quảng Nam": 2, "Thừa Thiên Huế": 2, "Hòa Bình": 2,
    "Thái Nguyên": 2, "Hồ Chí Minh": 2, "Lạng Sơn": 1, "Yên Bái": 1, "Quảng Ngãi": 1,
    "Bình Định": 1, "Đắk Lắk": 1, "Long An": 1, "Cần Thơ": 1,
}
TRAINING_CENTRES: dict[str, str] = {
    "tc-nghe-an-01": "Nghệ An", "tc-nghe-an-02": "Nghệ An", "tc-thanh-hoa-01": "Thanh Hóa",
    "tc-ha-tinh-01": "Hà Tĩnh", "tc-thai-binh-01": "Thái Bình", "tc-bac-giang-01": "Bắc Giang",
    "tc-ha-noi-01": "Hà Nội", "tc-ha-noi-02": "Hà Nội", "tc-hai-phong-01": "Hải Phòng",
    "tc-tay-ninh-01": "Tây Ninh",
}
SECTOR_WEIGHTS: dict[Sector, float] = {
    S.INDUSTRIAL_PRODUCTS_MANUFACTURING: 20, S.FOOD_BEVERAGE_MANUFACTURING: 18,
    S.CONSTRUCTION: 15, S.NURSING_CARE: 12, S.AGRICULTURE: 10, S.FOOD_SERVICE: 6,
    S.BUILDING_CLEANING: 4, S.ACCOMMODATION: 3, S.AUTOMOBILE_MAINTENANCE: 3,
    S.SHIPBUILDING: 3, S.FISHERIES: 3, S.LOGISTICS_WAREHOUSE: 2, S.AUTOMOBILE_TRANSPORT: 2,
    S.WOOD_INDUSTRY: 1.5, S.FORESTRY: 1, S.LINEN_SUPPLY: 1, S.RESOURCE_CIRCULATION: 1,
    S.AVIATION: 0.5, S.RAILWAY: 0.5,
}
# Share of women among candidates per sector (0.3 elsewhere).
FEMALE_SHARE: dict[Sector, float] = {
    S.NURSING_CARE: 0.8, S.FOOD_BEVERAGE_MANUFACTURING: 0.6, S.FOOD_SERVICE: 0.55,
    S.ACCOMMODATION: 0.55, S.BUILDING_CLEANING: 0.6, S.LINEN_SUPPLY: 0.6, S.AGRICULTURE: 0.45,
    S.CONSTRUCTION: 0.03, S.SHIPBUILDING: 0.03, S.FORESTRY: 0.03, S.AUTOMOBILE_TRANSPORT: 0.05,
}
# Trade skill code -> the bilingual job title of someone hired mainly for it.
SKILLS: dict[Sector, dict[str, str]] = {
    S.NURSING_CARE: {
        "bathing_assistance": "入浴介助員 / Care worker (bathing)",
        "meal_assistance": "食事介助員 / Care worker (meals)",
        "mobility_transfer": "移乗介助員 / Care worker (transfers)",
        "care_recording": "介護記録担当 / Care recording assistant",
        "toileting_assistance": "排泄介助員 / Care worker (toileting)"},
    S.BUILDING_CLEANING: {
        "floor_cleaning": "床清掃員 / Floor cleaner", "window_cleaning": "窓清掃員 / Window cleaner",
        "restroom_sanitation": "トイレ清掃員 / Restroom cleaner",
        "floor_polishing": "床面洗浄作業員 / Floor polishing operator"},
    S.INDUSTRIAL_PRODUCTS_MANUFACTURING: {
        "machining": "機械加工工 / Machinist", "welding": "溶接工 / Welder",
        "metal_press": "金属プレス工 / Press operator",
        "electronics_assembly": "電子機器組立工 / Electronics assembler",
        "industrial_painting": "工業塗装工 / Industrial painter",
        "plastic_molding": "プラスチック成形工 / Plastic moulding operator",
        "casting": "鋳造工 / Foundry worker"},
    S.CONSTRUCTION: {
        "welding": "溶接工 / Welder", "formwork": "型枠大工 / Formwork carpenter",
        "rebar_work": "鉄筋工 / Rebar worker", "scaffolding": "とび工 / Scaffolder",
        "plastering": "左官 / Plasterer", "interior_finishing": "内装仕上げ工 / Interior finisher",
        "earthmoving": "建設機械オペレーター / Earthmoving operator"},
    S.SHIPBUILDING: {
        "hull_welding": "造船溶接工 / Hull welder", "ship_painting": "船舶塗装工 / Ship painter",
        "steel_fabrication": "鉄工 / Steel fabricator", "ship_electrical": "船舶電装工 / Ship electrician"},
    S.AUTOMOBILE_MAINTENANCE: {
        "engine_maintenance": "自動車整備士 / Auto mechanic",
        "brake_servicing": "ブレーキ整備士 / Brake technician",
        "vehicle_inspection": "車検整備士 / Vehicle inspection technician",
        "tire_service": "タイヤ整備員 / Tyre technician"},
    S.AVIATION: {
        "ground_handling": "グランドハンドリング / Ground handler",
        "aircraft_maintenance": "航空機整備士 / Aircraft maintenance technician",
        "baggage_loading": "手荷物搭載員 / Baggage loader"},
    S.ACCOMMODATION: {
        "front_desk": "フロント係 / Front desk clerk", "housekeeping": "客室清掃係 / Housekeeper",
        "restaurant_service": "レストラン係 / Restaurant server", "guest_relations": "接客係 / Guest relations"},
    S.AGRICULTURE: {
        "crop_cultivation": "耕種農業作業員 / Crop farm worker",
        "livestock_care": "畜産作業員 / Livestock worker",
        "greenhouse_operation": "施設園芸作業員 / Greenhouse worker",
        "fruit_harvesting": "果樹作業員 / Orchard worker"},
    S.FISHERIES: {
        "fishing_vessel_work": "漁船員 / Fishing crew", "aquaculture": "養殖作業員 / Aquaculture worker",
        "net_mending": "漁網修理工 / Net mender", "seafood_sorting": "水産物選別員 / Seafood sorter"},
    S.FOOD_BEVERAGE_MANUFACTURING: {
        "food_processing": "食品製造作業員 / Food processing worker",
        "hygiene_control": "衛生管理係 / Hygiene controller", "packaging": "包装作業員 / Packer",
        "bakery": "製パン工 / Baker", "meat_processing": "食肉加工工 / Meat processor",
        "seafood_processing": "水産加工工 / Seafood processor"},
    S.FOOD_SERVICE: {
        "cooking": "調理師 / Cook", "food_preparation": "調理補助 / Kitchen assistant",
        "customer_service": "ホールスタッフ / Server", "store_management": "店舗管理補助 / Store assistant"},
    S.AUTOMOBILE_TRANSPORT: {
        "truck_driving": "トラック運転手 / Truck driver", "bus_driving": "バス運転手 / Bus driver",
        "taxi_driving": "タクシー運転手 / Taxi driver", "cargo_handling": "荷役作業員 / Cargo handler"},
    S.RAILWAY: {
        "track_maintenance": "軌道整備員 / Track maintenance worker",
        "rolling_stock_maintenance": "車両整備員 / Rolling stock technician",
        "station_service": "駅係員 / Station attendant",
        "electrical_equipment": "電気設備作業員 / Railway electrician"},
    S.FORESTRY: {
        "tree_felling": "伐木作業員 / Tree feller", "planting": "植林作業員 / Tree planter",
        "chainsaw_operation": "チェーンソー作業員 / Chainsaw operator",
        "forest_road_work": "林道作業員 / Forest road worker"},
    S.WOOD_INDUSTRY: {
        "sawmilling": "製材工 / Sawmill operator", "wood_processing": "木材加工工 / Wood processor",
        "plywood_manufacturing": "合板製造工 / Plywood worker", "lumber_grading": "木材選別員 / Lumber grader"},
    S.LINEN_SUPPLY: {
        "linen_washing": "リネン洗濯作業員 / Linen washer",
        "ironing_pressing": "仕上げプレス作業員 / Ironing operator",
        "linen_sorting": "リネン仕分け作業員 / Linen sorter"},
    S.LOGISTICS_WAREHOUSE: {
        "picking": "ピッキング作業員 / Picker", "forklift_operation": "フォークリフト運転者 / Forklift operator",
        "inventory_control": "在庫管理係 / Inventory clerk",
        "packing_shipping": "梱包出荷作業員 / Packing and shipping worker"},
    S.RESOURCE_CIRCULATION: {
        "waste_sorting": "廃棄物選別作業員 / Waste sorter",
        "recycling_processing": "リサイクル処理作業員 / Recycling operator",
        "waste_collection": "収集運搬作業員 / Waste collector"},
}
# Employer id -> (home prefecture, sectors it hires for).
EMPLOYERS: dict[str, tuple[str, tuple[Sector, ...]]] = {
    "emp-aichi-tanaka-kogyo": ("Aichi", (S.INDUSTRIAL_PRODUCTS_MANUFACTURING, S.AUTOMOBILE_MAINTENANCE)),
    "emp-aichi-toyohashi-farm": ("Aichi", (S.AGRICULTURE,)),
    "emp-osaka-naniwa-kensetsu": ("Osaka", (S.CONSTRUCTION,)),
    "emp-osaka-sakura-foods": ("Osaka", (S.FOOD_BEVERAGE_MANUFACTURING, S.FOOD_SERVICE)),
    "emp-osaka-kix-ground-service": ("Osaka", (S.AVIATION,)),
    "emp-tokyo-hinode-kaigo": ("Tokyo", (S.NURSING_CARE, S.BUILDING_CLEANING)),
    "emp-tokyo-keihin-unyu": ("Tokyo", (S.AUTOMOBILE_TRANSPORT, S.LOGISTICS_WAREHOUSE, S.RAILWAY)),
    "emp-saitama-musashi-seiko": ("Saitama", (S.INDUSTRIAL_PRODUCTS_MANUFACTURING,)),
    "emp-saitama-midori-recycle": ("Saitama", (S.RESOURCE_CIRCULATION, S.LINEN_SUPPLY, S.BUILDING_CLEANING)),
    "emp-chiba-boso-suisan": ("Chiba", (S.FISHERIES, S.FOOD_BEVERAGE_MANUFACTURING)),
    "emp-kanagawa-shonan-care": ("Kanagawa", (S.NURSING_CARE,)),
    "emp-fukuoka-hakata-hotel": ("Fukuoka", (S.ACCOMMODATION, S.FOOD_SERVICE)),
    "emp-hiroshima-setouchi-zosen": ("Hiroshima", (S.SHIPBUILDING, S.INDUSTRIAL_PRODUCTS_MANUFACTURING)),
    "emp-shizuoka-fuji-shokuhin": ("Shizuoka", (S.FOOD_BEVERAGE_MANUFACTURING, S.AGRICULTURE)),
    "emp-gifu-mino-mokuzai": ("Gifu", (S.WOOD_INDUSTRY, S.FORESTRY)),
    "emp-ibaraki-hitachi-kensetsu": ("Ibaraki", (S.CONSTRUCTION, S.INDUSTRIAL_PRODUCTS_MANUFACTURING)),
}
# Prefectures where job orders concentrate; every other prefecture weighs 1.
PREFECTURE_WEIGHTS: dict[str, float] = dict.fromkeys(PREFECTURES, 1.0) | {
    "Aichi": 14, "Osaka": 10, "Tokyo": 10, "Saitama": 7, "Chiba": 6, "Kanagawa": 6,
    "Fukuoka": 6, "Hiroshima": 5, "Shizuoka": 5, "Gifu": 5, "Ibaraki": 5,
}
L = JapaneseLevel
CANDIDATE_JAPANESE: dict[JapaneseLevel, float] = {L.NONE: 15, L.N5: 35, L.N4: 33, L.N3: 13, L.N2: 4}
NURSING_JAPANESE: dict[JapaneseLevel, float] = {L.NONE: 3, L.N5: 17, L.N4: 50, L.N3: 24, L.N2: 6}
JOB_JAPANESE: dict[JapaneseLevel, float] = {L.NONE: 30, L.N5: 35, L.N4: 35}
# Sectors whose job orders need more Japanese (nursing care N4; bus and taxi drivers N3).
SECTOR_JOB_JAPANESE: dict[Sector, dict[JapaneseLevel, float]] = {
    S.NURSING_CARE: {L.N4: 85, L.N3: 15},
    S.FOOD_SERVICE: {L.N5: 30, L.N4: 70},
    S.AUTOMOBILE_TRANSPORT: {L.N4: 40, L.N3: 60},
}
SKILL_COUNT: dict[int, float] = {1: 25, 2: 40, 3: 25, 4: 10}
SKILL_LEVEL: dict[int, float] = {1: 12, 2: 38, 3: 33, 4: 12, 5: 5}
REQUIRED_COUNT: dict[int, float] = {1: 35, 2: 45, 3: 20}
REQUIRED_LEVEL: dict[int, float] = {1: 30, 2: 45, 3: 20, 4: 5}
HEADCOUNT: dict[int, float] = {1: 12, 2: 18, 3: 18, 4: 12, 5: 12, 6: 8, 7: 5, 8: 6, 9: 3, 10: 6}
# fmt: on


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
# fmt: off
VIETNAMESE_EMPLOYERS = (
    "Công ty TNHH Cơ khí Thành Công", "Công ty CP Xây dựng Hưng Thịnh", "Công ty TNHH May Việt Tiến",
    "Công ty CP Thực phẩm Sao Mai", "Hợp tác xã Nông nghiệp Tân Phú", "Công ty TNHH Điện tử Minh Anh",
    "Bệnh viện Đa khoa tỉnh", "Nhà hàng Phố Cổ", "Công ty TNHH Vận tải Hoàng Long",
    "Công ty CP Đóng tàu Sông Cấm", "Khách sạn Mường Thanh", "Công ty TNHH Gỗ Trường Thành",
)
# fmt: on
SHARING_CONSENT = {
    "purpose": "matching_in_japan",
    "scope": "share_with_employers_in_japan",
    "notice_version": "2026-01",
    "language": "vi",
}


def _full_name(rng: random.Random, sex: str) -> str:
    family = _pick(rng, FAMILY_NAMES)
    middle = _pick(rng, MIDDLE_NAMES[sex])
    given = rng.choice([g for g in GIVEN_NAMES[sex] if g != middle])
    return f"{family} {middle} {given}"


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
        "full_name": _full_name(rng, sex),
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
    available = earliest + timedelta(days=rng.randint(0, max((departure - earliest).days, 0)))
    sex = "female" if rng.random() < FEMALE_SHARE.get(sector, 0.3) else "male"
    province = _pick(rng, PROVINCES)
    local = [tc for tc, home in TRAINING_CENTRES.items() if home == province]
    years = order.get("experience_years_min", 0) + rng.choice([0, 0.5, 1, 2])
    return {
        "full_name": _full_name(rng, sex),
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
    if level.rank >= JapaneseLevel.N4.rank and ssw_open and rng.random() < 0.7:
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
