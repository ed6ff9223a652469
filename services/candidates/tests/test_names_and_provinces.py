"""Name folding for search and duplicates; the province reference list and its resolution."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from kakehashi.candidates.domain.names import fold, passport_key, search_terms
from kakehashi.candidates.domain.provinces import (
    find_province,
    provinces,
    provinces_in_force,
    related_codes,
    resolve_province,
)
from kakehashi.shared.errors import DomainError

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Nguyễn Văn An", "nguyen van an"),
        ("ĐẶNG Thị  Đào", "dang thi dao"),
        ("Hoà Bình", "hoa binh"),  # old-style tone placement
        ("Hòa Bình", "hoa binh"),
        (unicodedata.normalize("NFD", "Trần Thị Bình"), "tran thi binh"),
        ("  Lê   Văn Lợi ", "le van loi"),
    ],
)
def test_fold_drops_case_and_diacritics(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_search_terms_and_passport_keys() -> None:
    assert search_terms(" Nguyễn  an ") == ["nguyen", "an"]
    assert search_terms("") == []
    assert passport_key("c 1234-567") == "C1234567"


def test_the_list_holds_63_units_before_the_merger_and_34_after() -> None:
    units = provinces().values()
    assert sum(u.in_force(date(2025, 6, 30)) for u in units) == 63
    assert sum(u.in_force(date(2025, 7, 1)) for u in units) == 34
    for unit in units:
        if unit.successor:
            successor = provinces()[unit.successor]
            assert unit.code in successor.merged_from


@pytest.mark.parametrize(
    ("given", "code", "name"),
    [
        ("Tây Ninh", "M72", "Tây Ninh"),  # today's Tây Ninh, which took in Long An
        ("tay ninh", "M72", "Tây Ninh"),
        ("Tỉnh Nghệ An", "40", "Nghệ An"),
        ("Long An", "80", "Long An"),  # no longer a province; kept with its end date
        ("Thừa Thiên Huế", "46", "Huế"),
        ("Thành phố Hồ Chí Minh", "M79", "Hồ Chí Minh"),
        ("72", "72", "Tây Ninh"),
        ("m72", "M72", "Tây Ninh"),
    ],
)
def test_a_province_is_found_by_name_or_code(given: str, code: str, name: str) -> None:
    unit = find_province(given, TODAY)
    assert unit is not None
    assert (unit.code, unit.name) == (code, name)


def test_before_the_merger_a_name_means_the_old_unit() -> None:
    unit = find_province("Tây Ninh", date(2024, 1, 1))
    assert unit is not None
    assert unit.code == "72"


def test_resolving_checks_name_and_code_agree() -> None:
    assert resolve_province("Tây Ninh", "72", TODAY).code == "72"
    assert resolve_province(None, "40", TODAY).name == "Nghệ An"
    with pytest.raises(DomainError) as error:
        resolve_province("Tây Ninh", "40", TODAY)
    assert error.value.field == "province_code"
    with pytest.raises(DomainError) as error:
        resolve_province("Atlantis", None, TODAY)
    assert error.value.field == "province"
    with pytest.raises(DomainError) as error:
        resolve_province(None, "99", TODAY)
    assert error.value.field == "province_code"
    with pytest.raises(DomainError) as error:
        resolve_province("", None, TODAY)
    assert error.value.field == "province"


def test_a_merged_unit_finds_its_predecessors() -> None:
    assert related_codes("M72") == {"M72", "72", "80"}
    assert related_codes("40") == {"40"}


def test_a_form_offers_the_34_units_in_force_in_vietnamese_order_named_for_japanese_readers() -> (
    None
):
    offered = provinces_in_force(TODAY)
    assert len(offered) == 34
    assert [unit.name for unit in offered][:3] == ["An Giang", "Bắc Ninh", "Cà Mau"]
    assert all(unit.name_ja for unit in offered)
    tay_ninh = next(unit for unit in offered if unit.name == "Tây Ninh")
    assert tay_ninh.label("ja") == "タイニン（Tây Ninh）"  # noqa: RUF001
    assert (tay_ninh.label("vi"), tay_ninh.label("en")) == ("Tây Ninh", "Tây Ninh")
    assert len(provinces_in_force(date(2025, 6, 30))) == 63  # the day before the merger
