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


def explain(
    pool: Pool, candidate: int, order: Order, evaluation: Evaluation, row: int = 0
) -> list[str]:
    """Reasons for one (order row, candidate) pair: skills, Japanese, then each other constraint."""
    reasons = [_skill_reason(pool, candidate, r) for r in order.requirements]
    reasons.append(_japanese_reason(int(pool.japanese_rank[candidate]), order.min_japanese_rank))
    failed = Constraint(int(evaluation.failed[row, candidate]))
    missing = Constraint(int(evaluation.missing[row, candidate]))
    if order.track is not None:
        name = TRACK_NAMES[order.track.value]
        if Constraint.TRACK in missing:
            reasons.append(f"needs data: eligibility for {name} not known yet")
        elif Constraint.TRACK in failed:
            reasons.append(f"not eligible for {name}")
        else:
            reasons.append(f"eligible for {name}")
        wants = int(pool.desired_tracks[candidate])
        if wants and not wants & track_bit(order.track):
            reasons.append(f"prefers another track than {name}")
    if order.departure is not None:
        reasons.append(_availability_reason(pool, candidate, order.departure, failed, missing))
    if Constraint.AGE in missing:
        reasons.append("needs data: date of birth missing")
    elif Constraint.AGE in failed:
        reasons.append("under 18 on the departure date" if order.departure else "under 18")
    reasons.append(_experience_reason(pool, candidate, order))
    if order.prefecture and pool.has_prefecture_wish[candidate]:
        wanted = order.prefecture in _wishes(pool, candidate)
        reasons.append(
            f"wants to work in {order.prefecture}"
            if wanted
            else f"prefers other prefectures than {order.prefecture}"
        )
    return reasons


def _skill_reason(pool: Pool, candidate: int, requirement: Requirement) -> str:
    code, minimum, must = requirement.code, requirement.min_level, requirement.must_have
    level = pool.level(candidate, code)
    kind = "must-have" if must else "nice-to-have"
    if level <= 0:
        return f"missing: {code} (level {minimum}, {kind})"
    if level < minimum:
        return f"{code} level {level} below the {minimum} required"
    return f"has {code} level {level} (needs {minimum})"


def _japanese_reason(have: int, need: int) -> str:
    if need == 0:
        return f"Japanese {_level_name(have)} (no level required)"
    if have < need:
        return f"Japanese {_level_name(have)} below the {_level_name(need)} required"
    if have > need:
        return f"Japanese {_level_name(have)} above the {_level_name(need)} required"
    return f"Japanese {_level_name(have)} meets the {_level_name(need)} required"


def _availability_reason(
    pool: Pool, candidate: int, departure: date, failed: Constraint, missing: Constraint
) -> str:
    if Constraint.AVAILABILITY in missing:
        return "needs data: availability date missing"
    available = date.fromordinal(int(pool.available_from[candidate]))
    if Constraint.AVAILABILITY in failed:
        return f"available only from {available}, after the departure on {departure}"
    return f"available from {available}, before the departure on {departure}"


def _experience_reason(pool: Pool, candidate: int, order: Order) -> str:
    years = float(pool.experience_years[candidate])
    if np.isnan(years):
        return "no work history recorded"
    if order.experience_years_min:
        return f"{years:g} years in the sector ({order.experience_years_min:g} asked)"
    return f"{years:g} years in the sector"


def _wishes(pool: Pool, candidate: int) -> set[str]:
    columns = pool.prefers[:, candidate].nonzero()[0]
    return {PREFECTURES[c] for c in columns.tolist()}


def _level_name(rank: int) -> str:
    level = list(JapaneseLevel)[rank]
    return "no certified level" if level is JapaneseLevel.NONE else level.value
