"""What a seed run did, and what a user reads at the end of it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from kakehashi.devtools.seed_api import PROGRAM_MANAGER_ORG, Api
from kakehashi.shared.auth import Role


@dataclass
class SeedReport:
    """What the run created, and what it found already there."""

    candidates: int = 0
    candidates_existing: int = 0
    job_orders: int = 0
    job_orders_existing: int = 0
    moves: int = 0
    decisions: int = 0
    training_centres: set[str] = field(default_factory=set)
    employers: set[str] = field(default_factory=set)
    job_order_ids: list[str] = field(default_factory=list)
    fewest_eligible: int | None = None

    @property
    def already_seeded(self) -> bool:
        return not (self.candidates or self.job_orders or self.moves or self.decisions)


def pipeline_counts(urls: dict[str, str], secret: str) -> Counter[str]:
    """How many candidates stand at each pipeline status, across every centre."""
    statuses = (
        "registered",
        "in_training",
        "ready",
        "shortlisted",
        "interviewed",
        "selected",
        "contracted",
        "visa_processing",
        "departed",
        "working",
    )
    with Api(urls, secret) as api:
        return Counter(
            {
                s: api.as_manager(
                    "candidates", "GET", "/candidates", params={"status": s, "limit": 1}
                ).json()["total"]
                for s in statuses
            }
        )


# One organisation per role that the demo market has data for, to mint a token with.
SIGN_IN = (
    (Role.TRAINING_CENTRE, "training centre"),
    (Role.EMPLOYER, "employer"),
    (Role.PROGRAM_MANAGER, "program manager"),
    (Role.ADMIN, "admin"),
)


def seed_summary(report: SeedReport, pipeline: Counter[str]) -> str:
    """What a user reads at the end: what was done, the market, and a token command per role."""
    if report.already_seeded:
        head = (
            f"already seeded: all {report.candidates_existing} candidates and "
            f"{report.job_orders_existing} job orders were there; nothing to add"
        )
    else:
        head = (
            f"seeded: {report.candidates} candidates registered ({report.candidates_existing} "
            f"already there) from {len(report.training_centres)} training centres, "
            f"{report.job_orders} job orders posted ({report.job_orders_existing} already there) "
            f"by {len(report.employers)} employers, {report.moves} pipeline moves, "
            f"{report.decisions} review decisions"
        )
    stages = ", ".join(f"{status} {n}" for status, n in pipeline.items() if n)
    lines = [head, f"pipeline: {stages}"]
    if report.fewest_eligible is not None:
        lines.append(
            f"every open job order has eligible candidates (the fewest: {report.fewest_eligible})"
        )
    organisations = {
        Role.TRAINING_CENTRE: min(report.training_centres, default="tc-tay-ninh-01"),
        Role.EMPLOYER: min(report.employers, default="emp-aichi-01"),
        Role.PROGRAM_MANAGER: PROGRAM_MANAGER_ORG,
        Role.ADMIN: "admin-office",
    }
    lines.append("Sign in as (paste the command; the console's sign-in takes the token too):")
    for role, label in SIGN_IN:
        organisation = organisations[role]
        lines.append(
            f"  {label:<16} {organisation:<26} uv run kakehashi token --role {role.value} --org {organisation}"
        )
    return "\n".join(lines)
