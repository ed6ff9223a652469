"""Matching quality on a synthetic market whose true fit is known: nDCG@10, precision@10, violations.

    uv run python bench/matching_quality.py --candidates 20000 --orders 300 --seed 7

Every candidate has hidden attributes (true skill levels, Japanese ability, years in the sector, and
a reliability only an interview would show) and a recorded profile, the only thing matching sees:
levels rounded with noise, some skills not listed, the certificate rather than the ability,
experience missing for some. A pair's true fit weighs what a good reviewer values (skills against
the order's levels, rewarding more than the minimum; Japanese above the floor; experience; the
candidate's wishes; reliability) plus noise. Graded relevance is the true fit bucketed 0-3 by
quantiles of all eligible pairs; a pair that fails a hard constraint, or lacks the data to show it
meets one, is 0 whatever its fit. Matching (`evaluate` + `top_k_per_order`) is compared with naive
rankers on the same pools. Violations are re-checked pair by pair in plain Python on the recorded
profiles, independently of the engine; the engine must have none (exit status 1 otherwise).

Then program managers "decide" the engine's top 10 of every other order, approving the pairs whose
whole fit is good; a ranking is learned from those decisions (`domain/learning.py`) and compared
with the weighted score on the orders nobody decided on: without and with inverse propensity
weighting (each decided pair weighted by one over the probability the list showed it, clipped;
`domain/weighting.py`), fitted on the same decisions in the same run.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from market import JAPANESE_P, SECTOR_WEIGHTS, SECTORS, SKILLS_PER_SECTOR, TODAY, skill_code

from kakehashi.matching.domain import learning
from kakehashi.matching.domain.components import COMPONENT_NAMES
from kakehashi.matching.domain.constraints import unmet
from kakehashi.matching.domain.exploration import explore, propensity_below, slots_of
from kakehashi.matching.domain.features import pair_features
from kakehashi.matching.domain.model import CandidateProfile, Order, Pool, Requirement
from kakehashi.matching.domain.quality import ndcg_at_k, precision_at_k, ranked_relevance
from kakehashi.matching.domain.scoring import Surplus, evaluate
from kakehashi.matching.domain.top_k import top_k_per_order
from kakehashi.shared.reference import PREFECTURES, JapaneseLevel, Sector, Track
from kakehashi.shared.skills import taxonomy

TOP = 10
GOOD = 2  # relevance counted as a hit by precision@10
GRADE_QUANTILES = (0.5, 0.8, 0.95)  # of eligible pairs' true fit: grades 1, 2 and 3 start here
WISH_PREFECTURES = PREFECTURES[:20]
# What a reviewer values, summing to 1; reliability is what no profile shows.
FIT_WEIGHTS = {"skills": 0.40, "japanese": 0.20, "experience": 0.15, "wishes": 0.10}
RELIABILITY_WEIGHT = 0.15
PAIR_NOISE = 0.05
ENGINE = "matching (evaluate + top_k)"
REFERENCE = "reference: true attributes, no interview"
WITHOUT_RELATED = "matching, without related-skill credit"
LEARNED_BEFORE = "learned: components, yes/no, top 10"
LEARNED = "learned: features, grades, exploration"
LEARNED_IPW = "learned: the same, weighted by IPW"
EXPLORE_EVERY = 10
GRADE_OF_RELEVANCE = (0, 1, 3, 4)  # rejected, shortlisted, interviewed, selected
BASELINES = ("Japanese level only, after constraints", "random, after constraints")


@dataclass
class Truth:
    """What the market really is, hidden from matching."""

    skill: np.ndarray  # candidates x SKILLS_PER_SECTOR true level, 0 if never trained
    japanese: np.ndarray  # ability on the rank scale: certificate rank + progress beyond it
    experience: np.ndarray  # true years in the sector
    reliability: np.ndarray  # standard normal; found out at interview
    wishes: np.ndarray  # candidates x WISH_PREFECTURES, True where wanted
    wants_ssw1_only: np.ndarray


@dataclass
class Market:
    sector: np.ndarray
    candidates: list[CandidateProfile]
    truth: Truth
    order_sector: np.ndarray
    orders: list[Order]
    order_columns: list[list[int]]  # per order, the skill column of each requirement


# With --taxonomy: skill k of a sector is the k-th skill of that sector in the shared taxonomy
# (where there is one), and what a worker trained in one skill of a family can do in another of
# the same family is TRANSFER times their level in it: this market's own rule, not the engine's.
TRANSFER = 0.4
TAXONOMY_CODES: dict[str, str] = {}


def use_taxonomy_codes() -> None:
    for s, sector in enumerate(SECTORS):
        real = [skill.code for skill in taxonomy().of_sector(Sector(sector))]
        TAXONOMY_CODES.update(
            {skill_code(s, k): code for k, code in enumerate(real[:SKILLS_PER_SECTOR])}
        )


def code_of(sector: int, k: int) -> str:
    synthetic = skill_code(sector, k)
    return TAXONOMY_CODES.get(synthetic, synthetic)


def generate(n: int, m: int, seed: int) -> Market:
    rng = np.random.default_rng(seed)
    p = SECTOR_WEIGHTS / SECTOR_WEIGHTS.sum()
    sector = rng.choice(len(SECTORS), size=n, p=p)
    trained = rng.random((n, SKILLS_PER_SECTOR)) < 0.3
    trained[np.arange(n), rng.integers(SKILLS_PER_SECTOR, size=n)] = True
    true_skill = np.where(trained, np.clip(0.6 + rng.gamma(2.0, 0.9, trained.shape), 0.5, 5.5), 0)
    listed = trained & (rng.random(trained.shape) < 0.9)  # some trained skills go unlisted
    recorded = np.clip(np.rint(true_skill + rng.normal(0, 0.6, trained.shape)), 1, 5).astype(int)
    ranks = rng.choice(len(JapaneseLevel), size=n, p=JAPANESE_P)
    # Within a level people differ, and a quarter study well past their last certificate.
    ability = ranks + rng.random(n) + np.where(rng.random(n) < 0.25, rng.random(n), 0.0)
    years = rng.gamma(1.5, 1.5, size=n)
    recorded_years = np.maximum(np.rint((years + rng.normal(0, 0.5, n)) * 2) / 2, 0)
    wishes = np.zeros((n, len(WISH_PREFECTURES)), dtype=bool)
    has_wish = rng.random(n) < 0.4
    for _ in range(2):
        wishes[has_wish, rng.integers(len(WISH_PREFECTURES), size=int(has_wish.sum()))] = True
    wants_ssw1 = rng.random(n) < 0.3
    ages = rng.integers(17 * 365, 35 * 365, size=n)
    availability = rng.integers(-60, 300, size=n)
    people = []
    for i in range(n):
        tracks = {Track.TITP, Track.ESD} | ({Track.SSW1} if ranks[i] >= 2 else set())
        people.append(
            CandidateProfile(
                id=f"c{i}",
                japanese_rank=int(ranks[i]),
                skills={
                    code_of(int(sector[i]), k): int(recorded[i, k])
                    for k in np.flatnonzero(listed[i]).tolist()
                },
                date_of_birth=None if rng.random() < 0.02 else TODAY - timedelta(days=int(ages[i])),
                available_from=TODAY + timedelta(days=int(availability[i])),
                eligible_tracks=None if rng.random() < 0.05 else frozenset(tracks),
                desired_tracks=frozenset({Track.SSW1}) if wants_ssw1[i] else frozenset(),
                desired_prefectures=frozenset(
                    WISH_PREFECTURES[j] for j in np.flatnonzero(wishes[i]).tolist()
                ),
                experience_years=None if rng.random() < 0.2 else float(recorded_years[i]),
            )
        )
    truth = Truth(true_skill, ability, years, rng.normal(0, 1, n), wishes, wants_ssw1)
    order_sector = rng.choice(len(SECTORS), size=m, p=p)
    orders, columns = [], []
    for s in order_sector.tolist():
        picks = rng.choice(SKILLS_PER_SECTOR, size=int(rng.integers(1, 4)), replace=False).tolist()
        requirements = tuple(
            Requirement(code_of(s, k), int(rng.integers(1, 4)), bool(i == 0 or rng.random() < 0.3))
            for i, k in enumerate(picks)
        )
        track = Track.SSW1 if rng.random() < 0.5 else Track.TITP
        orders.append(
            Order(
                min_japanese_rank=2 if track is Track.SSW1 else int(rng.choice([0, 1, 1, 2])),
                requirements=requirements,
                track=track,
                prefecture=str(rng.choice(WISH_PREFECTURES)),
                departure=TODAY + timedelta(days=int(rng.integers(120, 400))),
                experience_years_min=float(rng.choice([0, 0, 1, 2])) or None,
            )
        )
        columns.append(picks)
    return Market(sector, people, truth, order_sector, orders, columns)


def true_fit(
    market: Market, order_ids: np.ndarray, members: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Orders x candidates of one sector: (the part a perfect profile would show, the whole fit
    with the reliability an interview finds and noise)."""
    t = market.truth
    fit = np.empty((len(order_ids), len(members)))
    reliability = 1 / (1 + np.exp(-t.reliability[members]))
    for row, o in enumerate(order_ids.tolist()):
        order = market.orders[o]
        importance = np.array([2.0 if r.must_have else 1.0 for r in order.requirements])
        need = np.array([r.min_level for r in order.requirements], dtype=float)
        have = t.skill[np.ix_(members, market.order_columns[o])]
        sector = int(market.order_sector[o])
        for j, k in enumerate(market.order_columns[o]):  # ability carried over from a family
            family = [
                other
                for other in range(SKILLS_PER_SECTOR)
                if taxonomy().related(code_of(sector, k), code_of(sector, other))
            ]
            if family:
                carried = TRANSFER * t.skill[np.ix_(members, family)].max(axis=1)
                have[:, j] = np.maximum(have[:, j], carried)
        # More than the minimum still counts, up to a level above it; two below counts nothing.
        skills = np.clip((have - need + 2) / 3, 0, 1) @ importance / importance.sum()
        japanese = np.clip((t.japanese[members] - order.min_japanese_rank + 0.5) / 3.5, 0, 1)
        years = 1 - np.exp(-t.experience[members] / max(order.experience_years_min or 0, 2))
        place = WISH_PREFECTURES.index(str(order.prefecture))
        wanted_place = t.wishes[members, place] | ~t.wishes[members].any(axis=1)
        wanted_track = ~t.wants_ssw1_only[members] | (order.track is Track.SSW1)
        wishes = (wanted_place.astype(float) + wanted_track) / 2
        fit[row] = (
            FIT_WEIGHTS["skills"] * skills
            + FIT_WEIGHTS["japanese"] * japanese
            + FIT_WEIGHTS["experience"] * years
            + FIT_WEIGHTS["wishes"] * wishes
        )
    return fit, fit + RELIABILITY_WEIGHT * reliability + rng.normal(0, PAIR_NOISE, fit.shape)


def hard_violations(c: CandidateProfile, order: Order, today: date = TODAY) -> list[str]:
    """The hard constraints a pair fails or cannot be shown to meet, from the recorded profile:
    each constraint's own plain-Python rule, pair by pair, apart from the engine's matrices."""
    return [constraint.name for constraint in unmet(c, order, today)]


@dataclass
class Block:
    """One sector: its orders, its candidates, their relevance and every ranker's scores."""

    order_ids: np.ndarray
    members: np.ndarray
    fit: np.ndarray
    eligible: np.ndarray  # by the independent check
    scores: dict[str, np.ndarray]
    components: dict[str, np.ndarray]  # the engine's score components, orders x candidates

    def relevance(self, cuts: np.ndarray) -> np.ndarray:
        return np.where(self.eligible, np.digitize(self.fit, cuts), 0).astype(float)


@dataclass
class Tally:
    """One ranker's per-order metrics and the hard constraints its top 10 break."""

    ndcg: list[np.ndarray]
    precision: list[np.ndarray]
    listed: list[np.ndarray]
    broken: Counter[str]  # constraint -> top-10 pairs failing it
    bad_pairs: int = 0  # top-10 pairs failing any


def rankers(
    pool: Pool, orders: list[Order], rng: np.random.Generator
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    evaluation = evaluate(pool, orders, TODAY)
    shape = evaluation.score.shape
    by_japanese = np.broadcast_to(pool.japanese_rank + rng.random(len(pool)) * 0.5, shape)
    by_chance = rng.random(shape)
    components = {name: np.asarray(getattr(evaluation, name)) for name in COMPONENT_NAMES}
    components |= pair_features(pool, orders, TODAY)  # training progress unknown here
    scores = {
        ENGINE: evaluation.score,
        BASELINES[0]: np.where(evaluation.eligible, by_japanese, -np.inf),
        BASELINES[1]: np.where(evaluation.eligible, by_chance, -np.inf),
        "Japanese level only": np.array(by_japanese),
        "random": by_chance,
    }
    if TAXONOMY_CODES:  # what the related-skill credit adds
        exact = evaluate(pool, orders, TODAY, surplus=Surplus(related_credit=0.0))
        scores[WITHOUT_RELATED] = exact.score
    return scores, components


def build_blocks(market: Market, rng: np.random.Generator) -> list[Block]:
    """Per sector (matching blocks by sector): truth, independent eligibility, rankers' scores."""
    blocks = []
    for s in range(len(SECTORS)):
        order_ids = np.flatnonzero(market.order_sector == s)
        members = np.flatnonzero(market.sector == s)
        if len(order_ids) == 0 or len(members) == 0:
            continue
        orders = [market.orders[o] for o in order_ids.tolist()]
        people = [market.candidates[i] for i in members.tolist()]
        eligible = np.array([[not hard_violations(c, order) for c in people] for order in orders])
        scores, components = rankers(Pool.build(people), orders, rng)
        visible, fit = true_fit(market, order_ids, members, rng)
        # A reference, not a contender: it reads the hidden true attributes.
        scores[REFERENCE] = np.where(eligible, visible, -np.inf)
        blocks.append(Block(order_ids, members, fit, eligible, scores, components))
    return blocks


def tally(market: Market, blocks: list[Block], cuts: np.ndarray) -> dict[str, Tally]:
    tallies: dict[str, Tally] = {}
    for block in blocks:
        relevance = block.relevance(cuts)
        for name, scores in block.scores.items():
            best, _ = top_k_per_order(scores, TOP)
            ranked = ranked_relevance(relevance, best)
            t = tallies.setdefault(name, Tally([], [], [], Counter()))
            t.ndcg.append(ndcg_at_k(ranked, relevance, TOP))
            t.precision.append(precision_at_k(ranked, TOP, GOOD))
            t.listed.append((best >= 0).sum(axis=1))
            for row, column in zip(*np.nonzero(best >= 0), strict=True):
                order = market.orders[int(block.order_ids[row])]
                person = market.candidates[int(block.members[best[row, column]])]
                kinds = hard_violations(person, order)
                t.broken.update(kinds)
                t.bad_pairs += bool(kinds)
    return tallies


def tie_statistics(blocks: list[Block], name: str = ENGINE) -> tuple[int, int, int]:
    """(orders listed, orders with two equal scores inside their top 10, orders whose 10th and
    11th scores are equal): how often the tie-break, not the score, decides a shortlist."""
    listed = inside = across = 0
    for block in blocks:
        _, values = top_k_per_order(block.scores[name], TOP + 1)
        for row in values:
            finite = row[np.isfinite(row)]
            if not len(finite):
                continue
            listed += 1
            top = finite[:TOP]
            inside += bool(len(np.unique(top)) < len(top))
            across += bool(len(finite) > TOP and finite[TOP - 1] == finite[TOP])
    return listed, inside, across


def decided_pairs(
    blocks: list[Block], cuts: np.ndarray, rng: np.random.Generator
) -> tuple[list[learning.LabelledPair], list[learning.LabelledPair]]:
    """Program managers decide the lists of every other order; what they decide on, and how
    their decisions are recorded, as before this change and now.

    Before: the engine's top 10, yes (relevance >= GOOD) or no, on the four components only.
    Now: the review window with exploration (9 of the top 10 and, at the 10th place, an
    eligible candidate from lower down), graded labels (relevance 0 rejected, 1 shortlisted,
    2 interviewed, 3 selected) and the pair features recorded beside the components.
    """
    before: list[learning.LabelledPair] = []
    now: list[learning.LabelledPair] = []
    for block in blocks:
        relevance = block.relevance(cuts)
        best, _ = top_k_per_order(block.scores[ENGINE], TOP)
        for row in range(0, len(block.order_ids), 2):
            top = best[row][best[row] >= 0].tolist()
            eligible = np.flatnonzero(np.isfinite(block.scores[ENGINE][row]))
            shown, explored = explore(top, eligible, EXPLORE_EVERY, TOP, rng)
            kept = TOP - len(slots_of(EXPLORE_EVERY, TOP))
            below = len(set(eligible.tolist()) - set(top[:kept]))
            explored_propensity = propensity_below(EXPLORE_EVERY, TOP, below)
            for listed, pairs, everything in ((top, before, False), (shown, now, True)):
                for column in listed:
                    is_explorer = everything and column in explored  # before: none explored
                    names = learning.FEATURES if everything else COMPONENT_NAMES
                    parts = {n: float(block.components[n][row, column]) for n in names}
                    score = float(block.scores[ENGINE][row, column])
                    grade = int(relevance[row, column])
                    label = learning.LabelledPair(
                        f"{block.order_ids[row]}:{column}",
                        parts,
                        score,
                        grade >= GOOD,
                        GRADE_OF_RELEVANCE[grade] if everything else None,
                        order=str(block.order_ids[row]),
                        propensity=explored_propensity if is_explorer else 1.0,
                        exploration=is_explorer,
                    )
                    pairs.append(label)
    return before, now


def learn_from_decisions(
    blocks: list[Block], cuts: np.ndarray, rng: np.random.Generator
) -> list[Block] | None:
    """Fits a model on the decisions as recorded before this change and one as recorded now;
    the orders nobody decided on are kept to compare rankings.

    Returns those held-out orders' blocks with the learned rankers added, or None without one.
    """
    before, now = decided_pairs(blocks, cuts, rng)
    models = {}
    plain, weighted = learning.LearningSettings(ips=False), learning.LearningSettings(ips=True)
    fits = ((LEARNED_BEFORE, before, plain), (LEARNED, now, plain), (LEARNED_IPW, now, weighted))
    for name, pairs, settings in fits:
        model = learning.fit(pairs, settings)
        if not isinstance(model, learning.RankingModel):
            print(f"\n{name}: {model.message}")
            return None
        m = model.metrics
        print(
            f"\n{name}: {model.n_pairs:,} decided pairs ({m.approved:,} approved); held-out "
            f"ROC AUC {m.roc_auc:.3f} (weighted score {m.weighted_roc_auc or float('nan'):.3f}), "
            f"Brier {m.brier:.3f}; IPS-weighted held-out nDCG@10 {m.ips_ndcg or float('nan'):.3f} "
            f"(weights {'clipped at ' + str(m.max_weight) if m.ips else 'all 1'}, "
            f"{m.explored:,} explored pairs); coefficients {model.coefficients}"
        )
        models[name] = model
    held_out = []
    for block in blocks:
        rows = np.arange(1, len(block.order_ids), 2)
        if not len(rows):
            continue
        scores = {name: block.scores[name][rows] for name in (ENGINE, *BASELINES)}
        shown = np.isfinite(scores[ENGINE])
        parts = {n: c[rows] for n, c in block.components.items()}
        for name, model in models.items():
            learned = model.probability(parts).reshape(shown.shape)
            scores[name] = np.where(shown, learned, -np.inf)
        held_out.append(
            Block(
                block.order_ids[rows],
                block.members,
                block.fit[rows],
                block.eligible[rows],
                scores,
                parts,
            )
        )
    return held_out


def print_table(tallies: dict[str, Tally], scored: np.ndarray) -> None:
    header = f"{'ranker':<40} {'nDCG@10':>8} {'P@10':>6} {'violations':>10} {'listed':>7}"
    print(f"\n{header}\n{'-' * len(header)}")
    for name, t in tallies.items():
        if name == REFERENCE:
            print("-" * len(header))
        ndcg = np.concatenate(t.ndcg)[scored].mean()
        precision = np.concatenate(t.precision)[scored].mean()
        listed = np.concatenate(t.listed)[scored].mean()
        print(f"{name:<40} {ndcg:>8.3f} {precision:>6.3f} {t.bad_pairs:>10,} {listed:>7.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--candidates", type=int, default=20_000)
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--taxonomy",
        action="store_true",
        help="skill codes from the shared taxonomy, whose families carry ability over",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    if args.taxonomy:
        use_taxonomy_codes()
    market = generate(args.candidates, args.orders, args.seed)
    blocks = build_blocks(market, np.random.default_rng(args.seed + 1))
    cuts = np.quantile(np.concatenate([b.fit[b.eligible] for b in blocks]), GRADE_QUANTILES)
    tallies = tally(market, blocks, cuts)

    grades = Counter(np.concatenate([b.relevance(cuts).ravel() for b in blocks]).astype(int))
    pairs = sum(grades.values())
    eligible = sum(int(b.eligible.sum()) for b in blocks)
    disagree = sum(int((np.isfinite(b.scores[ENGINE]) != b.eligible).sum()) for b in blocks)
    # Orders with no relevant candidate at all have no nDCG; every row averages the same orders.
    scored = ~np.isnan(np.concatenate(tallies[ENGINE].ndcg))
    print(
        f"market: {args.candidates:,} candidates, {args.orders:,} orders, seed {args.seed}; "
        f"{pairs:,} same-sector pairs, {eligible / pairs:.1%} meet every hard constraint "
        f"(the engine's eligibility differs from the independent check on {disagree:,})"
    )
    print(
        "relevance of all pairs: "
        + ", ".join(f"{g}: {grades.get(g, 0):,}" for g in range(4))
        + f"; {int(scored.sum())} of {len(scored)} orders have a relevant candidate (scored below)"
    )
    print_table(tallies, scored)
    print(
        f"\nP@10: share of the top 10 with relevance >= {GOOD} (the best "
        f"{1 - GRADE_QUANTILES[1]:.0%} of eligible pairs). violations: top-10 pairs failing a hard "
        "constraint, re-checked in plain Python. listed: candidates per order (of 10)."
    )
    for name, t in tallies.items():
        if t.broken:
            print(f"  {name}: " + ", ".join(f"{k} {v:,}" for k, v in sorted(t.broken.items())))
    listed, inside, across = tie_statistics(blocks)
    print(
        f"ties of the weighted score: {inside} of {listed} orders have equal scores inside their "
        f"top 10, {across} across the 10th/11th place (ordered by the tie-break, docs/matching.md)"
    )
    held_out = learn_from_decisions(blocks, cuts, np.random.default_rng(args.seed + 2))
    if held_out is not None:
        learned = tally(market, held_out, cuts)
        print("ranked lists of the orders nobody decided on (every other order):", end="")
        print_table(learned, ~np.isnan(np.concatenate(learned[ENGINE].ndcg)))
        if learned[LEARNED].bad_pairs:
            sys.exit(f"the learned ranking listed {learned[LEARNED].bad_pairs} bad pairs")
    print(f"time: {time.perf_counter() - started:.1f} s")
    if tallies[ENGINE].bad_pairs:
        sys.exit(f"matching listed {tallies[ENGINE].bad_pairs} pairs that break a hard constraint")


if __name__ == "__main__":
    main()
