"""The trade-skill taxonomy every service shows: per sector the skills, their labels in
Vietnamese, Japanese and English, and their family (skills close enough that one is partial
evidence for another).

Event payloads and stored rows keep the codes (`welding`); pages, forms, reasons and exports
show `label(code, language)`. A code outside the taxonomy is still a valid skill (training
centres and employers may name a trade the taxonomy does not list yet): it is shown as the
code made readable ("pipe_fitting" -> "Pipe fitting") and belongs to no family.

The data is `reference_data/skills.json`, versioned by its `version` field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kakehashi.shared.reference import Sector

DATA = Path(__file__).parent / "reference_data" / "skills.json"
LANGUAGES = ("vi", "ja", "en")


@dataclass(frozen=True)
class Skill:
    code: str
    sectors: tuple[Sector, ...]
    family: str
    labels: dict[str, str]  # language -> label

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels["en"]


@dataclass(frozen=True)
class Taxonomy:
    version: str
    skills: dict[str, Skill]  # code -> skill, in the file's order

    def of_sector(self, sector: Sector) -> list[Skill]:
        return [skill for skill in self.skills.values() if sector in skill.sectors]

    def family_of(self, code: str) -> str | None:
        skill = self.skills.get(code)
        return skill.family if skill else None

    def related(self, first: str, second: str) -> bool:
        """Two different skills of one family (welding and hull welding)."""
        family = self.family_of(first)
        return first != second and family is not None and family == self.family_of(second)


@cache
def taxonomy() -> Taxonomy:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    skills = {
        item["code"]: Skill(
            code=item["code"],
            sectors=tuple(Sector(value) for value in item["sectors"]),
            family=item["family"],
            labels=dict(item["labels"]),
        )
        for item in raw["skills"]
    }
    return Taxonomy(version=raw["version"], skills=skills)


def readable(code: str) -> str:
    """A code outside the taxonomy, made readable: `pipe_fitting` -> `Pipe fitting`."""
    return code.replace("_", " ").capitalize()


def label(code: str, language: str) -> str:
    """What readers of `language` call the skill `code`."""
    skill = taxonomy().skills.get(code)
    return skill.label(language) if skill else readable(code)
