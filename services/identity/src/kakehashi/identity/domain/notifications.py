"""Notifications by mail: which of matching's decisions tell whom, how each user wants them, and
how a candidate is named to the reader.

A decision on a pair (one candidate for one order) concerns two organisations: the candidate's
training centre, told when its candidate is proposed, interviewed, selected or rejected (with the
reason's code), and the order's employer, told when a candidate is proposed to it (its
shortlist grows). Identity knows both organisations' users and their languages, so it mails them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from kakehashi.shared.auth import Role


class Audience(StrEnum):
    """Whose users a notice is for: the candidate's training centre, or the order's employer."""

    TRAINING_CENTRE = "training_centre"
    EMPLOYER = "employer"


class NoticeKind(StrEnum):
    """What happened, as the audience reads it."""

    PROPOSED = "proposed"  # the centre's candidate was proposed to an employer
    INTERVIEWED = "interviewed"  # the employer interviewed them and kept them in the running
    SELECTED = "selected"
    REJECTED = "rejected"  # with the reason's code, never the program manager's note
    SHORTLIST_PROPOSED = "shortlist_proposed"  # the employer: a candidate proposed for its order
    PROPOSAL_WITHDRAWN = "proposal_withdrawn"  # either: a proposal told before was undone


class Delivery(StrEnum):
    """How a user wants their notifications: a mail per event, one digest a day, or none."""

    EACH = "each"
    DAILY = "daily"
    OFF = "off"


# The role whose members read an audience's notices (an organisation's admins are program staff).
AUDIENCE_ROLE: dict[Audience, Role] = {
    Audience.TRAINING_CENTRE: Role.TRAINING_CENTRE,
    Audience.EMPLOYER: Role.EMPLOYER,
}

# An employer acts on a proposal within days (interviews are booked on it): a mail at once. A
# centre follows dozens of candidates, and one mail a day about all of them is easier to read.
DEFAULT_DELIVERY: dict[Audience, Delivery] = {
    Audience.TRAINING_CENTRE: Delivery.DAILY,
    Audience.EMPLOYER: Delivery.EACH,
}

_CENTRE_KINDS = {
    "proposed": NoticeKind.PROPOSED,
    "interviewed": NoticeKind.INTERVIEWED,
    "selected": NoticeKind.SELECTED,
    "rejected": NoticeKind.REJECTED,
}
UNDO = "undo"

# The statuses a pair goes back to when its proposal is undone or the candidate withdrawn: those
# who were told of the proposal hear that it no longer stands.
RETRACTING = frozenset({"shortlisted", "undecided", "withdrawn"})
PROPOSAL_KIND: dict[Audience, NoticeKind] = {
    Audience.TRAINING_CENTRE: NoticeKind.PROPOSED,
    Audience.EMPLOYER: NoticeKind.SHORTLIST_PROPOSED,
}


def notices_for(status: str, action: str | None) -> list[tuple[Audience, NoticeKind]]:
    """The notices a pair's new `status` gives, by audience. An undo tells nobody (it restores a
    step already told), nor do the program office's own steps (shortlisted, withdrawn,
    undecided)."""
    if action == UNDO:
        return []
    found: list[tuple[Audience, NoticeKind]] = []
    if status in _CENTRE_KINDS:
        found.append((Audience.TRAINING_CENTRE, _CENTRE_KINDS[status]))
    if status == "proposed":
        found.append((Audience.EMPLOYER, NoticeKind.SHORTLIST_PROPOSED))
    return found


def delivery_of(chosen: str | None, audience: Audience) -> Delivery:
    """The user's choice, else the audience's default."""
    return Delivery(chosen) if chosen is not None else DEFAULT_DELIVERY[audience]


def default_for_roles(roles: Iterable[str]) -> Delivery:
    """The delivery a user has before choosing, by the roles they hold: a training centre's
    staff read a daily digest; anyone else a mail per event."""
    held = set(roles)
    audience = Audience.TRAINING_CENTRE if Role.TRAINING_CENTRE.value in held else Audience.EMPLOYER
    return DEFAULT_DELIVERY[audience]


@dataclass(frozen=True)
class CandidateName:
    """A candidate's name in the three spellings the candidates service sends."""

    full_name: str  # as in the passport, Latin letters
    name_vi: str | None = None
    name_katakana: str | None = None

    def for_reader(self, language: str) -> str:
        """Vietnamese readers read the Vietnamese name, Japanese readers katakana with the
        passport's Latin name beside it (it matches the visa papers), others the Latin name."""
        if language == "vi" and self.name_vi:
            return self.name_vi
        if language == "ja" and self.name_katakana:
            return f"{self.name_katakana} ({self.full_name})"
        return self.full_name


def digest_slot(now: datetime, hour_utc: int) -> datetime:
    """The latest digest time (`hour_utc`:00 UTC, daily) at or before `now`: a user's digest is
    due when none was sent since it."""
    slot = now.replace(hour=hour_utc, minute=0, second=0, microsecond=0)
    return slot if slot <= now else slot - timedelta(days=1)


@dataclass(frozen=True)
class NoticeItem:
    """One notice as a mail shows it: what, about whom, for which order, where to look."""

    kind: NoticeKind
    candidate: str  # already spelled for the reader
    order_title: str
    reason_code: str | None
    link: str
    employer: str | None = None  # the order's employer, in the reader's spelling (centres' mails)


@dataclass(frozen=True)
class OrganisationName:
    """An organisation's name in its spellings: Latin letters always, Vietnamese and Japanese
    when it has them."""

    latin: str
    vi: str | None = None
    ja: str | None = None

    def for_reader(self, language: str) -> str:
        if language == "vi" and self.vi:
            return self.vi
        if language == "ja" and self.ja:
            return self.ja
        return self.latin
