"""Why a pair scored as it did, or why it is not ranked, in the words a reviewer reads."""

from __future__ import annotations

from datetime import date

import numpy as np

from kakehashi.matching.domain.model import Order, Pool, Requirement, track_bit
from kakehashi.matching.domain.scoring import Constraint, Evaluation
from kakehashi.shared.reference import PREFECTURES, JapaneseLevel

TRACK_NAMES = {
    "titp": "TITP",
    "esd": "Employment for Skill Development",
    "ssw1": "SSW i",
    "ssw2": "SSW ii",
}


class Reason(str):
    """A reason in English that also keeps its template and values, so pages can translate it.

    The template is the message id in the console's catalogs; `str(reason)` is the English text.
    """

    template: str
    params: dict[str, object]

    def __new__(cls, template: str, **params: object) -> Reason:
        reason = super().__new__(cls, template.format(**params))
        reason.template, reason.params = template, params
        return reason


def explain(
    pool: Pool, candidate: int, order: Order, evaluation: Evaluation, row: int = 0
) -> list[Reason]:
    """Reasons for one (order row, candidate) pair: skills, Japanese, then each other constraint."""
    reasons = [_skill_reason(pool, candidate, r) for r in order.requirements]
    reasons.append(_japanese_reason(int(pool.japanese_rank[candidate]), order.min_japanese_rank))
    failed = Constraint(int(evaluation.failed[row, candidate]))
    missing = Constraint(int(evaluation.missing[row, candidate]))
    if order.track is not None:
        name = TRACK_NAMES[order.track.value]
        if Constraint.TRACK in missing:
            reasons.append(Reason("needs data: eligibility for {name} not known yet", name=name))
        elif Constraint.TRACK in failed:
            reasons.append(Reason("not eligible for {name}", name=name))
        else:
            reasons.append(Reason("eligible for {name}", name=name))
        wants = int(pool.desired_tracks[candidate])
        if wants and not wants & track_bit(order.track):
            reasons.append(Reason("prefers another track than {name}", name=name))
    if order.departure is not None:
        reasons.append(_availability_reason(pool, candidate, order.departure, failed, missing))
    if Constraint.AGE in missing:
        reasons.append(Reason("needs data: date of birth missing"))
    elif Constraint.AGE in failed:
        reasons.append(
            Reason("under 18 on the departure date") if order.departure else Reason("under 18")
        )
    reasons.append(_experience_reason(pool, candidate, order))
    if order.prefecture and pool.has_prefecture_wish[candidate]:
        wanted = order.prefecture in _wishes(pool, candidate)
        reasons.append(
            Reason("wants to work in {prefecture}", prefecture=order.prefecture)
            if wanted
            else Reason("prefers other prefectures than {prefecture}", prefecture=order.prefecture)
        )
    return reasons


def _skill_reason(pool: Pool, candidate: int, requirement: Requirement) -> Reason:
    code, minimum, must = requirement.code, requirement.min_level, requirement.must_have
    level = pool.level(candidate, code)
    if level <= 0:
        if must:
            return Reason(
                "missing: {code} (level {minimum}, must-have)", code=code, minimum=minimum
            )
        return Reason("missing: {code} (level {minimum}, nice-to-have)", code=code, minimum=minimum)
    if level < minimum:
        return Reason(
            "{code} level {level} below the {minimum} required",
            code=code,
            level=level,
            minimum=minimum,
        )
    return Reason(
        "has {code} level {level} (needs {minimum})", code=code, level=level, minimum=minimum
    )


def _japanese_reason(have: int, need: int) -> Reason:
    levels = {"have": _level_name(have), "need": _level_name(need)}
    if need == 0:
        return Reason("Japanese {have} (no level required)", **levels)
    if have < need:
        return Reason("Japanese {have} below the {need} required", **levels)
    if have > need:
        return Reason("Japanese {have} above the {need} required", **levels)
    return Reason("Japanese {have} meets the {need} required", **levels)


def _availability_reason(
    pool: Pool, candidate: int, departure: date, failed: Constraint, missing: Constraint
) -> Reason:
    if Constraint.AVAILABILITY in missing:
        return Reason("needs data: availability date missing")
    dates = {
        "available": date.fromordinal(int(pool.available_from[candidate])),
        "departure": departure,
    }
    if Constraint.AVAILABILITY in failed:
        return Reason(
            "available only from {available}, after the departure on {departure}", **dates
        )
    return Reason("available from {available}, before the departure on {departure}", **dates)


def _experience_reason(pool: Pool, candidate: int, order: Order) -> Reason:
    years = float(pool.experience_years[candidate])
    if np.isnan(years):
        return Reason("no work history recorded")
    if order.experience_years_min:
        return Reason(
            "{years} years in the sector ({asked} asked)",
            years=f"{years:g}",
            asked=f"{order.experience_years_min:g}",
        )
    return Reason("{years} years in the sector", years=f"{years:g}")


def _wishes(pool: Pool, candidate: int) -> set[str]:
    columns = pool.prefers[:, candidate].nonzero()[0]
    return {PREFECTURES[c] for c in columns.tolist()}


def _level_name(rank: int) -> str:
    level = list(JapaneseLevel)[rank]
    return "no certified level" if level is JapaneseLevel.NONE else level.value
