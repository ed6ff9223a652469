"""What the demo market is drawn from: Vietnamese names, provinces and centres, sectors and their
trade skills, Japanese employers and prefectures, and the weights that make it look like practice."""

from __future__ import annotations

from kakehashi.shared.reference import PREFECTURES, JapaneseLevel, Sector

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
# Each name syllable as Japanese readers meet it (katakana, as centres write it on the 履歴書).
KATAKANA: dict[str, str] = {
    "Nguyễn": "グエン", "Trần": "チャン", "Lê": "レ", "Phạm": "ファム", "Hoàng": "ホアン",
    "Huỳnh": "フイン", "Phan": "ファン", "Vũ": "ヴー", "Võ": "ヴォー", "Đặng": "ダン",
    "Bùi": "ブイ", "Đỗ": "ドー", "Hồ": "ホー", "Ngô": "ゴー", "Dương": "ズオン", "Lý": "リー",
    "Văn": "ヴァン", "Đức": "ドゥック", "Minh": "ミン", "Hữu": "フー", "Quốc": "クオック",
    "Thanh": "タイン", "Công": "コン", "Đình": "ディン", "Xuân": "スアン", "Thị": "ティ",
    "Ngọc": "ゴック", "Thu": "トゥー", "Thùy": "トゥイ", "Kim": "キム", "Phương": "フオン",
    "An": "アン", "Bình": "ビン", "Cường": "クオン", "Dũng": "ズン", "Duy": "ズイ", "Hải": "ハイ",
    "Hiếu": "ヒエウ", "Hùng": "フン", "Huy": "フイ", "Khánh": "カイン", "Long": "ロン",
    "Mạnh": "マイン", "Nam": "ナム", "Phong": "フォン", "Phúc": "フック", "Quân": "クアン",
    "Quang": "クアン", "Sơn": "ソン", "Tài": "タイ", "Thắng": "タン", "Thành": "タイン",
    "Trung": "チュン", "Tuấn": "トゥアン", "Việt": "ヴィエット", "Vinh": "ヴィン", "Đạt": "ダット",
    "Lộc": "ロック", "Anh": "アイン", "Chi": "チー", "Dung": "ズン", "Giang": "ザン", "Hà": "ハー",
    "Hạnh": "ハイン", "Hằng": "ハン", "Hoa": "ホア", "Hương": "フオン", "Huyền": "フエン",
    "Lan": "ラン", "Linh": "リン", "Loan": "ロアン", "Mai": "マイ", "My": "ミー", "Ngân": "ガン",
    "Nga": "ガー", "Nhung": "ニュン", "Oanh": "オアイン", "Quỳnh": "クイン", "Thảo": "タオ",
    "Trang": "チャン", "Tuyết": "トゥエット", "Vân": "ヴァン", "Yến": "イエン",
}
# Provinces that send many workers to Japan, by the 34 units in force since the 2025 merger (the
# names the candidate form offers), weighted by volume: an old province's weight counted in the
# unit it merged into (Bắc Giang in Bắc Ninh, Thái Bình in Hưng Yên, Nam Định in Ninh Bình, Hải
# Dương in Hải Phòng, Vĩnh Phúc and Hòa Bình in Phú Thọ, Quảng Bình in Quảng Trị, Quảng Nam in
# Đà Nẵng, Long An in Tây Ninh, Yên Bái in Lào Cai, Bình Định in Gia Lai).
PROVINCES: dict[str, float] = {
    "Nghệ An": 12, "Thanh Hóa": 11, "Hà Tĩnh": 8, "Hưng Yên": 10, "Ninh Bình": 9,
    "Bắc Ninh": 9, "Hải Phòng": 8, "Hà Nội": 5, "Phú Thọ": 9, "Tây Ninh": 5, "Quảng Trị": 5,
    "Đà Nẵng": 4, "Huế": 2, "Thái Nguyên": 2, "Hồ Chí Minh": 2, "Lạng Sơn": 1, "Lào Cai": 1,
    "Quảng Ngãi": 1, "Gia Lai": 1, "Đắk Lắk": 1, "Cần Thơ": 1,
}
# Training centre -> the province it is in (in force). Centres keep the names they were founded
# under (CENTRE_NAMED_AFTER): Bắc Giang's centre is in Bắc Ninh province since the merger.
TRAINING_CENTRES: dict[str, str] = {
    "tc-nghe-an-01": "Nghệ An", "tc-nghe-an-02": "Nghệ An", "tc-thanh-hoa-01": "Thanh Hóa",
    "tc-ha-tinh-01": "Hà Tĩnh", "tc-thai-binh-01": "Hưng Yên", "tc-bac-giang-01": "Bắc Ninh",
    "tc-ha-noi-01": "Hà Nội", "tc-ha-noi-02": "Hà Nội", "tc-hai-phong-01": "Hải Phòng",
    "tc-tay-ninh-01": "Tây Ninh",
}
CENTRE_NAMED_AFTER: dict[str, str] = {"tc-thai-binh-01": "Thái Bình", "tc-bac-giang-01": "Bắc Giang"}
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
# Employer id -> (home prefecture, sectors it hires for): only its own trade's sectors, so a
# builder posts building work and a care home care work (demo_organisations names them).
EMPLOYERS: dict[str, tuple[str, tuple[Sector, ...]]] = {
    "emp-aichi-tanaka-kogyo": ("Aichi", (S.INDUSTRIAL_PRODUCTS_MANUFACTURING,)),
    "emp-aichi-toyohashi-farm": ("Aichi", (S.AGRICULTURE,)),
    "emp-osaka-naniwa-kensetsu": ("Osaka", (S.CONSTRUCTION,)),
    "emp-osaka-sakura-foods": ("Osaka", (S.FOOD_BEVERAGE_MANUFACTURING, S.FOOD_SERVICE)),
    "emp-osaka-kix-ground-service": ("Osaka", (S.AVIATION,)),
    "emp-osaka-kansai-tetsudo-seibi": ("Osaka", (S.RAILWAY,)),
    "emp-tokyo-hinode-kaigo": ("Tokyo", (S.NURSING_CARE,)),
    "emp-tokyo-keihin-unyu": ("Tokyo", (S.AUTOMOBILE_TRANSPORT, S.LOGISTICS_WAREHOUSE)),
    "emp-tokyo-kirei-building-service": ("Tokyo", (S.BUILDING_CLEANING,)),
    "emp-saitama-musashi-seiko": ("Saitama", (S.INDUSTRIAL_PRODUCTS_MANUFACTURING,)),
    "emp-saitama-midori-recycle": ("Saitama", (S.RESOURCE_CIRCULATION,)),
    "emp-chiba-boso-suisan": ("Chiba", (S.FISHERIES, S.FOOD_BEVERAGE_MANUFACTURING)),
    "emp-kanagawa-shonan-care": ("Kanagawa", (S.NURSING_CARE,)),
    "emp-kanagawa-shiroi-linen": ("Kanagawa", (S.LINEN_SUPPLY,)),
    "emp-fukuoka-hakata-hotel": ("Fukuoka", (S.ACCOMMODATION, S.FOOD_SERVICE)),
    "emp-hiroshima-setouchi-zosen": ("Hiroshima", (S.SHIPBUILDING,)),
    "emp-shizuoka-fuji-shokuhin": ("Shizuoka", (S.FOOD_BEVERAGE_MANUFACTURING,)),
    "emp-shizuoka-enshu-jidosha-seibi": ("Shizuoka", (S.AUTOMOBILE_MAINTENANCE,)),
    "emp-gifu-mino-mokuzai": ("Gifu", (S.WOOD_INDUSTRY, S.FORESTRY)),
    "emp-ibaraki-hitachi-kensetsu": ("Ibaraki", (S.CONSTRUCTION,)),
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
VIETNAMESE_EMPLOYERS = (
    "Công ty TNHH Cơ khí Thành Công", "Công ty CP Xây dựng Hưng Thịnh", "Công ty TNHH May Việt Tiến",
    "Công ty CP Thực phẩm Sao Mai", "Hợp tác xã Nông nghiệp Tân Phú", "Công ty TNHH Điện tử Minh Anh",
    "Bệnh viện Đa khoa tỉnh", "Nhà hàng Phố Cổ", "Công ty TNHH Vận tải Hoàng Long",
    "Công ty CP Đóng tàu Sông Cấm", "Khách sạn Mường Thanh", "Công ty TNHH Gỗ Trường Thành",
)
# fmt: on
