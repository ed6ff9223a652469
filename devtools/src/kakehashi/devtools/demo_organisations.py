"""The demo's organisations as identity knows them (names in Latin script, Vietnamese and
Japanese) and the people who sign in for them. DEVELOPMENT ONLY: the password is printed on
purpose, so a newcomer can sign in as each role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kakehashi.devtools.demo_vocabulary import CENTRE_NAMED_AFTER, EMPLOYERS, TRAINING_CENTRES
from kakehashi.shared.auth import Role
from kakehashi.shared.reference import PREFECTURE_NAMES_JA

# One password for every demo account (and the dev admin): long enough for identity's rules
# and easy to type. Development only.
DEMO_PASSWORD = "hashi-demo-2026"  # noqa: S105 - printed to the user on purpose
DEMO_DOMAIN = "kakehashi.example"
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
ADMIN_NAME = "Development admin"
OPERATOR_ORG = "kakehashi-operator"
PROGRAM_OFFICE = "pm-office"


@dataclass(frozen=True)
class DemoOrganisation:
    id: str
    kind: str  # identity's OrganisationKind values
    role: Role  # the role its demo user holds
    name_latin: str
    name_vi: str
    name_ja: str
    province: str | None = None
    prefecture: str | None = None

    @property
    def email(self) -> str:
        return f"{self.id}@{DEMO_DOMAIN}"

    @property
    def person(self) -> str:
        return f"Demo {self.name_latin}"

    def body(self) -> dict[str, Any]:
        """identity's OrganisationCreate."""
        fields = {
            "id": self.id,
            "kind": self.kind,
            "name_latin": self.name_latin,
            "name_vi": self.name_vi,
            "name_ja": self.name_ja,
            "province": self.province,
            "prefecture": self.prefecture,
        }
        return {k: v for k, v in fields.items() if v is not None}


# Province (as the seed writes it) -> (Latin, Japanese katakana).
_PROVINCE_NAMES: dict[str, tuple[str, str]] = {
    "Nghệ An": ("Nghe An", "ゲアン"),
    "Thanh Hóa": ("Thanh Hoa", "タインホア"),
    "Hà Tĩnh": ("Ha Tinh", "ハティン"),
    "Thái Bình": ("Thai Binh", "タイビン"),
    "Bắc Giang": ("Bac Giang", "バクザン"),
    "Hà Nội": ("Ha Noi", "ハノイ"),
    "Hải Phòng": ("Hai Phong", "ハイフォン"),
    "Tây Ninh": ("Tay Ninh", "タイニン"),
    "Hưng Yên": ("Hung Yen", "フンイエン"),
    "Bắc Ninh": ("Bac Ninh", "バクニン"),
}

# Employer id -> (Latin, Vietnamese, Japanese).
_EMPLOYER_NAMES: dict[str, tuple[str, str, str]] = {
    "emp-aichi-tanaka-kogyo": ("Tanaka Kogyo", "Công ty Tanaka Kogyo", "田中工業株式会社"),
    "emp-aichi-toyohashi-farm": ("Toyohashi Farm", "Nông trại Toyohashi", "豊橋ファーム"),
    "emp-osaka-naniwa-kensetsu": ("Naniwa Kensetsu", "Công ty Xây dựng Naniwa", "浪速建設株式会社"),
    "emp-osaka-sakura-foods": ("Sakura Foods", "Công ty Thực phẩm Sakura", "さくらフーズ株式会社"),
    "emp-osaka-kix-ground-service": (
        "KIX Ground Service",
        "Công ty Dịch vụ mặt đất KIX",
        "関空グランドサービス株式会社",
    ),
    "emp-tokyo-hinode-kaigo": ("Hinode Kaigo", "Cơ sở điều dưỡng Hinode", "日の出介護株式会社"),
    "emp-tokyo-keihin-unyu": ("Keihin Unyu", "Công ty Vận tải Keihin", "京浜運輸株式会社"),
    "emp-saitama-musashi-seiko": ("Musashi Seiko", "Công ty Musashi Seiko", "武蔵精工株式会社"),
    "emp-saitama-midori-recycle": (
        "Midori Recycle",
        "Công ty Tái chế Midori",
        "みどりリサイクル株式会社",
    ),
    "emp-chiba-boso-suisan": ("Boso Suisan", "Công ty Thủy sản Boso", "房総水産株式会社"),
    "emp-kanagawa-shonan-care": ("Shonan Care", "Cơ sở điều dưỡng Shonan", "湘南ケア株式会社"),
    "emp-fukuoka-hakata-hotel": ("Hakata Hotel", "Khách sạn Hakata", "博多ホテル株式会社"),
    "emp-hiroshima-setouchi-zosen": (
        "Setouchi Zosen",
        "Công ty Đóng tàu Setouchi",
        "瀬戸内造船株式会社",
    ),
    "emp-shizuoka-fuji-shokuhin": (
        "Fuji Shokuhin",
        "Công ty Thực phẩm Fuji",
        "富士食品株式会社",
    ),
    "emp-gifu-mino-mokuzai": ("Mino Mokuzai", "Công ty Gỗ Mino", "美濃木材株式会社"),
    "emp-ibaraki-hitachi-kensetsu": (
        "Hitachi Kensetsu",
        "Công ty Xây dựng Hitachi",
        "常陸建設株式会社",
    ),
    "emp-osaka-kansai-tetsudo-seibi": (
        "Kansai Tetsudo Seibi",
        "Công ty Bảo trì Đường sắt Kansai",
        "関西鉄道整備株式会社",
    ),
    "emp-tokyo-kirei-building-service": (
        "Kirei Building Service",
        "Công ty Vệ sinh Tòa nhà Kirei",
        "きれいビルサービス株式会社",
    ),
    "emp-kanagawa-shiroi-linen": (
        "Shiroi Linen Supply",
        "Công ty Cung ứng Đồ vải Shiroi",
        "白井リネンサプライ株式会社",
    ),
    "emp-shizuoka-enshu-jidosha-seibi": (
        "Enshu Jidosha Seibi",
        "Công ty Bảo dưỡng Ô tô Enshu",
        "遠州自動車整備株式会社",
    ),
}


def _training_centre(organisation_id: str, province: str) -> DemoOrganisation:
    """A centre in `province` (in force), named after the place it was founded in."""
    number = int(organisation_id.rsplit("-", 1)[1])
    place = CENTRE_NAMED_AFTER.get(organisation_id, province)
    latin, japanese = _PROVINCE_NAMES[place]
    return DemoOrganisation(
        id=organisation_id,
        kind="training_centre",
        role=Role.TRAINING_CENTRE,
        name_latin=f"{latin} Training Centre {number}",
        name_vi=f"Trung tâm đào tạo {place} {number}",
        name_ja=f"{japanese}研修センター{number}",
        province=province,
    )


def _employer(organisation_id: str, prefecture: str) -> DemoOrganisation:
    latin, vietnamese, japanese = _EMPLOYER_NAMES[organisation_id]
    return DemoOrganisation(
        id=organisation_id,
        kind="employer",
        role=Role.EMPLOYER,
        name_latin=latin,
        name_vi=vietnamese,
        name_ja=japanese,
        prefecture=prefecture,
    )


ORGANISATIONS: tuple[DemoOrganisation, ...] = (
    *(_training_centre(i, province) for i, province in TRAINING_CENTRES.items()),
    *(_employer(i, prefecture) for i, (prefecture, _sectors) in EMPLOYERS.items()),
    DemoOrganisation(
        id=PROGRAM_OFFICE,
        kind="program_office",
        role=Role.PROGRAM_MANAGER,
        name_latin="Program Office",
        name_vi="Văn phòng chương trình",
        name_ja="プログラム事務局",
    ),
)
BY_ID = {organisation.id: organisation for organisation in ORGANISATIONS}


def employer_profile(organisation_id: str) -> dict[str, Any]:
    """The company profile the employer saves on its portal's profile page (employers'
    `PUT /employers/me`): its names, home prefecture and trade, and its intermediary (a
    supervising organisation, 監理団体, in its prefecture). Job orders and the 求人票 name the
    workplace from it."""
    organisation = BY_ID[organisation_id]
    prefecture, sectors = EMPLOYERS[organisation_id]
    return {
        "company_name_ja": organisation.name_ja,
        "company_name_romaji": f"{organisation.name_latin} Co., Ltd.",
        "prefecture": prefecture,
        "industry": sectors[0].value,
        "intermediary_kind": "supervising_organisation",
        "intermediary_name": f"{PREFECTURE_NAMES_JA[prefecture]}国際人材協同組合",
    }
