"""Notification mails: notices taken from matching's decisions, given to the users of the
organisation they concern, and mailed one by one (`each`) or in a daily digest (`daily`).

A delivery is claimed (`sent_at` set by a conditional UPDATE) in the transaction that mails it,
and committed after the mail server took the mail: a failed send rolls the claim back, to be
tried on the next round, and two senders (the consumer's loop and a cron `send-digests`) never
mail the same delivery, since only one of them can claim it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from kakehashi.identity.adapters.mail import Mail, Mailer
from kakehashi.identity.adapters.tables import (
    Membership,
    Notice,
    NoticeDelivery,
    NotificationSetting,
    NotifiedCandidate,
    NotifiedJobOrder,
    Organisation,
    User,
)
from kakehashi.identity.domain import notification_texts as texts
from kakehashi.identity.domain.commands import ChooseDelivery
from kakehashi.identity.domain.notifications import (
    AUDIENCE_ROLE,
    PROPOSAL_KIND,
    Audience,
    CandidateName,
    Delivery,
    NoticeItem,
    NoticeKind,
    OrganisationName,
    default_for_roles,
    delivery_of,
    digest_slot,
)
from kakehashi.identity.service_layer.metrics import NOTICES_DROPPED, NOTIFICATION_MAILS
from kakehashi.shared import clock
from kakehashi.shared.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

MAILED, DIGEST, DROPPED = "mailed", "digest", "dropped"
SETTINGS_PAGE = "/account/notifications"


@dataclass(frozen=True)
class Links:
    """Where a mail sends its reader: the portals' pages (the services' browser URLs)."""

    identity: str
    candidates: str
    employers: str

    @classmethod
    def of(cls, web_urls: dict[str, str]) -> Links:
        return cls(web_urls["identity"], web_urls["candidates"], web_urls["employers"])

    def for_notice(self, audience: Audience, candidate_id: str, job_order_id: str) -> str:
        """The centre reads its candidate's page; the employer its order's page."""
        if audience is Audience.TRAINING_CENTRE:
            return f"{self.candidates}/portal/candidates/{candidate_id}"
        return f"{self.employers}/portal/orders/{job_order_id}"

    @property
    def settings(self) -> str:
        return self.identity + SETTINGS_PAGE


# --- Taking notices (in the consumer's transaction) ------------------------------------------


def take_notice(session: Session, notice: Notice) -> None:
    """Keep a notice (once per event and audience) and give it to its users if it can be."""
    if session.get(Notice, (notice.event_id, notice.audience)) is not None:
        return
    session.add(notice)
    fan_out(session, notice)


def fan_out_waiting(
    session: Session, *, candidate_id: str | None = None, job_order_id: str | None = None
) -> None:
    """Give the notices that waited for this candidate or order to their users."""
    query = select(Notice).where(col(Notice.fanned_out).is_(False))
    if candidate_id is not None:
        query = query.where(Notice.candidate_id == candidate_id)
    if job_order_id is not None:
        query = query.where(Notice.job_order_id == job_order_id)
    for notice in session.exec(query).all():
        fan_out(session, notice)


def fan_out(session: Session, notice: Notice) -> None:
    """One delivery per active member of the concerned organisation, in the audience's role,
    who has not turned notifications off. Waits while the candidate or the order is unknown."""
    candidate = session.get(NotifiedCandidate, notice.candidate_id)
    order = session.get(NotifiedJobOrder, notice.job_order_id)
    if candidate is None or order is None:
        return
    notice.fanned_out = True
    session.add(notice)
    audience = Audience(notice.audience)
    organisation = (
        candidate.training_centre_id if audience is Audience.TRAINING_CENTRE else order.employer_id
    )
    if candidate.erased or organisation is None:
        return
    for user_id, chosen in recipients(session, organisation, audience):
        if delivery_of(chosen, audience) is Delivery.OFF:
            continue
        session.add(
            NoticeDelivery(
                event_id=notice.event_id,
                audience=notice.audience,
                user_id=user_id,
                created_at=clock.utcnow(),
            )
        )


def recipients(
    session: Session, organisation_id: str, audience: Audience
) -> list[tuple[str, str | None]]:
    """(user id, chosen delivery or None) of the organisation's active members in the role."""
    query = (
        select(User.id, NotificationSetting.delivery)
        .join(Membership, col(Membership.user_id) == col(User.id))
        .outerjoin(NotificationSetting, col(NotificationSetting.user_id) == col(User.id))
        .where(
            Membership.organisation_id == organisation_id,
            Membership.role == AUDIENCE_ROLE[audience].value,
            col(User.active).is_(True),
        )
        .order_by(col(User.id))
    )
    return [(user_id, chosen) for user_id, chosen in session.exec(query).all()]


def retract_proposal(session: Session, correction: Notice) -> None:
    """A pair's proposal was undone, or the candidate withdrawn: whoever was mailed the proposal
    gets the `correction` (kind PROPOSAL_WITHDRAWN); a proposal still waiting to be sent (a
    daily user's digest not yet out, a mail not yet sent) is dropped instead, and so nobody
    hears of either. Nothing happens when the audience was told of no standing proposal."""
    audience = Audience(correction.audience)
    told = session.exec(
        select(Notice)
        .where(
            Notice.candidate_id == correction.candidate_id,
            Notice.job_order_id == correction.job_order_id,
            Notice.audience == audience.value,
            col(Notice.kind).in_([PROPOSAL_KIND[audience].value, correction.kind]),
        )
        .order_by(col(Notice.occurred_at).desc())
    ).first()
    if told is None or told.kind == correction.kind or told.occurred_at > correction.occurred_at:
        return  # no proposal told, or already corrected, or a newer proposal stands
    if session.get(Notice, (correction.event_id, correction.audience)) is not None:
        return
    correction.fanned_out = True
    session.add(correction)
    if not told.fanned_out:
        told.fanned_out = True  # it waited for a snapshot: it is never given out now
        session.add(told)
        return
    deliveries = session.exec(
        select(NoticeDelivery).where(
            NoticeDelivery.event_id == told.event_id, NoticeDelivery.audience == told.audience
        )
    ).all()
    now = clock.utcnow()
    for delivery in deliveries:
        if delivery.outcome == DROPPED:
            continue
        dropped = session.execute(
            sa.update(NoticeDelivery)
            .where(col(NoticeDelivery.id) == delivery.id, col(NoticeDelivery.sent_at).is_(None))
            .values(sent_at=now, outcome=DROPPED)
        )
        if dropped.rowcount == 0:  # type: ignore[attr-defined]
            session.add(
                NoticeDelivery(
                    event_id=correction.event_id,
                    audience=correction.audience,
                    user_id=delivery.user_id,
                    created_at=now,
                )
            )


def drop_pending_about(session: Session, candidate_id: str) -> None:
    """An erased candidate is named in no mail from now on: their pending deliveries drop."""
    events = select(Notice.event_id).where(Notice.candidate_id == candidate_id)
    session.execute(
        sa.update(NoticeDelivery)
        .where(col(NoticeDelivery.event_id).in_(events), col(NoticeDelivery.sent_at).is_(None))
        .values(sent_at=clock.utcnow(), outcome=DROPPED)
    )


# --- Sending (the consumer's loop, and `send-digests`) ---------------------------------------


@dataclass(frozen=True)
class Pending:
    """A delivery not yet sent: to whom, how they want it now, and what it tells."""

    delivery_id: int
    created_at: datetime
    user: User
    delivery: Delivery  # OFF too for a deactivated user
    notice: Notice


def pending(session: Session) -> list[Pending]:
    """Every delivery not yet sent, oldest first, with the user's delivery as it stands now."""
    query = (
        select(NoticeDelivery, Notice, User, NotificationSetting.delivery)
        .join(
            Notice,
            sa.and_(
                col(Notice.event_id) == col(NoticeDelivery.event_id),
                col(Notice.audience) == col(NoticeDelivery.audience),
            ),
        )
        .join(User, col(User.id) == col(NoticeDelivery.user_id))
        .outerjoin(NotificationSetting, col(NotificationSetting.user_id) == col(User.id))
        .where(col(NoticeDelivery.sent_at).is_(None))
        .order_by(col(NoticeDelivery.id))
    )
    found = []
    for delivery, notice, user, chosen in session.exec(query).all():
        way = delivery_of(chosen, Audience(notice.audience)) if user.active else Delivery.OFF
        assert delivery.id is not None
        found.append(Pending(delivery.id, delivery.created_at, user, way, notice))
    return found


def _item(session: Session, one: Pending, links: Links) -> NoticeItem | None:
    """The notice as the user's mail tells it, or None when there is nobody left to name (the
    candidate was erased)."""
    notice, language = one.notice, one.user.preferred_language
    candidate = session.get(NotifiedCandidate, notice.candidate_id)
    order = session.get(NotifiedJobOrder, notice.job_order_id)
    if candidate is None or candidate.full_name is None or order is None:
        return None
    name = CandidateName(candidate.full_name, candidate.name_vi, candidate.name_katakana)
    audience = Audience(notice.audience)
    employer = session.get(Organisation, order.employer_id)
    return NoticeItem(
        kind=NoticeKind(notice.kind),
        candidate=name.for_reader(language),
        order_title=order.title,
        reason_code=notice.reason_code,
        link=links.for_notice(audience, notice.candidate_id, notice.job_order_id),
        employer=(
            OrganisationName(employer.name_latin, employer.name_vi, employer.name_ja).for_reader(
                language
            )
            if employer is not None and audience is Audience.TRAINING_CENTRE
            else None
        ),
    )


def _claim(session: Session, ids: Sequence[int], outcome: str, now: datetime) -> bool:
    """Mark these deliveries sent, all or none: False if another sender took one first."""
    claimed = session.execute(
        sa.update(NoticeDelivery)
        .where(col(NoticeDelivery.id).in_(ids), col(NoticeDelivery.sent_at).is_(None))
        .values(sent_at=now, outcome=outcome)
    )
    return claimed.rowcount == len(ids)  # type: ignore[attr-defined, no-any-return]


def _mark_dropped(session: Session, ids: Sequence[int]) -> None:
    session.execute(
        sa.update(NoticeDelivery).where(col(NoticeDelivery.id).in_(ids)).values(outcome=DROPPED)
    )


def send_each(uow: Callable[[], UnitOfWork], mailer: Mailer, links: Links) -> int:
    """Mail every pending `each` delivery on its own, and drop those nobody should get (the
    user turned notifications off or was deactivated, the candidate was erased).
    Returns the mails sent. A mail server's refusal raises, after committing what was sent."""
    with uow() as work:
        found = [p for p in pending(work.session) if p.delivery is not Delivery.DAILY]
    sent = 0
    for one in found:
        with uow() as work:
            if not _claim(work.session, [one.delivery_id], MAILED, clock.utcnow()):
                continue  # another sender took it
            item = _item(work.session, one, links) if one.delivery is Delivery.EACH else None
            if item is None:
                _mark_dropped(work.session, [one.delivery_id])
            else:
                user = one.user
                text = texts.single(
                    item, user.preferred_language, user.display_name, links.settings
                )
                mailer.send(Mail(user.email, text.subject, text.body))
                sent += 1
            work.commit()
        if item is None:
            NOTICES_DROPPED.inc()
        else:
            NOTIFICATION_MAILS.labels(kind="each").inc()
    return sent


def send_digests(
    uow: Callable[[], UnitOfWork],
    mailer: Mailer,
    links: Links,
    *,
    hour_utc: int,
    now: datetime | None = None,
    on_schedule: bool = True,
) -> int:
    """Mail each `daily` user one digest of all their pending notices, when one of them has
    waited since before the day's digest hour (`on_schedule=False`: now, whatever the hour).
    Returns the digests sent.

    No "last digest" is kept: a digest sent after the hour took every notice pending then, so a
    notice older than the hour means none was sent since."""
    moment = now or clock.utcnow()
    slot = digest_slot(moment, hour_utc)
    with uow() as work:
        found = [p for p in pending(work.session) if p.delivery is Delivery.DAILY]
    by_user: dict[str, list[Pending]] = defaultdict(list)
    for one in found:
        by_user[one.user.id].append(one)
    sent = 0
    for waiting in by_user.values():
        if on_schedule and min(one.created_at for one in waiting) >= slot:
            continue
        if _send_digest(uow, mailer, links, waiting, moment):
            sent += 1
    return sent


def _send_digest(
    uow: Callable[[], UnitOfWork],
    mailer: Mailer,
    links: Links,
    waiting: list[Pending],
    moment: datetime,
) -> bool:
    """One user's digest, claimed, mailed and committed together; False if nothing was mailed
    (another sender took it, or no notice was left to tell)."""
    user = waiting[0].user
    with uow() as work:
        if not _claim(work.session, [one.delivery_id for one in waiting], DIGEST, moment):
            return False
        told = [(one, _item(work.session, one, links)) for one in waiting]
        _mark_dropped(work.session, [one.delivery_id for one, item in told if item is None])
        items = [item for _one, item in told if item is not None]
        if items:
            text = texts.digest(items, user.preferred_language, user.display_name, links.settings)
            mailer.send(Mail(user.email, text.subject, text.body))
        work.commit()
    NOTICES_DROPPED.inc(len(told) - len(items))
    if items:
        NOTIFICATION_MAILS.labels(kind="digest").inc()
    return bool(items)


# --- A user's choice -------------------------------------------------------------------------


def delivery_for(uow: UnitOfWork, user_id: str) -> Delivery:
    """The user's delivery: their choice, else the default of the roles they hold."""
    return deliveries(uow, [user_id])[user_id]


def deliveries(uow: UnitOfWork, user_ids: Sequence[str]) -> dict[str, Delivery]:
    """Each user's delivery (their choice, else their roles' default), in two queries."""
    with uow:
        chosen = {
            s.user_id: Delivery(s.delivery)
            for s in uow.session.exec(
                select(NotificationSetting).where(col(NotificationSetting.user_id).in_(user_ids))
            ).all()
        }
        roles: dict[str, list[str]] = defaultdict(list)
        for user_id, role in uow.session.exec(
            select(Membership.user_id, Membership.role).where(col(Membership.user_id).in_(user_ids))
        ).all():
            roles[user_id].append(role)
    return {u: chosen.get(u) or default_for_roles(roles[u]) for u in user_ids}


def choose_delivery(uow: UnitOfWork, command: ChooseDelivery) -> None:
    """Keep the user's choice; it applies to what is still pending too."""
    with uow:
        setting = uow.session.get(NotificationSetting, command.user_id)
        if setting is None:
            setting = NotificationSetting(
                user_id=command.user_id, delivery=command.delivery.value, updated_at=clock.utcnow()
            )
        setting.delivery, setting.updated_at = command.delivery.value, clock.utcnow()
        uow.session.add(setting)
        uow.commit()
