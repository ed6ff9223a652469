"""What the review console's dashboard shows: open orders, how full they are, what needs care."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import col, select

from kakehashi.matching.adapters.tables import JobOrderView, MatchPair
from kakehashi.matching.domain.decisions import PairStatus
from kakehashi.matching.domain.reasons import Reason
from kakehashi.matching.domain.rules import MATCHABLE_ORDER_STATUSES
from kakehashi.shared.auth import Principal
from kakehashi.shared.unit_of_work import UnitOfWork

DEADLINE_SOON_DAYS = 14


@dataclass(frozen=True)
class OrderRow:
    order: JobOrderView
    selected: int
    in_review: int  # pairs shortlisted, proposed or interviewed
    warnings: list[Reason]

    @property
    def fill_rate(self) -> float:
        return min(1.0, self.selected / self.order.headcount) if self.order.headcount else 1.0

    days_left: int | None  # to the application deadline; None without one


@dataclass(frozen=True)
class FillRate:
    label: str
    headcount: int
    selected: int

    @property
    def rate(self) -> float:
        return min(1.0, self.selected / self.headcount) if self.headcount else 0.0


@dataclass(frozen=True)
class Dashboard:
    orders: list[OrderRow]
    by_sector: list[FillRate]
    by_prefecture: list[FillRate]


def dashboard(uow: UnitOfWork, principal: Principal, today: date) -> Dashboard:
    """Open orders the caller may see, soonest deadline first, with fill rates and warnings."""
    with uow:
        query = select(JobOrderView).where(col(JobOrderView.status).in_(MATCHABLE_ORDER_STATUSES))
        if not principal.sees_everything:
            query = query.where(JobOrderView.employer_id == principal.organisation_id)
        orders = list(uow.session.exec(query).all())
        counts = _pair_counts(uow, [o.job_order_id for o in orders])
    rows = []
    for order in orders:
        selected = counts.get((order.job_order_id, PairStatus.SELECTED.value), 0)
        in_review = sum(
            counts.get((order.job_order_id, s.value), 0)
            for s in (PairStatus.SHORTLISTED, PairStatus.PROPOSED, PairStatus.INTERVIEWED)
        )
        deadline = order.application_deadline
        days = None if deadline is None else (deadline - today).days
        warnings = _warnings(order, selected, in_review, days)
        rows.append(OrderRow(order, selected, in_review, warnings, days))
    rows.sort(key=lambda r: (r.order.application_deadline or date.max, r.order.title))
    return Dashboard(rows, _fill_rates(rows, "sector"), _fill_rates(rows, "prefecture"))


def _pair_counts(uow: UnitOfWork, order_ids: list[str]) -> dict[tuple[str, str], int]:
    result = uow.session.exec(
        select(MatchPair.job_order_id, MatchPair.status, func.count())
        .where(
            col(MatchPair.job_order_id).in_(order_ids),
            col(MatchPair.refusal_code).is_(None),  # refused decisions hold no place
        )
        .group_by(col(MatchPair.job_order_id), col(MatchPair.status))
    ).all()
    return {(order_id, status): int(n) for order_id, status, n in result}


def _warnings(
    order: JobOrderView, selected: int, in_review: int, days_left: int | None
) -> list[Reason]:
    warnings: list[Reason] = []
    open_slots = order.headcount - selected
    if days_left is not None and open_slots > 0:
        if days_left < 0:
            warnings.append(Reason("deadline passed with places unfilled"))
        elif days_left <= DEADLINE_SOON_DAYS:
            warnings.append(Reason("deadline soon with places unfilled"))
    if open_slots > 0 and in_review < open_slots:
        warnings.append(Reason("fewer candidates in review than open places"))
    return warnings


def _fill_rates(rows: list[OrderRow], attribute: str) -> list[FillRate]:
    headcount: dict[str, int] = defaultdict(int)
    selected: dict[str, int] = defaultdict(int)
    for row in rows:
        key = getattr(row.order, attribute)
        headcount[key] += row.order.headcount
        selected[key] += min(row.selected, row.order.headcount)
    return [FillRate(k, headcount[k], selected[k]) for k in sorted(headcount)]
