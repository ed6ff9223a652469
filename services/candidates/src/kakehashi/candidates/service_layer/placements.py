"""Where a centre's candidates stand in matching: the latest decision on each of their pairs
(one per job order), as the service recorded it from `match.status_changed`.

The pages read it; nothing here changes a candidate (the event handlers do). Orders are named
from the job-order directory at read time, so a decision that arrived before its order's
`job_order.opened` is named as soon as the order's title arrives.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from kakehashi.candidates.adapters.tables import (
    Candidate,
    CandidateConsent,
    CandidateMatch,
    CandidateTransition,
    JobOrderEntry,
)
from kakehashi.candidates.service_layer.consents import consents_of
from kakehashi.candidates.service_layer.handlers import details, read_visible, transitions_of
from kakehashi.candidates.service_layer.publication import CandidateDetails
from kakehashi.shared.auth import Principal
from kakehashi.shared.clock import today
from kakehashi.shared.organisations import DirectoryEntry
from kakehashi.shared.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class KnownOrder:
    """What the portal calls a job order: its title and its employer's organisation id (None
    while only a status event of the order has arrived)."""

    title: str | None
    employer_id: str | None


def known_orders(session: Session, ids: Collection[str]) -> dict[str, KnownOrder]:
    """The orders of `ids` the directory knows, by id (one query)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.exec(
        select(JobOrderEntry).where(col(JobOrderEntry.job_order_id).in_(wanted))
    ).all()
    return {row.job_order_id: KnownOrder(row.title, row.employer_id) for row in rows}


def organisation_kinds(session: Session, ids: Collection[str]) -> dict[str, str]:
    """The kind (training_centre, employer, program_office, operator) of those of `ids` the
    organisation directory knows: what the history says of a move whose role is not recorded."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    rows = session.exec(
        select(DirectoryEntry).where(col(DirectoryEntry.organisation_id).in_(wanted))
    ).all()
    return {row.organisation_id: row.kind for row in rows}


@dataclass(frozen=True)
class PersonNames:
    """The candidate's name in each script, for the name a reader of each language expects."""

    full_name: str
    name_vi: str | None = None
    name_katakana: str | None = None


@dataclass(frozen=True)
class Placement:
    """One order's latest decision on one candidate; `refusal` set when the candidate's
    pipeline could not follow it."""

    candidate_id: str
    candidate_name: str
    job_order_id: str
    status: str
    updated_at: datetime
    note: str | None
    refusal: str | None
    order: KnownOrder | None  # None until employers' event on the order arrives
    names: PersonNames  # for the name in the reader's language


def _placement(
    pair: CandidateMatch, names: PersonNames, orders: dict[str, KnownOrder]
) -> Placement:
    return Placement(
        candidate_id=pair.candidate_id,
        candidate_name=names.full_name,
        names=names,
        order=orders.get(pair.job_order_id),
        job_order_id=pair.job_order_id,
        status=pair.status,
        updated_at=pair.updated_at,
        note=pair.note,
        refusal=pair.refusal,
    )


def placements_in(session: Session, row: Candidate) -> list[Placement]:
    """The candidate's pairs, latest decision first."""
    pairs = session.exec(
        select(CandidateMatch)
        .where(col(CandidateMatch.candidate_id) == row.id)
        .order_by(col(CandidateMatch.updated_at).desc(), col(CandidateMatch.match_id))
    ).all()
    orders = known_orders(session, [pair.job_order_id for pair in pairs])
    names = PersonNames(row.full_name, row.name_vi, row.name_katakana)
    return [_placement(pair, names, orders) for pair in pairs]


@dataclass(frozen=True)
class CandidateFile:
    """Everything a candidate's page shows: the profile and eligibility, the pipeline history,
    the consents and where the candidate stands in matching."""

    candidate: CandidateDetails
    history: list[CandidateTransition]
    consents: list[CandidateConsent]
    placements: list[Placement]
    orders: dict[str, KnownOrder]  # the orders the history names (those of the placements)
    actor_kinds: dict[str, str]  # the kinds of the organisations the history names


def candidate_file(
    uow: UnitOfWork, principal: Principal, candidate_id: str
) -> CandidateFile | None:
    """A candidate's file, read in one transaction with one audit entry; None if the caller
    may not see the candidate (another centre's is simply not found)."""

    def read(session: Session, row: Candidate) -> CandidateFile:
        history = transitions_of(session, row.id)
        placements = placements_in(session, row)
        return CandidateFile(
            candidate=details(row, today()),
            history=history,
            consents=consents_of(session, row.id),
            placements=placements,
            orders={p.job_order_id: p.order for p in placements if p.order is not None},
            actor_kinds=organisation_kinds(session, [t.actor_organisation_id for t in history]),
        )

    return read_visible(uow, principal, candidate_id, read)


def recent_placements(uow: UnitOfWork, principal: Principal, *, limit: int) -> list[Placement]:
    """What happened lately to the candidates the caller may see in matching (proposed,
    interviewed, selected, rejected, refused), newest first: the centre's notifications."""
    query = (
        select(CandidateMatch, Candidate.full_name, Candidate.name_vi, Candidate.name_katakana)
        .join(Candidate, col(Candidate.id) == col(CandidateMatch.candidate_id))
        .order_by(col(CandidateMatch.updated_at).desc(), col(CandidateMatch.match_id))
        .limit(limit)
    )
    if not principal.sees_everything:
        query = query.where(col(Candidate.training_centre_id) == principal.organisation_id)
    with uow:
        found = uow.session.exec(query).all()
        orders = known_orders(uow.session, [pair.job_order_id for pair, *_ in found])
        return [_placement(pair, PersonNames(*names), orders) for pair, *names in found]
