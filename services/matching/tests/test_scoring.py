"""Unit tests of the vectorised evaluation: constraints, components, ranking and explanations."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kakehashi.matching.config import MatchingSettings
from kakehashi.matching.domain import scoring
from kakehashi.matching.domain.components import COMPONENT_NAMES, Weights
from kakehashi.matching.domain.constraints import HARD_CONSTRAINTS, Constraint, unmet
from kakehashi.matching.domain.explain import explain
from kakehashi.matching.domain.model import CandidateProfile, Order, Pool, Requirement
from kakehashi.matching.domain.scoring import Evaluation, Surplus, evaluate
from kakehashi.matching.domain.top_k import top_k_per_order
from kakehashi.matching.entrypoints.dependencies import surplus_of
from kakehashi.matching.entrypoints.schemas import ScoreComponents
from kakehashi.shared.reference import JapaneseLevel, Track
from kakehashi.shared.skills import taxonomy

TODAY = date(2026, 11, 23)
TOP_RANK = len(JapaneseLevel) - 1  # N1
ADULT = date(1999, 5, 1)
WELDING_3 = Requirement("welding", 3, must_have=True)
SCAFFOLD_2 = Requirement("scaffolding", 2, must_have=False)
ORDER = Order(min_japanese_rank=2, requirements=(WELDING_3, SCAFFOLD_2))  # N4


def person(rank: int = 2, skills: dict[str, int] | None = None, **extra: Any) -> CandidateProfile:
    fields: dict[str, Any] = {"date_of_birth": ADULT} | extra
    return CandidateProfile(
        id=fields.pop("id", f"c{rank}{sorted((skills or {}).items())}"),
        japanese_rank=rank,
        skills=skills or {},
        **fields,
    )


def one(
    order: Order, *people: CandidateProfile, weights: Weights = Weights()
) -> tuple[Pool, Evaluation]:
    pool = Pool.build(list(people))
    return pool, evaluate(pool, [order], TODAY, weights)


def test_skill_coverage_is_level_aware_and_must_haves_weigh_double() -> None:
    _, result = one(
        ORDER,
        person(2, {"welding": 3, "scaffolding": 2}),
        person(2, {"welding": 3}),
        person(2, {"welding": 4, "scaffolding": 1}),
    )
    # Met exactly: 0.8 of a requirement; a level above earns half the remaining 0.2.
    assert result.skills[0].tolist() == pytest.approx(
        [0.8, 2 * 0.8 / 3, (2 * 0.9 + 0.8 * 0.5) / 3], abs=1e-6
    )
    assert result.eligible[0].tolist() == [True, True, True]


def test_hard_constraints_exclude_and_say_which() -> None:
    _, result = one(
        ORDER,
        person(1, {"welding": 5, "scaffolding": 5}),
        person(3, {"welding": 2, "scaffolding": 5}),
        person(2, {"scaffolding": 2}),
        person(2, {"welding": 3}),
    )
    assert result.failed[0].tolist() == [
        Constraint.JAPANESE,
        Constraint.MUST_HAVE_SKILLS,
        Constraint.MUST_HAVE_SKILLS,
        0,
    ]
    assert np.isneginf(result.score[0, :3]).all()


def test_track_availability_and_age_are_constraints_and_missing_data_is_never_neutral() -> None:
    order = Order(2, (), track=Track.SSW1, departure=date(2027, 4, 1))
    _, result = one(
        order,
        person(eligible_tracks=frozenset({Track.SSW1}), available_from=date(2027, 1, 1)),
        person(eligible_tracks=frozenset({Track.TITP}), available_from=date(2027, 1, 1)),
        person(eligible_tracks=frozenset({Track.SSW1}), available_from=date(2027, 6, 1)),
        person(eligible_tracks=None, available_from=None),
        person(
            eligible_tracks=frozenset({Track.SSW1}),
            available_from=date(2027, 1, 1),
            date_of_birth=date(2009, 6, 1),
        ),
        person(
            eligible_tracks=frozenset({Track.SSW1}),
            available_from=date(2027, 1, 1),
            date_of_birth=None,
        ),
    )
    assert result.eligible[0].tolist() == [True, False, False, False, False, False]
    assert result.failed[0, 1] == Constraint.TRACK
    assert result.failed[0, 2] == Constraint.AVAILABILITY
    assert result.missing[0, 3] == Constraint.TRACK | Constraint.AVAILABILITY
    assert result.failed[0, 4] == Constraint.AGE  # 17 on the departure date
    assert result.missing[0, 5] == Constraint.AGE
    assert result.needs_data[0].tolist() == [False, False, False, True, False, True]


def _day(value: date) -> float:
    return float(value.toordinal())


@pytest.mark.parametrize(
    ("departure", "eligible"), [(date(2027, 5, 1), True), (date(2027, 3, 1), False)]
)
def test_track_eligibility_is_judged_on_the_orders_departure_not_the_availability(
    departure: date, eligible: bool
) -> None:
    # The walk's bug: available before ESD opens (2027-04-01), refused for an ESD order
    # departing after it, since eligibility was judged on the availability date.
    esd_from_april = {Track.ESD: ((_day(date(2027, 4, 1)), float("inf")),)}
    candidate = person(
        eligible_tracks=frozenset(),  # nothing on the availability date
        eligible_windows=esd_from_april,
        available_from=date(2027, 1, 15),
    )
    order = Order(2, (), track=Track.ESD, departure=departure)
    _, result = one(order, candidate)
    assert bool(result.eligible[0, 0]) is eligible
    assert (unmet(candidate, order, TODAY) == []) is eligible


def test_one_age_rule_a_candidate_who_turns_18_before_departure_is_eligible() -> None:
    born = date(2009, 3, 10)  # 18 on 2027-03-10
    ssw1_from_birthday = {Track.SSW1: ((_day(date(2027, 3, 10)), float("inf")),)}
    candidate = person(
        date_of_birth=born,
        eligible_tracks=frozenset(),  # 17 today, so no track today
        eligible_windows=ssw1_from_birthday,
        available_from=date(2027, 1, 1),
    )
    before = Order(2, (), track=Track.SSW1, departure=date(2027, 3, 1))
    after = Order(2, (), track=Track.SSW1, departure=date(2027, 4, 1))
    _, result = one(after, candidate)
    assert bool(result.eligible[0, 0])
    _, result = one(before, candidate)
    assert result.failed[0, 0] == Constraint.TRACK | Constraint.AGE  # both say: under 18 then


def test_japanese_above_the_minimum_scores_higher() -> None:
    _, result = one(
        ORDER, *[person(rank, {"welding": 3, "scaffolding": 2}) for rank in (2, 3, 4, 5)]
    )
    assert np.all(np.diff(result.japanese[0]) > 0)
    assert result.japanese[0, -1] == pytest.approx(1.0)


def test_experience_and_preferences_raise_the_score() -> None:
    order = Order(0, (), track=Track.SSW1, prefecture="Aichi", experience_years_min=2)
    base: dict[str, Any] = {"eligible_tracks": frozenset({Track.SSW1})}
    _, result = one(
        order,
        person(**base, experience_years=2.0, desired_prefectures=frozenset({"Aichi"})),
        person(**base, experience_years=1.0, desired_prefectures=frozenset({"Aichi"})),
        person(**base, experience_years=2.0, desired_prefectures=frozenset({"Osaka"})),
        person(**base, experience_years=2.0, desired_tracks=frozenset({Track.TITP})),
    )
    assert result.experience[0].tolist() == pytest.approx([0.8, 0.4, 0.8, 0.8])
    assert result.preferences[0].tolist() == pytest.approx([1.0, 1.0, 0.5, 0.5])
    assert result.score[0, 0] > max(result.score[0, 1:])


@settings(max_examples=200, deadline=None)
@given(
    asked=st.integers(1, 5),
    must_have=st.booleans(),
    other=st.integers(0, 5),
    minimum_years=st.none() | st.floats(0.5, 4),
    years=st.floats(0, 12),
)
def test_strength_above_the_minimum_adds_with_diminishing_returns(
    asked: int, must_have: bool, other: int, minimum_years: float | None, years: float
) -> None:
    """Raising a skill above the level asked never lowers the score and raises it while the
    surplus has not saturated; each level adds less than the one before. Years beyond the
    minimum do the same."""
    order = Order(0, (Requirement("welding", asked, must_have), Requirement("cooking", 3, False)),
                  experience_years_min=minimum_years)  # fmt: skip
    people = [
        person(0, {"welding": level, "cooking": other}, experience_years=years)
        for level in range(asked, 6)
    ]
    scores = one(order, *people)[1].score[0]
    gains = np.diff(scores)
    assert np.all(gains > 0)
    assert np.all(np.diff(gains) < 1e-7)
    target = minimum_years or 3.0
    longer = one(order, *[person(0, {"welding": asked}, experience_years=target + y)
                          for y in (0.0, 1.0, 2.0, 3.0)])[1].score[0]  # fmt: skip
    assert np.all(np.diff(longer) > 0)
    assert np.all(np.diff(np.diff(longer)) < 1e-7)


def test_equal_scores_rank_the_earlier_available_then_the_better_japanese_then_the_id() -> None:
    order = Order(0, (WELDING_3,))
    late = person(2, {"welding": 3}, available_from=date(2027, 3, 1), id="a-late")
    early = person(2, {"welding": 3}, available_from=date(2027, 1, 1), id="b-early")
    unknown = person(2, {"welding": 3}, id="c-unknown")
    pool, result = one(order, late, early, unknown)
    tied = np.zeros_like(result.score)  # the same score for all, whatever else differs
    best, _ = top_k_per_order(tied, 3, pool.tie_order)
    assert [pool.ids[i] for i in best[0]] == ["b-early", "a-late", "c-unknown"]
    fluent = person(4, {"welding": 3}, available_from=date(2027, 1, 1), id="d-fluent")
    pool, result = one(order, late, early, fluent)
    best, _ = top_k_per_order(np.zeros_like(result.score), 3, pool.tie_order)
    assert [pool.ids[i] for i in best[0]] == ["d-fluent", "b-early", "a-late"]


def test_the_score_is_the_weighted_sum_of_its_components() -> None:
    weights = Weights(skills=4, japanese=2, experience=1, preferences=1)
    _, result = one(ORDER, person(3, {"welding": 3}, experience_years=1.5), weights=weights)
    expected = (
        4 * result.skills + 2 * result.japanese + result.experience + result.preferences
    ) / 8
    assert result.score[0, 0] == pytest.approx(expected[0, 0])


def test_top_k_returns_the_best_eligible_in_order_with_ties_by_index() -> None:
    scores = np.array([[0.5, 0.9, -np.inf, 0.7, 0.9]], dtype=np.float32)
    best, values = top_k_per_order(scores, 3)
    assert best.tolist() == [[1, 4, 3]]
    assert values[0].tolist() == pytest.approx([0.9, 0.9, 0.7])
    assert top_k_per_order(scores, 10)[0].tolist() == [[1, 4, 3, 0, -1]]


def test_explanations_name_what_is_missing_and_the_gaps() -> None:
    order = Order(2, (WELDING_3, SCAFFOLD_2), track=Track.SSW1, departure=date(2027, 4, 1))
    pool, result = one(
        order, person(1, {"welding": 2}, eligible_tracks=None, available_from=date(2027, 6, 1))
    )
    reasons = explain(pool, 0, order, result)
    assert "welding level 2 below the 3 required" in reasons
    assert "missing: scaffolding (level 2, nice-to-have)" in reasons
    assert "Japanese N5 below the N4 required" in reasons
    assert "needs data: eligibility for SSW i not known yet" in reasons
    assert "available only from 2027-06-01, after the departure on 2027-04-01" in reasons
    assert "no work history recorded" in reasons


def test_the_place_of_work_is_explained_against_each_candidates_wishes() -> None:
    order = Order(2, (WELDING_3,), prefecture="Aichi")
    pool, result = one(
        order,
        person(2, {"welding": 3}, id="aichi", desired_prefectures=frozenset({"Osaka", "Aichi"})),
        person(2, {"welding": 3}, id="osaka", desired_prefectures=frozenset({"Osaka"})),
        person(2, {"welding": 3}, id="anywhere"),
    )
    assert "wants to work in Aichi" in explain(pool, 0, order, result)
    assert "prefers other prefectures than Aichi" in explain(pool, 1, order, result)
    assert not any("prefecture" in r or "Aichi" in r for r in explain(pool, 2, order, result))
    assert [pool.wants(i, "Aichi") for i in range(3)] == [True, False, False]
    assert [pool.wants(i, "Osaka") for i in range(3)] == [True, True, False]


def test_strength_above_a_requirement_is_explained() -> None:
    order = Order(2, (WELDING_3, SCAFFOLD_2))
    pool, result = one(order, person(2, {"welding": 5, "scaffolding": 2}))
    reasons = explain(pool, 0, order, result)
    assert "welding level 5, 2 above the level 3 asked" in reasons
    assert "has scaffolding level 2 (needs 2)" in reasons


def test_a_related_skill_gives_partial_credit_to_a_nice_to_have_and_says_so() -> None:
    order = Order(0, (Requirement("scaffolding", 2, must_have=False),))
    pool, result = one(order, person(0, {"formwork": 3}), person(0, {}), person(0, {"a": 5}))
    # Half of what formwork 3 would cover were it the one asked: 0.5 x (0.8 + 0.2 x 0.5).
    assert result.skills[0].tolist() == pytest.approx([0.45, 0.0, 0.0])
    reasons = explain(pool, 0, order, result)
    assert "no scaffolding, but related formwork level 3 (partial credit)" in reasons
    assert "missing: scaffolding (level 2, nice-to-have)" in explain(pool, 1, order, result)
    off = evaluate(pool, [order], TODAY, surplus=Surplus(related_credit=0.0))
    assert off.skills[0, 0] == 0.0


def test_a_related_skill_never_satisfies_a_must_have() -> None:
    order = Order(0, (Requirement("hull_welding", 2, must_have=True),))
    pool, result = one(order, person(0, {"welding": 5}), person(0, {"hull_welding": 2}))
    assert result.eligible[0].tolist() == [False, True]
    assert "missing: hull_welding (level 2, must-have)" in explain(pool, 0, order, result)


def test_the_surplus_points_are_settings() -> None:
    settings = MatchingSettings(
        surplus_skill_share=0.3,
        surplus_skill_half_levels=2.0,
        surplus_experience_share=0.1,
        surplus_experience_half_years=3.0,
        related_credit=0.25,
    )
    assert surplus_of(settings) == Surplus(0.3, 2.0, 0.1, 3.0, 0.25)
    assert surplus_of(MatchingSettings()) == Surplus()


def test_an_order_without_a_japanese_floor_says_so() -> None:
    pool, result = one(Order(0, ()), person(1))
    assert "Japanese N5 (no level required)" in explain(pool, 0, Order(0, ()), result)


def test_every_score_component_has_a_weight_setting_and_an_api_field() -> None:
    """COMPONENTS is the one list; the settings (env vars) and the API schema follow it."""
    assert {f"weight_{name}" for name in COMPONENT_NAMES} <= set(MatchingSettings.model_fields)
    assert tuple(ScoreComponents.model_fields) == COMPONENT_NAMES
    assert Weights().normalised().keys() == set(COMPONENT_NAMES)


def test_invalid_weights_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        one(ORDER, person(), weights=Weights(0, 0, 0, 0))


# Codes outside the taxonomy ("a", "b") and two families of it (welding, structure), so
# related skills meet in the properties below.
RELATED = ["welding", "hull_welding", "formwork", "scaffolding"]
skill_sets = st.dictionaries(st.sampled_from(["a", "b", *RELATED]), st.integers(1, 5))
orders = st.lists(
    st.tuples(
        st.integers(0, TOP_RANK),
        st.lists(
            st.tuples(st.sampled_from(["a", "e", *RELATED]), st.integers(1, 5), st.booleans()),
            max_size=3,
            unique_by=lambda r: r[0],
        ),
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=80, deadline=None)
@given(
    people=st.lists(st.tuples(st.integers(0, TOP_RANK), skill_sets), min_size=1, max_size=12),
    specs=orders,
)
def test_many_orders_at_once_agree_with_one_at_a_time(
    people: list[tuple[int, dict[str, int]]], specs: list[tuple[int, list[tuple[str, int, bool]]]]
) -> None:
    pool = Pool.build([person(rank, skills) for rank, skills in people])
    built = [Order(rank, tuple(Requirement(*r) for r in reqs)) for rank, reqs in specs]
    together = evaluate(pool, built, TODAY)
    for row, order in enumerate(built):
        alone = evaluate(pool, [order], TODAY)
        np.testing.assert_allclose(together.score[row], alone.score[0], rtol=1e-6)
        np.testing.assert_array_equal(together.failed[row], alone.failed[0])


@settings(max_examples=80, deadline=None)
@given(
    skills=skill_sets,
    rank=st.integers(0, TOP_RANK - 1),
    new_skill=st.sampled_from(["a", "e", *RELATED]),
    specs=orders,
)
def test_more_japanese_or_an_added_skill_never_lowers_a_score(
    skills: dict[str, int],
    rank: int,
    new_skill: str,
    specs: list[tuple[int, list[tuple[str, int, bool]]]],
) -> None:
    built = [Order(r, tuple(Requirement(*q) for q in reqs)) for r, reqs in specs]

    def scores(candidate: CandidateProfile) -> np.ndarray:
        return evaluate(Pool.build([candidate]), built, TODAY).score[:, 0]

    before = scores(person(rank, skills))
    assert np.all(scores(person(rank + 1, skills)) >= before)
    assert np.all(
        scores(person(rank, skills | {new_skill: skills.get(new_skill, 0) + 1})) >= before
    )


def reference_cover(level: int, asked: int) -> float:
    """A requirement's coverage in plain Python: 0.8 of the share met, plus 0.2 of the surplus
    credit (half of it per level above the minimum)."""
    return 0.8 * min(level / asked, 1.0) + 0.2 * (1 - 2.0 ** -max(level - asked, 0))


def reference_requirement(c: CandidateProfile, r: Requirement) -> float:
    """A requirement's coverage; a nice-to-have also takes half of what a skill of its family
    would cover in its place (a must-have never does)."""
    own = reference_cover(c.skills.get(r.code, 0), r.min_level)
    if r.must_have:
        return own
    related = [
        0.5 * reference_cover(level, r.min_level)
        for code, level in c.skills.items()
        if taxonomy().related(code, r.code)
    ]
    return max([own, *related])


def reference_score(c: CandidateProfile, order: Order, w: dict[str, float]) -> float | None:
    """One pair at a time, in plain Python: the score, or None if the pair is not ranked."""
    if unmet(c, order, TODAY):  # each hard constraint's own plain-Python rule
        return None
    shares = {r: 2.0 if r.must_have else 1.0 for r in order.requirements}
    covered = sum(s * reference_requirement(c, r) for r, s in shares.items())
    skills = covered / sum(shares.values()) if shares else 1.0
    need = order.min_japanese_rank
    japanese = min(max((c.japanese_rank - need + 1) / (len(JapaneseLevel) - need), 0.0), 1.0)
    target = max(order.experience_years_min or 3.0, 0.5)
    years = c.experience_years or 0.0
    experience = 0.8 * min(years / target, 1.0) + 0.2 * (1 - 2 ** -(max(years - target, 0) / 2))
    track = not c.desired_tracks or order.track is None or order.track in c.desired_tracks
    place = (
        order.prefecture is None
        or not c.desired_prefectures
        or order.prefecture in c.desired_prefectures
    )
    return (
        w["skills"] * skills
        + w["japanese"] * japanese
        + w["experience"] * experience
        + w["preferences"] * (track + place) / 2
    )


DAYS = st.dates(date(2026, 6, 1), date(2028, 1, 1))
TRACK_SETS = st.frozensets(st.sampled_from(list(Track)), max_size=2)
PLACES = st.sampled_from(["Aichi", "Osaka", "Tokyo"])
candidates = st.builds(
    CandidateProfile,
    id=st.just("c"),
    japanese_rank=st.integers(0, TOP_RANK),
    skills=skill_sets,
    date_of_birth=st.none() | st.dates(date(2005, 1, 1), date(2011, 1, 1)),
    available_from=st.none() | DAYS,
    eligible_tracks=st.none() | TRACK_SETS,
    desired_tracks=TRACK_SETS,
    desired_prefectures=st.frozensets(PLACES, max_size=2),
    experience_years=st.none() | st.floats(0, 6),
)
full_orders = st.builds(
    Order,
    min_japanese_rank=st.integers(0, TOP_RANK),
    requirements=st.lists(
        st.builds(
            Requirement, st.sampled_from(["a", "e", *RELATED]), st.integers(1, 5), st.booleans()
        ),
        max_size=3,
        unique_by=lambda r: r.code,
    ).map(tuple),
    track=st.none() | st.sampled_from(list(Track)),
    prefecture=st.none() | PLACES,
    departure=st.none() | DAYS,
    experience_years_min=st.none() | st.floats(0, 4),
)
weight_sets = st.builds(Weights, *[st.sampled_from([0.0, 0.5, 1.0, 3.0]) for _ in range(4)]).filter(
    lambda w: w.skills + w.japanese + w.experience + w.preferences > 0
)


@settings(max_examples=150, deadline=None)
@given(
    people=st.lists(candidates, min_size=1, max_size=10),
    specs=st.lists(full_orders, min_size=1, max_size=6),
    weights=weight_sets,
)
def test_the_matrix_form_agrees_with_one_pair_at_a_time(
    people: list[CandidateProfile], specs: list[Order], weights: Weights
) -> None:
    """Score, constraint bits and components of a batch are those of each pair on its own."""
    pool = Pool.build(people)
    result = evaluate(pool, specs, TODAY, weights)
    w = weights.normalised()
    for row, order in enumerate(specs):
        for column, candidate in enumerate(people):
            expected = reference_score(candidate, order, w)
            if expected is None:
                assert result.score[row, column] == -np.inf
                assert not result.eligible[row, column]
            else:
                assert result.score[row, column] == pytest.approx(expected, abs=1e-5)
                assert result.eligible[row, column]
    eligible = result.eligible
    weighted = sum(w[name] * getattr(result, name) for name in w)
    np.testing.assert_allclose(result.score[eligible], weighted[eligible], atol=1e-5)
    for row, order in enumerate(specs):  # the batch does not change a row
        np.testing.assert_array_equal(
            evaluate(pool, [order], TODAY, weights).score[0], result.score[row]
        )


@settings(max_examples=100, deadline=None)
@given(
    people=st.lists(candidates, min_size=1, max_size=10),
    specs=st.lists(full_orders, min_size=1, max_size=4),
    picked=st.lists(st.integers(0, 9), max_size=12),
    first_all=st.booleans(),
)
def test_a_pages_components_are_each_pairs_computed_alone(
    people: list[CandidateProfile], specs: list[Order], picked: list[int], first_all: bool
) -> None:
    """A list's page reads its pairs' components together, over its columns only: the same
    values, to the bit, as each pair's read from the components of every pair."""
    pool = Pool.build(people)
    columns = [i % len(people) for i in picked]
    whole = evaluate(pool, specs, TODAY)
    together = evaluate(pool, specs, TODAY)
    if first_all:  # some components already computed for every pair
        together.component("skills")
    for row in range(len(specs)):
        assert together.components_along(row, columns) == [
            whole.components(row, column) for column in columns
        ]


@settings(max_examples=100, deadline=None)
@given(people=st.lists(candidates, min_size=1, max_size=8), specs=st.lists(full_orders, max_size=5))
def test_each_constraint_s_bits_are_set_where_its_plain_rule_fails(
    people: list[CandidateProfile], specs: list[Order]
) -> None:
    """Per record of the registry, the vectorised bits agree with the record's own pair rule."""
    result = evaluate(Pool.build(people), specs, TODAY)
    for row, order in enumerate(specs):
        for column, candidate in enumerate(people):
            unmet_flags = {c.flag for c in unmet(candidate, order, TODAY)}
            bits = int(result.failed[row, column]) | int(result.missing[row, column])
            for constraint in HARD_CONSTRAINTS:
                assert bool(bits & constraint.flag) == (constraint.flag in unmet_flags)


def reference_top_k(scores: np.ndarray, k: int) -> list[list[int]]:
    return [
        sorted((i for i in range(len(row)) if np.isfinite(row[i])), key=lambda i: (-row[i], i))[:k]
        for row in scores
    ]


@settings(max_examples=150, deadline=None)
@given(
    scores=st.integers(1, 4).flatmap(
        lambda m: st.integers(1, 120).flatmap(
            lambda n: st.lists(
                st.lists(
                    st.sampled_from([-np.inf, 0.0, 0.25, 0.5, 0.75, 1.0]), min_size=n, max_size=n
                ),
                min_size=m,
                max_size=m,
            )
        )
    ),
    k=st.integers(1, 60),
    dtype=st.sampled_from([np.float32, np.float64]),
)
def test_top_k_is_the_k_best_finite_scores_with_ties_by_index(
    scores: list[list[float]], k: int, dtype: type[np.floating[Any]]
) -> None:
    matrix = np.array(scores, dtype=dtype)
    best, values = top_k_per_order(matrix, k)
    for row, expected in enumerate(reference_top_k(matrix, k)):
        assert [i for i in best[row].tolist() if i >= 0] == expected
        assert values[row, : len(expected)].tolist() == matrix[row, expected].tolist()
    assert (
        top_k_per_order(matrix.T, k)[0].tolist() == top_k_per_order(matrix.T.copy(), k)[0].tolist()
    )


def test_the_pool_keeps_the_rows_it_derives_for_later_orders() -> None:
    pool = Pool.build([person(2, {"welding": 3}), person(3, {"scaffolding": 2})])
    evaluate(pool, [ORDER], TODAY)
    rows = len(pool.derived.matrix())
    evaluate(pool, [ORDER, ORDER], TODAY)
    assert len(pool.derived.matrix()) == rows  # nothing computed twice


@settings(max_examples=120, deadline=None)
@given(
    skills=skill_sets,
    specs=st.lists(full_orders, min_size=1, max_size=4),
    added=st.sampled_from(RELATED),
    level=st.integers(1, 5),
    credit=st.sampled_from([0.0, 0.25, 0.5, 1.0]),
)
def test_adding_or_raising_a_related_skill_never_lowers_a_score(
    skills: dict[str, int], specs: list[Order], added: str, level: int, credit: float
) -> None:
    surplus = Surplus(related_credit=credit)

    def scores(held: dict[str, int]) -> np.ndarray:
        return evaluate(Pool.build([person(2, held)]), specs, TODAY, surplus=surplus).score[:, 0]

    before = scores(skills)
    raised = skills | {added: max(level, skills.get(added, 0))}
    assert np.all(scores(raised) >= before)


def test_a_pool_wider_than_a_tile_scores_the_same_by_tiles(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Over a pool wider than a tile, a batch scored a tile of candidates at a time is exactly
    the one-product form over every candidate, and each order alone."""
    rng = np.random.default_rng(5)
    codes = ["welding", "hull_welding", "formwork", "scaffolding", "a", "b"]
    people = [
        person(
            int(rng.integers(0, TOP_RANK + 1)),
            {str(c): int(rng.integers(1, 6)) for c in rng.choice(codes, 2, replace=False)},
            id=f"c{i:05d}",
            desired_tracks=frozenset({Track.SSW1}) if i % 3 == 0 else frozenset(),
            eligible_tracks=frozenset({Track.SSW1, Track.TITP}) if i % 7 else None,
            available_from=date(2027, 1, 1) if i % 5 else None,
            experience_years=float(i % 6) / 2,
        )
        for i in range(scoring._TILE * 2 + 77)
    ]
    specs = [
        Order(
            int(rng.integers(0, 3)),
            tuple(
                Requirement(str(c), int(rng.integers(1, 4)), bool(k == 0 or rng.random() < 0.3))
                for k, c in enumerate(rng.choice(codes, int(rng.integers(0, 3)), replace=False))
            ),
            track=Track.SSW1 if j % 2 else Track.TITP,
            departure=date(2027, 3, 1) if j % 4 else None,
        )
        for j in range(40)
    ]
    pool = Pool.build(people)
    fast = evaluate(pool, specs, TODAY).score
    alone = [evaluate(pool, [order], TODAY).score[0] for order in specs]
    monkeypatch.setattr(scoring, "_TILE", 10**9)
    plain = evaluate(pool, specs, TODAY).score
    assert np.isfinite(plain).any()
    assert np.isneginf(plain).any()
    np.testing.assert_array_equal(fast, plain)
    np.testing.assert_array_equal(np.stack(alone), plain)
