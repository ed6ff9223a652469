"""The skill taxonomy: every skill labelled in each language, every sector covered, families."""

from __future__ import annotations

from kakehashi.shared.reference import Sector
from kakehashi.shared.skills import LANGUAGES, label, taxonomy


def test_every_skill_has_a_distinct_label_in_each_language() -> None:
    for skill in taxonomy().skills.values():
        for language in LANGUAGES:
            assert skill.labels[language].strip(), (skill.code, language)
        assert skill.labels["vi"] != skill.code
        assert skill.sectors


def test_every_sector_offers_skills() -> None:
    for sector in Sector:
        if sector in (Sector.NURSING_CARE, Sector.CONSTRUCTION):
            assert len(taxonomy().of_sector(sector)) >= 5
        assert taxonomy().of_sector(sector), sector


def test_labels_follow_the_reader_and_unknown_codes_read_cleanly() -> None:
    assert label("welding", "ja") == "溶接"
    assert label("welding", "vi") == "Hàn"
    assert label("welding", "en") == "Welding"
    assert label("pipe_fitting", "ja") == "Pipe fitting"


def test_families_relate_different_skills_only() -> None:
    tree = taxonomy()
    assert tree.related("welding", "hull_welding")
    assert not tree.related("welding", "welding")
    assert not tree.related("welding", "cooking")
    assert not tree.related("welding", "pipe_fitting")
