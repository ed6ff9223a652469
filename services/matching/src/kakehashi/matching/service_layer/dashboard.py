"""What the review console's dashboard shows: open orders, how full they are, what needs care.

A reviewer narrows the orders (search, sector, prefecture, deadline, fill), sorts them and pages
through them; the fill-rate charts count the orders the filters keep. A warning is shown only
where it asks for action: what the order's terms warn of (employers' warning codes: pay below
the minimum wage, preferences that clash with fair selection, overtime above the standard limit),
and a deadline passed, or near, with places still open and too few candidates in review to fill
them (an order on track, or without a deadline, has no deadline warning).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from kakehashi.matching.adapters.tables import JobOrderView, MatchPair
from kakehashi.matching.domain.decisions import PairStatus
from kakehashi.matching.domain.reasons import N_, Reason
from kakehashi.matching.domain.rules import MATCHABLE_ORDER_STATUSES
from kakehashi.matching.domain.text import fold
from kakehashi.shared.auth import Principal
from kakehashi.shared.organisations import OrganisationNames, organisation_names
from kakehashi.shared.reference import order_number
from kakehashi.shared.unit_of_work import UnitOfWork

DEADLINE_SOON_DAYS = 14
PER_PAGE = 25
# What employers' warning codes say to a program manager (message ids of the console's catalogs).
TERMS_WARNINGS = {
    "below_minimum_wage": N_("pay below the prefecture's minimum wage"),
    "sex_preference": N_(
        "the employer states a preference on sex (against fair selection; not used in matching)"
    ),
    "age_preference": N_(
        "the employer states an age range (against fair selection; not used in matching)"
    ),
    "marital_status_preference": N_(
        "the employer states a preference on marital status "
        "(against fair selection; not used in matching)"
    ),
    "overtime_above_standard_limit": N_(
        "overtime above the standard limit of an article 36 agreement"
    ),
}


class Deadline(StrEnum):
    PASSED = "passed"
    SOON = "soon"  # within DEADLINE_SOON_DAYS
    LATER = "later"
    NONE = "none"  # the order sets no application deadline


class Fill(StrEnum):
    EMPTY = "empty"  # nobody selected yet
    PARTLY = "partly"
    FILLED = "filled"


class Sort(StrEnum):
    DEADLINE = "deadline"
    TITLE = "title"
    FILL = "fill"
    IN_REVIEW = "in_review"


@dataclass(frozen=True)
class OrderRow:
    order: JobOrderView
    selected: int
    in_review: int  # pairs shortlisted, proposed or interviewed
    warnings: list[Reason]
    days_left: int | None  # to the application deadline; None without one

    @property
    def fill_rate(self) -> float:
        return min(1.0, self.selected / self.order.headcount) if self.order.headcount else 1.0

    @property
    def deadline(self) -> Deadline:
        if self.days_left is None:
            return Deadline.NONE
        if self.days_left < 0:
            return Deadline.PASSED
        return Deadline.SOON if self.days_left <= DEADLINE_SOON_DAYS else Deadline.LATER

    @property
    def fill(self) -> Fill:
        if self.selected <= 0:
            return Fill.EMPTY
        return Fill.FILLED if self.selected >= self.order.headcount else Fill.PARTLY


@dataclass(frozen=True)
class OrderQuery:
    """How a reviewer narrows, sorts and pages the dashboard; None means no filter."""

    search: str | None = None  # in titles, references and employers, diacritics ignored
    sector: str | None = None
    prefecture: str | None = None
    deadline: Deadline | None = None
    fill: Fill | None = None
    sort: Sort = Sort.DEADLINE
    descending: bool = False
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def filtered(self) -> bool:
        return any(
            value is not None
            for value in (self.search, self.sector, self.prefecture, self.deadline, self.fill)
        )


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
    orders: list[OrderRow]  # the page asked for
    by_sector: list[FillRate]  # over every order the filters keep
    by_prefecture: list[FillRate]
    total: int  # orders the filters keep
    open_total: int  # open orders the caller may see, before the filters
    page: int
    pages: int
    sectors: list[str]  # what the filters can choose from
    prefectures: list[str]


def dashboard(
    uow: UnitOfWork, principal: Principal, today: date, query: OrderQuery | None = None
) -> Dashboard:
    """Open orders the caller may see that `query` keeps, sorted and paged, with fill rates and
    the warnings that ask for action."""
    query = query or OrderQuery()
    with uow:
        statement = select(JobOrderView).where(
            col(JobOrderView.status).in_(MATCHABLE_ORDER_STATUSES)
        )
        if not principal.sees_everything:
            statement = statement.where(JobOrderView.employer_id == principal.organisation_id)
        orders = list(uow.session.exec(statement).all())
        counts = _pair_counts(uow, [o.job_order_id for o in orders])
        employers = (
            organisation_names(uow.session, {o.employer_id for o in orders})
            if query.search is not None
            else {}
        )
    rows = [_row(order, counts, today) for order in orders]
    kept = [row for row in rows if _keeps(query, row, employers)]
    kept.sort(key=_SORT_KEYS[query.sort], reverse=query.descending)
    pages = max(1, math.ceil(len(kept) / query.per_page))
    page = min(query.page, pages)
    start = (page - 1) * query.per_page
    return Dashboard(
        orders=kept[start : start + query.per_page],
        by_sector=_fill_rates(kept, "sector"),
        by_prefecture=_fill_rates(kept, "prefecture"),
        total=len(kept),
        open_total=len(rows),
        page=page,
        pages=pages,
        sectors=sorted({o.sector for o in orders}),
        prefectures=sorted({o.prefecture for o in orders}),
    )


def _row(order: JobOrderView, counts: dict[tuple[str, str], int], today: date) -> OrderRow:
    selected = counts.get((order.job_order_id, PairStatus.SELECTED.value), 0)
    in_review = sum(
        counts.get((order.job_order_id, s.value), 0)
        for s in (PairStatus.SHORTLISTED, PairStatus.PROPOSED, PairStatus.INTERVIEWED)
    )
    deadline = order.application_deadline
    days = None if deadline is None else (deadline - today).days
    warnings = _terms_warnings(order) + _warnings(order, selected, in_review, days)
    return OrderRow(order, selected, in_review, warnings, days)


def order_warnings(uow: UnitOfWork, order: JobOrderView, today: date) -> list[Reason]:
    """Everything the dashboard warns of for one order (its page shows the same)."""
    with uow:
        counts = _pair_counts(uow, [order.job_order_id])
    return _row(order, counts, today).warnings


def _keeps(query: OrderQuery, row: OrderRow, employers: dict[str, OrganisationNames]) -> bool:
    order = row.order
    if query.search is not None:
        wanted = fold(query.search)
        haystack = fold(
            " ".join([order.title, order.job_order_id, order_number(order.job_order_id)])
            + f" {order.employer_id}"
            + _names_of(employers.get(order.employer_id))
        )
        if wanted not in haystack:
            return False
    return (
        (query.sector is None or order.sector == query.sector)
        and (query.prefecture is None or order.prefecture == query.prefecture)
        and (query.deadline is None or row.deadline is query.deadline)
        and (query.fill is None or row.fill is query.fill)
    )


def _names_of(names: OrganisationNames | None) -> str:
    """The employer's names in every script identity gave (株式会社..., Latin, Vietnamese), so a
    reviewer finds the order by whichever they type."""
    if names is None:
        return ""
    return "".join(f" {name}" for name in (names.name_latin, names.name_vi, names.name_ja) if name)


# Ties keep a stable, readable order: by title, then id.
_SORT_KEYS: dict[Sort, Callable[[OrderRow], Any]] = {
    Sort.DEADLINE: lambda r: (
        r.order.application_deadline or date.max,
        r.order.title,
        r.order.job_order_id,
    ),
    Sort.TITLE: lambda r: (fold(r.order.title), r.order.job_order_id),
    Sort.FILL: lambda r: (r.fill_rate, r.order.title, r.order.job_order_id),
    Sort.IN_REVIEW: lambda r: (r.in_review, r.order.title, r.order.job_order_id),
}


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


def _terms_warnings(order: JobOrderView) -> list[Reason]:
    """What the order's terms warn of, as employers told us (a code we do not know yet is shown
    as itself rather than dropped: a warning must not go unseen)."""
    return [
        Reason(TERMS_WARNINGS[code]) if code in TERMS_WARNINGS else Reason("{code}", code=code)
        for code in order.warnings or []
    ]


def _warnings(
    order: JobOrderView, selected: int, in_review: int, days_left: int | None
) -> list[Reason]:
    """Only what asks for action: a passed deadline with places open, or a near one with too
    few candidates in review to fill them. Far or absent deadlines warn of nothing."""
    open_slots = order.headcount - selected
    if days_left is None or open_slots <= 0:
        return []
    if days_left < 0:
        return [Reason("deadline passed with places unfilled")]
    if days_left <= DEADLINE_SOON_DAYS and in_review < open_slots:
        return [
            Reason("deadline soon with places unfilled"),
            Reason("fewer candidates in review than open places"),
        ]
    return []


def _fill_rates(rows: list[OrderRow], attribute: str) -> list[FillRate]:
    headcount: dict[str, int] = defaultdict(int)
    selected: dict[str, int] = defaultdict(int)
    for row in rows:
        key = getattr(row.order, attribute)
        headcount[key] += row.order.headcount
        selected[key] += min(row.selected, row.order.headcount)
    return [FillRate(k, headcount[k], selected[k]) for k in sorted(headcount)]
