"""The organisation directory on a real database: identity's snapshots kept by version, read past
user events, and the name a reader of each language is shown."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from kakehashi.shared.applier import EventApplier
from kakehashi.shared.db import SessionFactory
from kakehashi.shared.events import EventEnvelope
from kakehashi.shared.organisations import (
    IDENTITY_HANDLERS,
    DirectoryEntry,
    OrganisationNames,
    display_name,
    organisation_names,
    organisations_of_kind,
)
from kakehashi.shared.unit_of_work import UnitOfWork

GROUP = "directory-test"
TAY_NINH = {
    "organisation_id": "tc-tay-ninh-01",
    "kind": "training_centre",
    "name_latin": "Tay Ninh Training Centre",
    "name_vi": "Trung tâm đào tạo Tây Ninh",
    "name_ja": "タイニン研修センター",
    "province": "Tây Ninh",
    "prefecture": None,
}


def organisation_event(type: str = "organisation.registered", **data: Any) -> EventEnvelope:
    payload = TAY_NINH | {"version": 1} | data
    return EventEnvelope.new(
        type=type, source="kakehashi.identity", subject=payload["organisation_id"], data=payload
    )


@pytest.fixture
def applier(sessions: SessionFactory) -> EventApplier:
    return EventApplier(GROUP, IDENTITY_HANDLERS, lambda: UnitOfWork(sessions))


def names(sessions: SessionFactory, *ids: str) -> dict[str, OrganisationNames]:
    with sessions() as session:
        return organisation_names(session, ids)


def test_a_registered_organisation_is_named_in_each_reader_s_language(
    applier: EventApplier, sessions: SessionFactory
) -> None:
    assert applier.apply(organisation_event())
    known = names(sessions, "tc-tay-ninh-01", "tc-unknown")
    assert list(known) == ["tc-tay-ninh-01"]
    assert display_name("tc-tay-ninh-01", known, "vi") == "Trung tâm đào tạo Tây Ninh"
    assert display_name("tc-tay-ninh-01", known, "ja") == "タイニン研修センター"
    assert display_name("tc-tay-ninh-01", known, "en") == "Tay Ninh Training Centre"
    # Not (yet) in the directory: the id, which is still exact.
    assert display_name("tc-unknown", known, "vi") == "tc-unknown"
    with sessions() as session:
        row = session.get(DirectoryEntry, "tc-tay-ninh-01")
    assert row is not None
    assert (row.kind, row.province, row.prefecture, row.version) == (
        "training_centre",
        "Tây Ninh",
        None,
        1,
    )


def test_a_name_missing_in_the_reader_s_language_falls_back_to_the_latin_one() -> None:
    only_latin = OrganisationNames("Tanaka Kogyo")
    assert only_latin.in_language("vi") == "Tanaka Kogyo"
    assert only_latin.in_language("ja") == "Tanaka Kogyo"
    empty_vi = OrganisationNames("Tanaka Kogyo", name_vi="", name_ja="田中工業")
    assert empty_vi.in_language("vi") == "Tanaka Kogyo"
    assert empty_vi.in_language("ja") == "田中工業"
    assert empty_vi.in_language("en") == "Tanaka Kogyo"


def test_an_update_renames_and_a_late_or_repeated_snapshot_changes_nothing(
    applier: EventApplier, sessions: SessionFactory
) -> None:
    renamed = organisation_event(
        "organisation.updated", version=2, name_vi="Trung tâm Tây Ninh mới"
    )
    assert applier.apply(renamed)
    # registered (v1) arrives after updated (v2): the old name does not come back.
    assert applier.apply(organisation_event())
    assert applier.apply(organisation_event("organisation.updated", version=2, name_vi="again"))
    assert not applier.apply(renamed)  # the same event again: the inbox skips it
    assert names(sessions, "tc-tay-ninh-01")["tc-tay-ninh-01"].in_language("vi") == (
        "Trung tâm Tây Ninh mới"
    )
    assert applier.apply(organisation_event("organisation.updated", version=3, name_vi=None))
    assert names(sessions, "tc-tay-ninh-01")["tc-tay-ninh-01"].in_language("vi") == (
        "Tay Ninh Training Centre"
    )


def test_user_events_are_read_past_and_not_counted_as_unknown(
    applier: EventApplier, sessions: SessionFactory
) -> None:
    user = EventEnvelope.new(
        type="user.registered",
        source="kakehashi.identity",
        subject="u-1",
        data={"user_id": "u-1", "version": 1, "display_name": "Lan"},
    )
    assert applier.apply(user)
    assert not applier.skipped_unknown
    assert names(sessions, "u-1") == {}


def test_a_snapshot_without_a_latin_name_is_refused(applier: EventApplier) -> None:
    with pytest.raises(ValidationError, match="name_latin"):
        applier.apply(organisation_event(name_latin=""))


def test_no_ids_ask_nothing(sessions: SessionFactory) -> None:
    assert names(sessions) == {}
    assert names(sessions, "") == {}


def test_organisations_of_a_kind_for_choosing_one_by_name(
    applier: EventApplier, sessions: SessionFactory
) -> None:
    applier.apply(organisation_event(organisation_id="tc-nghe-an-01", name_vi="TT Nghệ An"))
    applier.apply(organisation_event())
    applier.apply(
        organisation_event(
            organisation_id="emp-aichi", kind="employer", name_latin="Tanaka", province=None
        )
    )
    with sessions() as session:
        centres = organisations_of_kind(session, "training_centre")
        employers = organisations_of_kind(session, "employer")
    assert list(centres) == ["tc-nghe-an-01", "tc-tay-ninh-01"]
    assert centres["tc-nghe-an-01"].in_language("vi") == "TT Nghệ An"
    assert list(employers) == ["emp-aichi"]
