"""An order's shortlist for the employer's interview, as XLSX or PDF: employer-safe fields only."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kakehashi.matching.adapters.shortlist_pdf import build_shortlist_pdf
from kakehashi.matching.adapters.shortlist_xlsx import (
    ERASED,
    Shortlist,
    ShortlistRow,
    build_shortlist_xlsx,
    skills_text,
)
from kakehashi.matching.adapters.tables import CandidateView
from kakehashi.matching.domain.decisions import PairStatus
from kakehashi.matching.domain.names import display_name
from kakehashi.matching.service_layer import decided_pairs
from kakehashi.shared.auth import Principal
from kakehashi.shared.reference import order_number
from kakehashi.shared.unit_of_work import UnitOfWork

# Who is on the interview sheet: the candidates proposed to the employer and still in the running.
ON_THE_SHEET = frozenset({PairStatus.PROPOSED, PairStatus.INTERVIEWED, PairStatus.SELECTED})
STATUS_ORDER = {PairStatus.SELECTED: 0, PairStatus.INTERVIEWED: 1, PairStatus.PROPOSED: 2}


def shortlist(uow: UnitOfWork, principal: Principal, job_order_id: str, today: date) -> Shortlist:
    """The rows of both exports; raises `PairNotFoundError` for an order the principal can't see."""
    order, pairs = decided_pairs.pairs_of_order(uow, principal, job_order_id, ON_THE_SHEET)
    ordered = sorted(pairs, key=lambda pair: STATUS_ORDER.get(PairStatus(pair[0].status), 9))
    return Shortlist(
        job_order_id=order.job_order_id,
        title=order.title,
        reference=order_number(order.job_order_id),
        headcount=order.headcount,
        selected=decided_pairs.selected_count(pairs),
        exported_on=today,
        rows=[_row(p.status, view, today) for p, view in ordered],
    )


def shortlist_xlsx(uow: UnitOfWork, principal: Principal, job_order_id: str, today: date) -> bytes:
    return build_shortlist_xlsx(shortlist(uow, principal, job_order_id, today))


def shortlist_pdf(
    uow: UnitOfWork, principal: Principal, job_order_id: str, today: date, fonts: list[Path]
) -> bytes:
    return build_shortlist_pdf(shortlist(uow, principal, job_order_id, today), fonts)


def age_on(born: date | None, today: date) -> int | None:
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _row(status: str, view: CandidateView | None, today: date) -> ShortlistRow:
    if view is None:  # erased since it was proposed: the row stays, the person's data does not
        return ShortlistRow(status, ERASED, None, "", "", "", None, None)
    return ShortlistRow(
        status=status,
        name=display_name(view, "ja"),  # both files are the Japanese employer's
        age=age_on(view.date_of_birth, today),
        province=view.province,
        japanese_level=view.japanese_level,
        skills=skills_text([(s["code"], s["level"]) for s in view.skills]),
        experience_years=view.experience_years,
        available_from=view.available_from,
    )
