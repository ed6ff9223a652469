"""A job order as an XLSX 求人票: one sheet of label/value rows, in Japanese with English in brackets.

Presentation only. It is built from `JobOrderTerms` and the employer's profile, neither of which
holds the sex, age or marital-status preferences, so the sheet cannot show them (fair selection).
"""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from kakehashi.employers.domain.employer import EmployerProfileData, IntermediaryKind
from kakehashi.employers.domain.model import (
    Education,
    Housing,
    Interview,
    InterviewFormat,
    JobOrderTerms,
    RequiredSkill,
)
from kakehashi.employers.domain.rules import STANDARD_HOURS_PER_WEEK
from kakehashi.shared import skills as taxonomy
from kakehashi.shared.cells import safe_cell
from kakehashi.shared.reference import (
    PREFECTURE_NAMES_JA,
    JapaneseLevel,
    Sector,
    Track,
    order_number,
)

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_TITLE = "求人票"

NOT_STATED = "未記入 (not stated)"
NOT_REQUIRED = "不問 (not required)"

# Number formats keep quantities as numbers (sortable, summable) while reading like the form.
YEN = '"¥"#,##0'
PERSONS = '0"名"'
DATE = 'yyyy"年"m"月"d"日"'


# The official names of the Specified Skilled Worker fields.
SECTOR_NAMES = {
    Sector.NURSING_CARE: "介護",
    Sector.BUILDING_CLEANING: "ビルクリーニング",
    Sector.INDUSTRIAL_PRODUCTS_MANUFACTURING: "工業製品製造業",
    Sector.CONSTRUCTION: "建設",
    Sector.SHIPBUILDING: "造船・舶用工業",
    Sector.AUTOMOBILE_MAINTENANCE: "自動車整備",
    Sector.AVIATION: "航空",
    Sector.ACCOMMODATION: "宿泊",
    Sector.AGRICULTURE: "農業",
    Sector.FISHERIES: "漁業",
    Sector.FOOD_BEVERAGE_MANUFACTURING: "飲食料品製造業",
    Sector.FOOD_SERVICE: "外食業",
    Sector.AUTOMOBILE_TRANSPORT: "自動車運送業",
    Sector.RAILWAY: "鉄道",
    Sector.FORESTRY: "林業",
    Sector.WOOD_INDUSTRY: "木材産業",
    Sector.LINEN_SUPPLY: "リネンサプライ",
    Sector.LOGISTICS_WAREHOUSE: "物流倉庫",
    Sector.RESOURCE_CIRCULATION: "資源循環",
}
TRACK_NAMES = {
    Track.TITP: "技能実習 (Technical Intern Training)",
    Track.ESD: "育成就労 (Employment for Skill Development)",
    Track.SSW1: "特定技能1号 (Specified Skilled Worker i)",
    Track.SSW2: "特定技能2号 (Specified Skilled Worker ii)",
}
EDUCATION_NAMES = {
    Education.NONE: NOT_REQUIRED,
    Education.LOWER_SECONDARY: "中学校卒業以上 (lower secondary or above)",
    Education.UPPER_SECONDARY: "高等学校卒業以上 (upper secondary or above)",
    Education.VOCATIONAL: "専門学校卒業以上 (vocational school or above)",
    Education.COLLEGE: "短期大学卒業以上 (college or above)",
    Education.UNIVERSITY: "大学卒業以上 (university)",
}
INTERVIEW_NAMES = {
    InterviewFormat.ONLINE: "オンライン (online)",
    InterviewFormat.IN_PERSON: "対面 (in person)",
    InterviewFormat.VIDEO_RECORDED: "録画面接 (recorded video)",
}
INTERMEDIARY_NAMES = {
    IntermediaryKind.SUPERVISING_ORGANISATION: "監理団体 (Supervising organisation)",
    IntermediaryKind.REGISTERED_SUPPORT_ORGANISATION: "登録支援機関 (Registered support organisation)",
}

_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top", horizontal="left")
_SECTION_FILL = PatternFill("solid", start_color="DDE5F0")
LABEL_WIDTH = 34
VALUE_WIDTH = 64


def build_kyujinhyo(
    job_order_id: str,
    terms: JobOrderTerms,
    employer: EmployerProfileData | None,
    exported_on: date,
    organisation_name: str | None = None,
) -> bytes:
    """The order as an XLSX workbook with one sheet, 求人票; `employer` None if it has no profile,
    then the company is named by `organisation_name` (the employer organisation's name in the
    organisation directory) and only the profile's own fields say 未登録."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    workbook.properties.title = f"求人票 {terms.title}"
    workbook.properties.creator = "Kakehashi"
    form = _Form(sheet)
    form.heading(f"求人票 (Job order): {terms.title}")
    form.field("求人番号 (Job order no.)", order_number(job_order_id))
    form.field("作成日 (Issued on)", exported_on, DATE)
    _employer(form, employer, organisation_name)
    form.section("就業場所 (Place of work)")
    form.field("都道府県 (Prefecture)", prefecture_name(terms.prefecture))
    form.section("在留資格 (Residence status)")
    form.field("在留資格 (Residence status)", TRACK_NAMES[terms.track])
    form.section("職種・業務内容 (Job category and duties)")
    form.field("求人名 (Job title)", terms.title)
    form.field("分野 (Sector)", sector_name(terms.sector))
    form.field("職種 (Job category)", _job_category(terms.job_category))
    form.section("募集人数 (Headcount)")
    form.field("募集人数 (Headcount)", terms.headcount, PERSONS)
    _skills(form, terms.required_skills)
    form.section("日本語能力 (Japanese proficiency)")
    form.field("必要な日本語能力 (Minimum level)", japanese_level(terms.min_japanese_level))
    form.section("経験・学歴 (Experience and education)")
    form.field("経験年数 (Experience in the sector)", _years(terms.experience_years_min))
    form.field("学歴 (Education)", EDUCATION_NAMES[terms.education])
    form.section("賃金 (Wages)")
    form.field("基本給・月額 (Monthly base pay)", _or_not_stated(terms.monthly_base_pay_yen), YEN)
    form.section("労働時間・残業・休日 (Working hours, overtime, days off)")
    form.field("所定労働時間 (Hours per week)", weekly_hours(terms.hours_per_week))
    form.field(
        "時間外労働 (Overtime per month)",
        _quantity(terms.overtime_hours_per_month, "月{}時間", "h/month"),
    )
    form.field(
        "年間休日 (Days off per year)", _quantity(terms.days_off_per_year, "年{}日", "days/year")
    )
    _housing(form, terms.housing)
    form.section("契約期間 (Contract period)")
    form.field("契約期間 (Contract period)", _quantity(terms.contract_months, "{}か月", "months"))
    _interview(form, terms.interview)
    form.section("入国予定日 (Expected date of entry)")
    form.field(
        "入国予定日 (Expected date of entry)", _or_not_stated(terms.expected_departure_date), DATE
    )
    form.section("応募締切 (Application deadline)")
    form.field("応募締切 (Application deadline)", _or_not_stated(terms.application_deadline), DATE)
    form.finish()
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def prefecture_name(prefecture: str) -> str:
    """愛知県 (Aichi); a name outside the 47 is shown as given."""
    japanese = PREFECTURE_NAMES_JA.get(prefecture)
    return f"{japanese} ({prefecture})" if japanese else prefecture


def sector_name(sector: Sector) -> str:
    return f"{SECTOR_NAMES[sector]} ({sector.value.replace('_', ' ')})"


def skill_name(code: str) -> str:
    """溶接 (Welding): the taxonomy's Japanese label with the English one; a code outside the
    taxonomy made readable (`pipe_fitting` -> Pipe fitting), never the raw code."""
    japanese, english = taxonomy.label(code, "ja"), taxonomy.label(code, "en")
    return japanese if japanese == english else f"{japanese} ({english})"


def weekly_hours(hours: float | None) -> str:
    """週40時間 (40 h/week); an order that gives none is held to the standard 40 hours (the
    rules compute its hourly pay so), which the sheet says rather than 未記入."""
    if hours is None:
        shown = f"{STANDARD_HOURS_PER_WEEK:g}"
        return f"法定労働時間 週{shown}時間 (standard {shown} h/week)"
    return _quantity(hours, "週{}時間", "h/week")


def japanese_level(level: JapaneseLevel) -> str:
    if level is JapaneseLevel.NONE:
        return NOT_REQUIRED
    return f"{level.value}以上 ({level.value} or above)"


class _Form:
    """Writes rows top to bottom: a heading, section bands and label/value pairs."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.row = 1

    def heading(self, text: str) -> None:
        cell = self.sheet.cell(self.row, 1, safe_cell(text))
        cell.font = Font(bold=True, size=14)
        cell.alignment = _WRAP
        self.sheet.merge_cells(start_row=self.row, start_column=1, end_row=self.row, end_column=2)
        self.row += 2

    def section(self, title: str) -> None:
        for column in (1, 2):
            cell = self.sheet.cell(self.row, column, f"■ {title}" if column == 1 else None)
            cell.font = Font(bold=True, size=12)
            cell.fill = _SECTION_FILL
            cell.border = _BORDER
        self.sheet.merge_cells(start_row=self.row, start_column=1, end_row=self.row, end_column=2)
        self.row += 1

    def field(self, label: str, value: Any, number_format: str | None = None) -> None:
        label_cell = self.sheet.cell(self.row, 1, label)
        label_cell.font = Font(bold=True)
        value_cell = self.sheet.cell(self.row, 2, safe_cell(value))
        if number_format and not isinstance(value, str):
            value_cell.number_format = number_format
        for cell in (label_cell, value_cell):
            cell.alignment = _WRAP
            cell.border = _BORDER
        self.row += 1

    def finish(self) -> None:
        self.sheet.column_dimensions["A"].width = LABEL_WIDTH
        self.sheet.column_dimensions["B"].width = VALUE_WIDTH
        self.sheet.page_setup.paperSize = self.sheet.PAPERSIZE_A4
        self.sheet.page_setup.fitToWidth = 1
        self.sheet.page_setup.fitToHeight = 0
        self.sheet.sheet_properties.pageSetUpPr.fitToPage = True
        self.sheet.print_title_rows = "1:1"


NOT_REGISTERED = "未登録 (no employer profile yet)"


def _employer(
    form: _Form, employer: EmployerProfileData | None, organisation_name: str | None
) -> None:
    form.section("求人者 (Employer)")
    if employer is None:
        form.field("事業所名 (Company name)", organisation_name or NOT_REGISTERED)
        form.field("所在地 (Prefecture)", NOT_REGISTERED)
        form.field("業種 (Industry)", NOT_REGISTERED)
        return
    form.field(
        "事業所名 (Company name)", f"{employer.company_name_ja}\n{employer.company_name_romaji}"
    )
    form.field("所在地 (Prefecture)", prefecture_name(employer.prefecture))
    form.field("業種 (Industry)", sector_name(employer.industry))
    if employer.intermediary_kind is not None and employer.intermediary_name:
        form.field(INTERMEDIARY_NAMES[employer.intermediary_kind], employer.intermediary_name)


def _skills(form: _Form, skills: tuple[RequiredSkill, ...]) -> None:
    form.section("必要な技能 (Required skills)")
    if not skills:
        form.field("必要な技能 (Required skills)", "なし (none)")
        return
    # Must-haves first, as a reader decides on them; the order within each kind is the employer's.
    for skill in sorted(skills, key=lambda s: not s.must_have):
        label = "必須 (Must have)" if skill.must_have else "歓迎 (Nice to have)"
        level = skill.min_level
        form.field(label, f"{skill_name(skill.code)}: レベル{level}以上 (level {level} or above)")


def _housing(form: _Form, housing: Housing | None) -> None:
    form.section("住居 (Housing)")
    if housing is None:
        form.field("住居 (Housing)", NOT_STATED)
        return
    form.field(
        "住居 (Housing)", "提供あり (provided)" if housing.provided else "提供なし (not provided)"
    )
    if housing.provided:
        form.field("住居費・月額 (Monthly cost)", _or_not_stated(housing.monthly_cost_yen), YEN)


def _interview(form: _Form, interview: Interview | None) -> None:
    form.section("面接 (Interview)")
    if interview is None:
        form.field("面接 (Interview)", NOT_STATED)
        return
    form.field("面接日 (Date)", _or_not_stated(interview.on), DATE)
    form.field("面接方法 (Format)", INTERVIEW_NAMES[interview.format])


def _job_category(code: str | None) -> str:
    """Job categories are coded like skills (`welding`): named the same way."""
    return skill_name(code) if code else NOT_STATED


def _years(minimum: int) -> str:
    return f"{minimum}年以上 ({minimum} years or more)" if minimum else NOT_REQUIRED


def _quantity(value: float | None, japanese: str, english: str) -> str:
    """`週40時間 (40 h/week)`; a whole number is written without decimals."""
    if value is None:
        return NOT_STATED
    shown = f"{value:g}"
    return f"{japanese.format(shown)} ({shown} {english})"


def _or_not_stated(value: Any) -> Any:
    return NOT_STATED if value is None else value
