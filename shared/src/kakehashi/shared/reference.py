"""Reference vocabularies every service shares: Japanese levels on one ordinal scale, sectors,
and how an order's number is written."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, get_args

from pydantic import Field

SkillCode = Annotated[
    str, Field(pattern=r"^[a-z][a-z0-9_]{1,63}$", description="trade skill code, e.g. welding")
]
SkillLevel = Annotated[int, Field(ge=1, le=5, description="1 (basic) to 5 (expert)")]


class JapaneseLevel(StrEnum):
    """JLPT-style levels; NONE < N5 < N4 < N3 < N2 < N1 (CEFR ≈ -, A1, A2, B1, B2, C1)."""

    NONE = "none"
    N5 = "N5"
    N4 = "N4"
    N3 = "N3"
    N2 = "N2"
    N1 = "N1"

    @property
    def rank(self) -> int:
        """Position on the ordinal scale: 0 for none up to 5 for N1."""
        return _RANKS[self]


_RANKS = {level: rank for rank, level in enumerate(JapaneseLevel)}


class Track(StrEnum):
    """Residence tracks (visa schemes) a job order is posted under and a candidate may qualify for."""

    TITP = "titp"  # Technical Intern Training (技能実習), being replaced
    ESD = "esd"  # Employment for Skill Development (育成就労), from 2027-04-01
    SSW1 = "ssw1"  # Specified Skilled Worker i (特定技能1号)
    SSW2 = "ssw2"  # Specified Skilled Worker ii (特定技能2号)


class Sector(StrEnum):
    """Specified Skilled Worker fields (16 since 2024, three added by the 2026 decision)."""

    NURSING_CARE = "nursing_care"
    BUILDING_CLEANING = "building_cleaning"
    INDUSTRIAL_PRODUCTS_MANUFACTURING = "industrial_products_manufacturing"
    CONSTRUCTION = "construction"
    SHIPBUILDING = "shipbuilding"
    AUTOMOBILE_MAINTENANCE = "automobile_maintenance"
    AVIATION = "aviation"
    ACCOMMODATION = "accommodation"
    AGRICULTURE = "agriculture"
    FISHERIES = "fisheries"
    FOOD_BEVERAGE_MANUFACTURING = "food_beverage_manufacturing"
    FOOD_SERVICE = "food_service"
    AUTOMOBILE_TRANSPORT = "automobile_transport"
    RAILWAY = "railway"
    FORESTRY = "forestry"
    WOOD_INDUSTRY = "wood_industry"
    LINEN_SUPPLY = "linen_supply"
    LOGISTICS_WAREHOUSE = "logistics_warehouse"
    RESOURCE_CIRCULATION = "resource_circulation"


# The 47 prefectures, north to south (JIS X 0401 order), in romaji as used in job orders.
Prefecture = Literal[
    "Hokkaido", "Aomori", "Iwate", "Miyagi", "Akita", "Yamagata", "Fukushima", "Ibaraki",
    "Tochigi", "Gunma", "Saitama", "Chiba", "Tokyo", "Kanagawa", "Niigata", "Toyama",
    "Ishikawa", "Fukui", "Yamanashi", "Nagano", "Gifu", "Shizuoka", "Aichi", "Mie", "Shiga",
    "Kyoto", "Osaka", "Hyogo", "Nara", "Wakayama", "Tottori", "Shimane", "Okayama",
    "Hiroshima", "Yamaguchi", "Tokushima", "Kagawa", "Ehime", "Kochi", "Fukuoka", "Saga",
    "Nagasaki", "Kumamoto", "Oita", "Miyazaki", "Kagoshima", "Okinawa",
]  # fmt: skip
PREFECTURES: tuple[str, ...] = get_args(Prefecture)
_PREFECTURES_JA = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県",
    "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県",
    "山梨県", "長野県", "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府",
    "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県",
    "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県",
    "鹿児島県", "沖縄県",
)  # fmt: skip
# Their names in Japanese, as 求人票 and Japanese readers write them.
PREFECTURE_NAMES_JA = dict(zip(PREFECTURES, _PREFECTURES_JA, strict=True))


def order_number(job_order_id: str) -> str:
    """A job order's number as people read it out and search for it (求人番号), the same in every
    service's pages and files: the first 8 hex digits of its id, upper-case. Orders are few per
    employer, so 8 digits never collide in practice, and the full id stays in each address."""
    return job_order_id.replace("-", "")[:8].upper()
