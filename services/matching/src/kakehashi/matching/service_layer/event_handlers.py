"""How events from the other services update the matching read model.

Each handler runs inside the consumer's transaction, next to the inbox row that makes a
redelivered event a no-op. A per-aggregate version drops events that arrive out of order.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from kakehashi.matching.adapters.tables import CandidateView, JobOrderView
from kakehashi.shared.consumer import Handler
from kakehashi.shared.events import EventEnvelope
from kakehashi.shared.reference import JapaneseLevel, Sector, SkillCode, SkillLevel
from kakehashi.shared.unit_of_work import UnitOfWork

ReadModelRow = TypeVar("ReadModelRow", CandidateView, JobOrderView)


class _EventData(BaseModel):
    model_config = ConfigDict(extra="ignore")  # newer producers may add fields


class SkillData(_EventData):
    code: SkillCode
    level: SkillLevel


class CandidateData(_EventData):
    candidate_id: str
    version: int = Field(ge=1)
    training_centre_id: str
    full_name: str
    province: str
    sector: Sector
    japanese_level: JapaneseLevel
    skills: list[SkillData]


class RequiredSkillData(_EventData):
    code: SkillCode
    min_level: SkillLevel
    must_have: bool


class JobOrderData(_EventData):
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


def candidate_upserted(event: EventEnvelope, uow: UnitOfWork) -> None:
    data = CandidateData.model_validate(event.data)
    fields = data.model_dump(mode="json") | {"updated_at": datetime.now(UTC)}
    _upsert(uow, CandidateView, data.candidate_id, fields)


def job_order_upserted(event: EventEnvelope, uow: UnitOfWork) -> None:
    data = JobOrderData.model_validate(event.data)
    fields = data.model_dump(mode="json") | {"updated_at": datetime.now(UTC)}
    _upsert(uow, JobOrderView, data.job_order_id, fields)


def _upsert(uow: UnitOfWork, table: type[ReadModelRow], key: str, fields: dict[str, Any]) -> None:
    """Insert or update the row unless it already holds this version or a newer one."""
    current = uow.session.get(table, key)
    if current is None:
        uow.session.add(table(**fields))
    elif current.version < fields["version"]:
        current.sqlmodel_update(fields)
        uow.session.add(current)


HANDLERS: dict[str, Handler] = {
    "candidate.registered": candidate_upserted,
    "job_order.opened": job_order_upserted,
}
