"""How events from the other services update the matching read model.

Each handler runs inside the consumer's transaction, next to the inbox row that makes a
redelivered event a no-op. A per-aggregate version drops events that arrive out of order, and a
tombstone keeps an erased candidate erased whatever arrives later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col, select

from kakehashi.matching.adapters.tables import (
    CandidateView,
    ChangeSequence,
    ErasedCandidate,
    JobOrderView,
)
from kakehashi.matching.domain.rules import UNPUBLISHED
from kakehashi.matching.service_layer import decisions
from kakehashi.shared.applier import Handler
from kakehashi.shared.clock import utcnow
from kakehashi.shared.events import EventEnvelope
from kakehashi.shared.organisations import IDENTITY_HANDLERS
from kakehashi.shared.reference import JapaneseLevel, Sector, SkillCode, SkillLevel, Track
from kakehashi.shared.unit_of_work import UnitOfWork
from kakehashi.shared.versioned import apply_versioned, upsert_versioned

# The event types consumed, as candidates and employers publish them.
CANDIDATE_REGISTERED = "candidate.registered"
CANDIDATE_UPDATED = "candidate.updated"
CANDIDATE_STATUS_CHANGED = "candidate.status_changed"
CANDIDATE_UNPUBLISHED = "candidate.unpublished"
CANDIDATE_ERASED = "candidate.erased"
CANDIDATE_MATCH_REFUSED = "candidate.match_refused"
JOB_ORDER_OPENED = "job_order.opened"
JOB_ORDER_UPDATED = "job_order.updated"
JOB_ORDER_CLOSED = "job_order.closed"
JOB_ORDER_CANCELLED = "job_order.cancelled"
JOB_ORDER_FILLED = "job_order.filled"

WITHDRAWN = "withdrawn"

ReadModelRow = TypeVar("ReadModelRow", CandidateView, JobOrderView)


class _EventData(BaseModel):
    model_config = ConfigDict(extra="ignore")  # newer producers may add fields


class SkillData(_EventData):
    code: SkillCode
    level: SkillLevel
    # The skills tests the candidate passed for this skill, by code (absent from older producers).
    tests_passed: list[Annotated[str, Field(min_length=1, max_length=64)]] = []


class CandidateData(_EventData):
    """CANDIDATE_REGISTERED / CANDIDATE_UPDATED: everything matching keeps of a candidate."""

    candidate_id: str
    version: int = Field(ge=1)
    training_centre_id: str
    full_name: str
    name_vi: str | None = Field(default=None, max_length=200)  # absent from older producers
    name_katakana: str | None = Field(default=None, max_length=200)
    province: str
    sector: Sector
    japanese_level: JapaneseLevel
    skills: list[SkillData]
    status: str = "registered"
    training_status: str | None = None  # absent from producers before revision 0006
    date_of_birth: date | None = None
    available_from: date | None = None
    desired_tracks: list[Track] = []
    desired_sectors: list[Sector] = []
    desired_prefectures: list[str] = []
    eligible_tracks: list[Track] | None = None  # absent: not known yet
    # Per track, the windows of days the candidate is eligible on (absent from older producers).
    eligible_windows: dict[Track, list[tuple[date | None, date | None]]] | None = None
    experience_years: float | None = Field(default=None, ge=0)
    province_code: str | None = None


class RequiredSkillData(_EventData):
    code: SkillCode
    min_level: SkillLevel
    must_have: bool


class JobOrderData(_EventData):
    """JOB_ORDER_OPENED / JOB_ORDER_UPDATED: everything matching keeps of an order."""

    job_order_id: str
    version: int = Field(ge=1)
    employer_id: str
    title: str
    sector: Sector
    prefecture: str
    headcount: int = Field(ge=1)
    min_japanese_level: JapaneseLevel
    required_skills: list[RequiredSkillData]
    status: str
    track: Track | None = None
    job_category: str | None = None
    experience_years_min: float | None = Field(default=None, ge=0)
    expected_departure_date: date | None = None
    application_deadline: date | None = None
    monthly_base_pay_yen: int | None = Field(default=None, ge=0)
    # Codes of what the order warns of (absent from older producers: no warnings). Codes only:
    # the values of the preferences behind them never reach matching.
    warnings: list[Annotated[str, Field(min_length=1, max_length=64)]] = []


class StatusData(_EventData):
    """CANDIDATE_STATUS_CHANGED and JOB_ORDER_CLOSED / CANCELLED / FILLED."""

    version: int = Field(ge=1)
    status: str


class CandidateStatusData(StatusData):
    """CANDIDATE_STATUS_CHANGED: the pipeline status and, since revision 0006, the training stage."""

    training_status: str | None = None


class MatchRefusedData(_EventData):
    """CANDIDATE_MATCH_REFUSED: the candidate's pipeline did not follow a decision of ours."""

    match_id: str = Field(min_length=1, max_length=80)
    match_version: int = Field(ge=1)
    reason_code: str = Field(min_length=1, max_length=32)
    message: str = Field(max_length=500)


def candidate_upserted(event: EventEnvelope, uow: UnitOfWork) -> None:
    data = CandidateData.model_validate(event.data)
    candidate_id = data.candidate_id
    batch = _batch_of(uow)
    if batch is not None and candidate_id in batch.rows:
        if candidate_id in batch.erased:
            return
        row = apply_versioned(
            uow.session, CandidateView, batch.rows[candidate_id], _row_fields(data)
        )
        if row is not None:
            batch.rows[candidate_id] = row
    else:
        if uow.session.get(ErasedCandidate, candidate_id) is not None:
            return
        row = _upsert(uow, CandidateView, candidate_id, _row_fields(data))
    if row is not None:
        _stamp(uow, row)


def job_order_upserted(event: EventEnvelope, uow: UnitOfWork) -> None:
    data = JobOrderData.model_validate(event.data)
    _upsert(uow, JobOrderView, data.job_order_id, _row_fields(data))


def candidate_status_changed(event: EventEnvelope, uow: UnitOfWork) -> None:
    candidate_id = str(event.data["candidate_id"])
    data = CandidateStatusData.model_validate(event.data)
    extra = {"training_status": data.training_status} if data.training_status else {}
    if (row := _set_status(uow, CandidateView, candidate_id, data, extra)) is not None:
        _stamp(uow, row)  # a status can make the candidate matchable or not
        if data.status == WITHDRAWN:
            decisions.withdraw_live_pairs(uow, candidate_id, "candidate withdrawn", erase=False)


def job_order_status_changed(event: EventEnvelope, uow: UnitOfWork) -> None:
    _set_status(
        uow, JobOrderView, event.data["job_order_id"], StatusData.model_validate(event.data)
    )


def candidate_unpublished(event: EventEnvelope, uow: UnitOfWork) -> None:
    """The candidate withdrew consent to share: out of every list until published again."""
    candidate_id = event.data["candidate_id"]
    data = StatusData.model_validate(event.data | {"status": UNPUBLISHED})
    if (row := _set_status(uow, CandidateView, candidate_id, data)) is not None:
        _stamp(uow, row)


def candidate_erased(event: EventEnvelope, uow: UnitOfWork) -> None:
    """Drop every copy of the candidate and remember that they are gone."""
    candidate_id = str(event.data["candidate_id"])
    row = uow.session.get(CandidateView, candidate_id)
    if row is not None:
        uow.session.delete(row)
    decisions.withdraw_live_pairs(uow, candidate_id, "candidate data erased", erase=True)
    if uow.session.get(ErasedCandidate, candidate_id) is None:
        uow.session.add(
            ErasedCandidate(
                candidate_id=candidate_id, change_seq=_next_change(uow), erased_at=utcnow()
            )
        )
    if (batch := _batch_of(uow)) is not None and candidate_id in batch.rows:
        batch.rows[candidate_id] = None
        batch.erased.add(candidate_id)


@dataclass
class _Batch:
    """What a batch's transaction knows of the candidates its snapshot events name, read by
    `prefetch` in two queries: each one's row (None: none yet) and which are erased. Kept up
    to date by the handlers that add a row or erase one."""

    rows: dict[str, CandidateView | None]
    erased: set[str]


_BATCH = "kakehashi.matching.batch"
_SNAPSHOTS = frozenset({CANDIDATE_REGISTERED, CANDIDATE_UPDATED})


def prefetch(events: Sequence[EventEnvelope], uow: UnitOfWork) -> None:
    """Before a batch (`EventApplier.apply_together`): the rows and tombstones of the candidates
    its snapshot events name. Read one event at a time, with the flush each read forced, they
    were most of the consumer's CPU under load (py-spy)."""
    ids = sorted({str(e.data.get("candidate_id")) for e in events if e.type in _SNAPSHOTS})
    if not ids:
        return
    session = uow.session
    rows = session.exec(select(CandidateView).where(col(CandidateView.candidate_id).in_(ids)))
    found: dict[str, CandidateView | None] = {row.candidate_id: row for row in rows}
    erased = session.exec(
        select(ErasedCandidate.candidate_id).where(col(ErasedCandidate.candidate_id).in_(ids))
    )
    _keep(uow, _BATCH, _Batch({i: found.get(i) for i in ids}, set(erased)))


def _batch_of(uow: UnitOfWork) -> _Batch | None:
    """The prefetched batch of this transaction, if there is one."""
    batch = _kept(uow, _BATCH)
    assert batch is None or isinstance(batch, _Batch)
    return batch


def _keep(uow: UnitOfWork, key: str, value: object) -> None:
    """Keep `value` for the rest of the unit of work's current transaction (`_kept`)."""
    uow.session.info[key] = (uow.session.get_transaction(), value)


def _kept(uow: UnitOfWork, key: str) -> object | None:
    """What `_keep` kept under `key` in this transaction; None in any later one."""
    held = uow.session.info.get(key)
    return held[1] if held is not None and held[0] is uow.session.get_transaction() else None


def match_refused(event: EventEnvelope, uow: UnitOfWork) -> None:
    """The candidate's owner refused a decision: mark the pair (the saga's compensation)."""
    decisions.mark_refused(uow, MatchRefusedData.model_validate(event.data))


def _row_fields(data: BaseModel) -> dict[str, Any]:
    # Python mode keeps dates as dates; the string enums store (and serialise) as their values.
    # Dates inside JSON columns are stored as ISO text.
    fields = data.model_dump() | {"updated_at": utcnow()}
    if isinstance(data, CandidateData):
        fields |= data.model_dump(mode="json", include={"eligible_windows"})
    return fields


def _upsert(
    uow: UnitOfWork, table: type[ReadModelRow], key: str, fields: dict[str, Any]
) -> ReadModelRow | None:
    """Insert or update the row unless it already holds this version or a newer one; the row
    written, or None."""
    return upsert_versioned(uow.session, table, key, fields)


_LOCKED_SEQUENCE = "kakehashi.matching.locked_change_sequence"


def _next_change(uow: UnitOfWork) -> int:
    """The next number of the candidate change sequence, taken under a row lock held to the
    end of the transaction, so numbers commit in order. The row is read and locked once per
    transaction: a batch of events (`EventApplier.apply_together`) numbers its changes under
    one lock instead of reading the row again for each."""
    counter = _kept(uow, _LOCKED_SEQUENCE)
    if counter is None:
        counter = uow.session.get(ChangeSequence, "candidates", with_for_update=True)
        if counter is None:
            raise LookupError(
                "change_sequence row 'candidates' is missing: migrations not applied?"
            )
        _keep(uow, _LOCKED_SEQUENCE, counter)
    assert isinstance(counter, ChangeSequence)
    counter.value += 1
    uow.session.add(counter)
    return counter.value


def _stamp(uow: UnitOfWork, row: CandidateView) -> None:
    row.change_seq = _next_change(uow)
    uow.session.add(row)


def _set_status(
    uow: UnitOfWork,
    table: type[ReadModelRow],
    key: str,
    data: StatusData,
    extra: dict[str, Any] | None = None,
) -> ReadModelRow | None:
    """A status event for a row we hold, newer than it (the row written); one for an unknown
    row waits for it (None)."""
    # A row whose snapshot has not arrived (or was erased) is not created: the snapshot events
    # carry the status too, so the read model converges when it does arrive.
    fields = {"status": data.status, "version": data.version, "updated_at": utcnow()}
    fields |= extra or {}
    return upsert_versioned(uow.session, table, key, fields, insert=False)


HANDLERS: dict[str, Handler] = {
    CANDIDATE_REGISTERED: candidate_upserted,
    CANDIDATE_UPDATED: candidate_upserted,
    CANDIDATE_STATUS_CHANGED: candidate_status_changed,
    CANDIDATE_UNPUBLISHED: candidate_unpublished,
    CANDIDATE_ERASED: candidate_erased,
    CANDIDATE_MATCH_REFUSED: match_refused,
    JOB_ORDER_OPENED: job_order_upserted,
    JOB_ORDER_UPDATED: job_order_upserted,
    JOB_ORDER_CLOSED: job_order_status_changed,
    JOB_ORDER_CANCELLED: job_order_status_changed,
    JOB_ORDER_FILLED: job_order_status_changed,
    # identity's organisations, for their names (kakehashi.shared.organisations)
    **IDENTITY_HANDLERS,
}
