"""The rules of notification mails, without a database: which decision tells whom, the default
delivery per audience, the candidate's name per reader, the digest's hour, and the texts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kakehashi.identity.domain import notification_texts as texts
from kakehashi.identity.domain.notifications import (
    AUDIENCE_ROLE,
    Audience,
    CandidateName,
    Delivery,
    NoticeItem,
    NoticeKind,
    default_for_roles,
    delivery_of,
    digest_slot,
    notices_for,
)
from kakehashi.shared.auth import Role

C, E = Audience.TRAINING_CENTRE, Audience.EMPLOYER
AN = CandidateName("Nguyen Van An", "Nguyễn Văn An", "グエン・ヴァン・アン")


@pytest.mark.parametrize(
    ("status", "action", "expected"),
    [
        ("proposed", "propose", [(C, NoticeKind.PROPOSED), (E, NoticeKind.SHORTLIST_PROPOSED)]),
        ("interviewed", "interview", [(C, NoticeKind.INTERVIEWED)]),
        ("selected", "select", [(C, NoticeKind.SELECTED)]),
        ("rejected", "interview", [(C, NoticeKind.REJECTED)]),  # an interview failed
        ("rejected", "reject", [(C, NoticeKind.REJECTED)]),
        ("shortlisted", "shortlist", []),  # the program office's own step
        ("withdrawn", "withdraw", []),
        ("undecided", "undo", []),
        ("proposed", "undo", []),  # an undo restores a step already told
        ("selected", None, [(C, NoticeKind.SELECTED)]),  # consumers must not need `action`
        ("promoted", "promote", []),  # a status added later tells nobody, and fails nothing
    ],
)
def test_which_decision_tells_whom(
    status: str, action: str | None, expected: list[tuple[Audience, NoticeKind]]
) -> None:
    assert notices_for(status, action) == expected


def test_employers_get_each_event_and_centres_a_daily_digest_unless_they_chose() -> None:
    assert delivery_of(None, E) is Delivery.EACH
    assert delivery_of(None, C) is Delivery.DAILY
    assert delivery_of("off", E) is Delivery.OFF
    assert delivery_of("each", C) is Delivery.EACH
    # The page shows a user who has not chosen the default of the roles they hold.
    assert default_for_roles(["training_centre"]) is Delivery.DAILY
    assert default_for_roles(["employer"]) is Delivery.EACH
    assert default_for_roles([]) is Delivery.EACH


def test_each_audience_is_read_by_its_organisations_members_in_one_role() -> None:
    """A centre's notices go to its members in the training-centre role, an employer's to its
    members in the employer role (who they are is the database's: test_notifications.py)."""
    assert AUDIENCE_ROLE == {C: Role.TRAINING_CENTRE, E: Role.EMPLOYER}


def test_the_candidate_is_named_as_the_reader_expects() -> None:
    assert AN.for_reader("vi") == "Nguyễn Văn An"
    assert AN.for_reader("ja") == "グエン・ヴァン・アン (Nguyen Van An)"
    assert AN.for_reader("en") == "Nguyen Van An"
    latin_only = CandidateName("Tran Thi Binh")
    assert [latin_only.for_reader(lang) for lang in ("vi", "ja", "en")] == ["Tran Thi Binh"] * 3


@pytest.mark.parametrize(
    ("now", "slot"),
    [
        (datetime(2026, 12, 1, 0, 59, tzinfo=UTC), datetime(2026, 11, 30, 1, tzinfo=UTC)),
        (datetime(2026, 12, 1, 1, 0, tzinfo=UTC), datetime(2026, 12, 1, 1, tzinfo=UTC)),
        (datetime(2026, 12, 1, 23, 30, tzinfo=UTC), datetime(2026, 12, 1, 1, tzinfo=UTC)),
    ],
)
def test_the_digest_hour_last_passed(now: datetime, slot: datetime) -> None:
    assert digest_slot(now, 1) == slot


def _item(kind: NoticeKind, reason: str | None = None, language: str = "en") -> NoticeItem:
    link = "https://kakehashi.example/portal/candidates/c-1"
    return NoticeItem(kind, AN.for_reader(language), "溶接工 / Welder", reason, link)


def test_a_single_mail_says_what_happened_links_and_offers_the_settings() -> None:
    text = texts.single(
        _item(NoticeKind.REJECTED, "japanese_level"), "en", "Mai", "https://id/settings"
    )
    assert text.subject == (
        "Kakehashi: Nguyen Van An was not chosen for “溶接工 / Welder”. Reason: Japanese level."
    )
    assert text.body.startswith("Hello Mai,\n\n")
    assert "Details: https://kakehashi.example/portal/candidates/c-1" in text.body
    assert "https://id/settings" in text.body


@pytest.mark.parametrize("language", texts.LANGUAGES)
def test_every_kind_and_reason_has_its_words_in_every_language(language: str) -> None:
    for kind in NoticeKind:
        assert texts.LINES[kind][language]
        line = texts.line_of(_item(kind, "skills", language), language)
        assert "溶接工 / Welder" in line
        assert AN.for_reader(language) in line
    for words in texts.REASONS.values():
        assert words[language]
    # A code matching adds later is shown as it is rather than failing the mail.
    assert texts.reason_label("new_code", language) == "new_code"
    assert texts.reason_label(None, language) == texts.NO_REASON[language]


def test_a_digest_lists_every_item_with_its_link_oldest_first() -> None:
    items = [
        _item(NoticeKind.PROPOSED, language="ja"),
        _item(NoticeKind.SELECTED, language="ja"),
    ]
    text = texts.digest(items, "ja", "佐藤", "https://id/settings")
    assert text.subject == "Kakehashi: 候補者に関するお知らせ 2 件"
    body = text.body
    assert body.startswith("佐藤 様")
    proposed = body.index("推薦されました")
    selected = body.index("採用内定しました")
    assert proposed < selected
    assert body.count("https://kakehashi.example/portal/candidates/c-1") == 2
