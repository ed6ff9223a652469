"""What a seed run did, and what a user reads at the end of it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from kakehashi.devtools.demo_organisations import (
    ADMIN_EMAIL,
    BY_ID,
    DEMO_PASSWORD,
    OPERATOR_ORG,
)
from kakehashi.devtools.seed_api import PROGRAM_MANAGER_ORG, Api, Signer
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
    profiles: int = 0  # employers' company profiles saved
    profiles_existing: int = 0
    training_centres: set[str] = field(default_factory=set)
    employers: set[str] = field(default_factory=set)
    job_order_ids: list[str] = field(default_factory=list)
    fewest_eligible: int | None = None

    @property
    def already_seeded(self) -> bool:
        return not (
            self.candidates or self.job_orders or self.moves or self.decisions or self.profiles
        )


@dataclass
class PeopleReport:
    """The organisations and users the run registered at identity, and those already there."""

    organisations: int = 0
    organisations_existing: int = 0
    users: int = 0
    users_existing: int = 0

    @property
    def already_seeded(self) -> bool:
        return not (self.organisations or self.users)


def pipeline_counts(urls: dict[str, str], sign: Signer) -> Counter[str]:
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
    with Api(urls, sign) as api:
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


def seed_summary(
    report: SeedReport,
    pipeline: Counter[str],
    people: PeopleReport | None = None,
    identity_url: str = "http://127.0.0.1:8004",
) -> str:
    """What a user reads at the end: what was done, the market, and per role the organisation,
    the demo user's email and password (when identity has them), and a token command."""
    lines = []
    if people is not None:
        if people.already_seeded:
            lines.append(
                f"already seeded: {people.organisations_existing} organisations and "
                f"{people.users_existing} users were at identity"
            )
        else:
            lines.append(
                f"identity: {people.organisations} organisations registered "
                f"({people.organisations_existing} already there), {people.users} users given "
                f"the demo password ({people.users_existing} already there)"
            )
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
    lines += [head, f"pipeline: {stages}"]
    if report.profiles:
        lines.append(
            f"employers: {report.profiles} company profiles saved "
            f"({report.profiles_existing} already there)"
        )
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
    if people is None:
        lines.append("Sign in as (paste the command; the console's sign-in takes the token too):")
        for role, label in SIGN_IN:
            organisation = organisations[role]
            lines.append(
                f"  {label:<16} {organisation:<26} uv run kakehashi token --role {role.value} --org {organisation}"
            )
        return "\n".join(lines)
    organisations[Role.ADMIN] = OPERATOR_ORG
    lines.append(
        f"Sign in at identity ({identity_url}/sign-in) with an email and the password "
        f"{DEMO_PASSWORD} (development only), or use the token command:"
    )
    for role, label in SIGN_IN:
        organisation = organisations[role]
        known = BY_ID.get(organisation)
        name = f"{organisation} ({known.name_vi} / {known.name_ja})" if known else organisation
        email = known.email if known else ADMIN_EMAIL
        lines += [
            f"  {label}: {name}",
            f"    email {email}   password {DEMO_PASSWORD}",
            f"    token uv run kakehashi token --role {role.value} --org {organisation}",
        ]
    return "\n".join(lines)
