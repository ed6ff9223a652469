"""Skills tests are named in the reader's language, composed of the track's and the sector's
names (translated once in the kit); a code no rule names is shown as the code it is."""

# ruff: noqa: RUF001 (Japanese names are written with full-width brackets)
from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import DictLoader

from kakehashi.shared.reference import Sector
from kakehashi.shared.ui import labels
from kakehashi.shared.ui.pages import Pages

EVERY_TEST = [f"{track}_{sector.value}" for track in ("ssw1", "ssw2") for sector in Sector]


@pytest.mark.parametrize("language", ["en", "vi", "ja"])
@pytest.mark.parametrize("code", EVERY_TEST)
def test_every_ssw_test_of_every_sector_is_named_not_coded(code: str, language: str) -> None:
    label = labels.skills_test_label(code, language)
    assert label != code
    assert "ssw" not in label
    assert "_" not in label


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Specified Skilled Worker (i) skills test (Construction)"),
        ("vi", "Kỳ thi Kỹ năng đặc định số 1: Xây dựng"),
        ("ja", "特定技能1号評価試験（建設）"),
    ],
)
def test_a_test_composes_the_track_and_the_sector_in_the_reader_s_language(
    language: str, expected: str
) -> None:
    assert labels.skills_test_label("ssw1_construction", language) == expected


def test_the_two_tracks_and_the_sectors_are_told_apart() -> None:
    assert labels.skills_test_label("ssw2_food_beverage_manufacturing", "ja") == (
        "特定技能2号評価試験（飲食料品製造業）"
    )
    assert len({labels.skills_test_label(code, "vi") for code in EVERY_TEST}) == len(EVERY_TEST)


def test_the_nursing_care_japanese_test_has_its_own_name() -> None:
    assert labels.skills_test_label("nursing_care_japanese", "ja") == "介護日本語評価試験"
    assert "nursing_care_japanese" in labels.skills_test_codes("nursing_care")
    assert labels.skills_test_codes("construction") == ("ssw1_construction", "ssw2_construction")


@pytest.mark.parametrize("code", ["jft_basic", "ssw3_construction", "ssw1_piloting", "titp_x"])
@pytest.mark.parametrize("language", ["en", "vi", "ja"])
def test_an_unknown_code_passes_through_and_a_page_marks_it_as_code(
    code: str, language: str
) -> None:
    assert labels.skills_test_label(code, language) == code
    assert str(labels.skills_test_markup(code, language)) == f'<code lang="en">{code}</code>'


def test_a_page_escapes_what_it_is_given() -> None:
    assert str(labels.skills_test_markup("<b>x</b>", "en")) == (
        '<code lang="en">&lt;b&gt;x&lt;/b&gt;</code>'
    )


def test_every_page_has_the_skills_test_filter(tmp_path: Path) -> None:
    pages = Pages(tmp_path, None, "/static")
    for language, expected in (("ja", "特定技能2号評価試験（建設）"), ("vi", "Kỳ thi Kỹ năng")):
        env = pages.environments[language]
        env.loader = DictLoader(
            {"t.html": "{% for c in skills_test_codes('construction') %}{{ c | skills_test }};"
             "{% endfor %}{{ 'jft' | skills_test }}"}
        )  # fmt: skip
        html = env.get_template("t.html").render()
        assert expected in html
        assert "ssw" not in html
        assert html.endswith('<code lang="en">jft</code>')
