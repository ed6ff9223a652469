"""Load a generated demo market into a running system, through its public APIs only.

Repeatable: a person already registered (409) or an order already posted is kept, a move or a
decision already made is not made again, so a second run tops up what is missing and reports
"already seeded" when nothing was. Candidates are moved along the pipeline by the candidates
API; shortlisted, interviewed and selected come from program managers' decisions in matching
(and an employer's interview result), as in real use; a selected candidate's later steps
(contracted, visa processing, departed, working) are the candidates API's again.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol, TextIO, TypeVar

from kakehashi.devtools.demo_data import DemoMarket, Review, generate_market, review_plan
from kakehashi.devtools.demo_organisations import employer_profile
from kakehashi.devtools.seed_api import Api, SeedError, Signer, wait_for
from kakehashi.devtools.seed_report import SeedReport
from kakehashi.shared.auth import Role

__all__ = ["SeedError", "SeedReport", "plain_progress", "seed", "terminal_progress"]
T = TypeVar("T")

# The steps of matching's review that lead to each pair status: (who, action), in order.
STEPS: dict[str, tuple[tuple[str, str], ...]] = {
    "shortlisted": (("manager", "shortlist"),),
    "proposed": (("manager", "propose"),),
    "interviewed": (("manager", "propose"), ("employer", "pass")),
    "selected": (("manager", "propose"), ("employer", "pass"), ("manager", "select")),
}
RESULT = {
    "shortlist": "shortlisted",
    "propose": "proposed",
    "pass": "interviewed",
    "select": "selected",
}
AFTER_SELECTION = ("contracted", "visa_processing", "departed", "working")


class Progress(Protocol):
    """Wraps an iterable to show how far a step is (typer.progressbar in the CLI)."""

    def __call__(self, items: list[T], label: str) -> Iterator[T]: ...


def no_progress(items: list[T], label: str) -> Iterator[T]:
    return iter(items)


def plain_progress(
    stream: TextIO, every_s: float = 5.0, clock: Callable[[], float] = time.monotonic
) -> Progress:
    """Progress as plain lines for a pipe or a CI log, where a progress bar prints nothing: a
    line when a step starts, one about every `every_s` seconds with the count, one at its end."""

    def progress(items: list[T], label: str) -> Iterator[T]:
        name, total = label.strip(), len(items)
        print(f"{name}: 0/{total}", file=stream, flush=True)
        last = clock()
        for done, item in enumerate(items, start=1):
            yield item
            if done < total and clock() - last >= every_s:
                print(f"{name}: {done}/{total} ({done / total:.0%})", file=stream, flush=True)
                last = clock()
        print(f"{name}: {total}/{total} done", file=stream, flush=True)

    return progress


def terminal_progress(bar: Progress, stream: TextIO | None = None) -> Progress:
    """`bar` where the output is a terminal; plain periodic lines where it is not."""
    out = sys.stdout if stream is None else stream
    return bar if out.isatty() else plain_progress(out)


@dataclass
class _Candidate:
    id: str
    centre: str
    status: str
    eligible: bool
    as_generated: bool


def _candidates(
    api: Api, market: DemoMarket, report: SeedReport, progress: Progress
) -> list[_Candidate | None]:
    """Register each candidate, or find the one registered before; None for another centre's."""
    found: list[_Candidate | None] = []
    for centre, body in progress(market.candidates, "candidates "):
        response = api.call(
            "candidates",
            "POST",
            "/candidates",
            Role.TRAINING_CENTRE,
            centre,
            body=body,
            accept=(409,),
        )
        report.training_centres.add(centre)
        if response.status_code == 409:
            report.candidates_existing += 1
            existing = response.json().get("existing_id")
            if existing is None:  # the same person at another centre: not ours to move
                found.append(None)
                continue
            response = api.call(
                "candidates", "GET", f"/candidates/{existing}", Role.TRAINING_CENTRE, centre
            )
        else:
            report.candidates += 1
        record = response.json()
        eligible = any(track["eligible"] for track in record["eligibility"])
        # A person registered on another day, or by another version of the demo, may not be
        # the profile made for an order today: the seed reviews only its own profiles.
        same = all(record[k] == body.get(k) for k in ("sector", "available_from"))
        found.append(_Candidate(record["id"], centre, record["status"], eligible, same))
    return found


def _order_key(order: dict[str, Any]) -> tuple[Any, ...]:
    # Dates move with the day the seed runs; what the order asks for does not.
    skills = sorted((s["code"], s["min_level"], s["must_have"]) for s in order["required_skills"])
    return (
        order["title"],
        order["track"],
        order["sector"],
        order["prefecture"],
        order["headcount"],
        order["min_japanese_level"],
        order["experience_years_min"],
        tuple(skills),
    )


def _employer_profiles(api: Api, market: DemoMarket, report: SeedReport) -> None:
    """Each posting employer's company profile, as its portal's profile page saves it (`PUT
    /employers/me`), unless it has one (a profile someone edited is kept)."""
    for employer in sorted({employer for employer, _ in market.job_orders}):
        found = api.call(
            "employers", "GET", "/employers/me", Role.EMPLOYER, employer, accept=(404,)
        )
        if found.status_code == 200:
            report.profiles_existing += 1
            continue
        body = employer_profile(employer)
        api.call("employers", "PUT", "/employers/me", Role.EMPLOYER, employer, body=body)
        report.profiles += 1


def _job_orders(api: Api, market: DemoMarket, report: SeedReport, progress: Progress) -> list[str]:
    """Post each job order unless its employer already has one like it; the orders' ids."""
    existing: dict[str, list[dict[str, Any]]] = {}
    ids: list[str] = []
    for employer, body in progress(market.job_orders, "job orders "):
        report.employers.add(employer)
        if employer not in existing:
            page = api.call(
                "employers", "GET", "/job-orders", Role.EMPLOYER, employer, params={"limit": 500}
            )
            existing[employer] = page.json()["items"]
        same = [o for o in existing[employer] if _order_key(o) == _order_key(body)]
        if same:
            existing[employer].remove(same[0])
            ids.append(same[0]["id"])
            report.job_orders_existing += 1
            continue
        created = api.call("employers", "POST", "/job-orders", Role.EMPLOYER, employer, body=body)
        ids.append(created.json()["id"])
        report.job_orders += 1
    return ids


def _move(api: Api, candidate: _Candidate, to: str, report: SeedReport) -> None:
    response = api.call(
        "candidates",
        "POST",
        f"/candidates/{candidate.id}/transitions",
        Role.TRAINING_CENTRE,
        candidate.centre,
        body={"to": to},
    )
    candidate.status = response.json()["status"]
    report.moves += 1


def _stages(
    api: Api,
    market: DemoMarket,
    found: list[_Candidate | None],
    report: SeedReport,
    progress: Progress,
) -> None:
    """Take each registered candidate to its stage; `ready` needs a track, else in training."""
    for candidate, stage in progress(list(zip(found, market.stages, strict=True)), "pipeline   "):
        if candidate is None or candidate.status != "registered" or stage == "registered":
            continue
        _move(
            api,
            candidate,
            "ready" if stage == "ready" and candidate.eligible else "in_training",
            report,
        )


def _pair_status(api: Api, order_id: str, candidate_id: str) -> str | None:
    """Where the pair stands after its last decision; None if undecided (or the order unknown)."""
    response = api.as_manager(
        "matching",
        "GET",
        f"/job-orders/{order_id}/decisions",
        params={"candidate_id": candidate_id},
        accept=(404,),
    )
    history = response.json() if response.is_success else []
    return str(history[-1]["to_status"]) if history else None


def _known_to_matching(api: Api, order_id: str, candidate_ids: Iterable[str]) -> bool | None:
    response = api.as_manager(
        "matching", "GET", f"/job-orders/{order_id}/matches", params={"limit": 500}, accept=(404,)
    )
    if response.status_code == 404:
        return None
    body = response.json()
    listed = {m["candidate_id"] for m in body["matches"]} | {
        m["candidate_id"] for m in body["needs_data"]
    }
    return True if set(candidate_ids) <= listed else None


def _review(
    api: Api,
    review: Review,
    order_id: str,
    employer: str,
    candidate: _Candidate,
    report: SeedReport,
) -> None:
    """Play the decisions that take the pair to `review.pair_status`, from where it stands."""
    steps = STEPS[review.pair_status]
    reached = [RESULT[action] for _who, action in steps]
    now = _pair_status(api, order_id, candidate.id)
    if now is not None and now not in reached:
        return  # someone decided otherwise by hand: leave it
    todo = steps[reached.index(now) + 1 :] if now is not None else steps
    if todo:
        wait_for(
            f"matching to list candidate {candidate.id} for order {order_id}",
            lambda: _known_to_matching(api, order_id, [candidate.id]),
            60,
        )
    for who, action in todo:
        path = f"/job-orders/{order_id}/candidates/{candidate.id}"
        if who == "employer":
            api.call(
                "matching",
                "POST",
                f"{path}/interview",
                Role.EMPLOYER,
                employer,
                body={"result": action},
            )
        else:
            api.as_manager("matching", "POST", f"{path}/decisions", body={"action": action})
        report.decisions += 1


def _after_selection(api: Api, candidate: _Candidate, then: str, report: SeedReport) -> None:
    """Contract, visa and departure: people's business, recorded on the candidates API."""

    def status() -> str | None:
        record = api.as_manager("candidates", "GET", f"/candidates/{candidate.id}").json()
        return str(record["status"]) if record["status"] in ("selected", *AFTER_SELECTION) else None

    candidate.status = wait_for(f"candidate {candidate.id} to be selected", status, 60)
    position = -1 if candidate.status == "selected" else AFTER_SELECTION.index(candidate.status)
    for to in AFTER_SELECTION[position + 1 : AFTER_SELECTION.index(then) + 1]:
        _move(api, candidate, to, report)


def _eligible(api: Api, order_id: str) -> int | None:
    """Eligible candidates for an open order as matching ranks them (None until it knows it)."""
    response = api.as_manager(
        "matching", "GET", f"/job-orders/{order_id}/matches", params={"limit": 1}, accept=(404,)
    )
    if response.status_code == 404:
        return None
    body = response.json()
    return body["candidates_eligible"] if body["status"] in ("open", "interviewing") else -1


def _fewest_eligible(
    api: Api, market: DemoMarket, found: list[_Candidate | None], order_ids: list[str]
) -> int | None:
    """The fewest eligible candidates of any open order, once matching has heard of every
    order and of the candidates made for it (a selected one is no longer matched)."""
    selected = {r.candidate for r in review_plan(market) if r.pair_status == "selected"}
    counts = []
    for index, order_id in enumerate(order_ids):
        fits = [found[i] for i in market.fits.get(index, []) if i not in selected]
        ids = [c.id for c in fits if c is not None and c.as_generated]
        wait_for(
            f"matching to hear of order {order_id} and its candidates",
            partial(_known_to_matching, api, order_id, ids),
            60,
        )
        count = _eligible(api, order_id)
        if count is not None and count >= 0:
            counts.append(count)
    return min(counts) if counts else None


def seed(
    urls: dict[str, str],
    sign: Signer,
    *,
    candidates: int,
    job_orders: int,
    seed: int,
    progress: Progress = no_progress,
) -> SeedReport:
    """Create (or top up) a deterministic demo market; SeedError on an unexpected answer."""
    market = generate_market(candidates, job_orders, seed=seed)
    report = SeedReport()
    with Api(urls, sign) as api:
        _employer_profiles(api, market, report)
        found = _candidates(api, market, report, progress)
        report.job_order_ids = order_ids = _job_orders(api, market, report, progress)
        _stages(api, market, found, report, progress)
        for review in progress(review_plan(market), "decisions  "):
            candidate = found[review.candidate]
            if candidate is None or not candidate.as_generated:
                continue
            employer = market.job_orders[review.job_order][0]
            _review(api, review, order_ids[review.job_order], employer, candidate, report)
            if review.then is not None:
                _after_selection(api, candidate, review.then, report)
        report.fewest_eligible = _fewest_eligible(api, market, found, order_ids)
    return report
