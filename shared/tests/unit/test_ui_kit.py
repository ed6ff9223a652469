"""The UI kit's rules without a server: where `next` may lead, the origin check, languages and
the layering of a service's catalog over the kit's."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from starlette.requests import Request

from kakehashi.shared.auth import Principal, Role
from kakehashi.shared.settings import ServiceSettings
from kakehashi.shared.ui import navigation
from kakehashi.shared.ui.browser_session import (
    CSRF_COOKIE,
    csrf_passes,
    origins_of,
    safe_next,
)
from kakehashi.shared.ui.i18n import choose_language, long_date, long_moment, translations
from kakehashi.shared.ui.pages import Pages

OURS = origins_of(["http://127.0.0.1:8003", "https://kakehashi.example/console", "/relative"])
DEFAULT = "http://127.0.0.1:8003/console/orders"
TOKEN = "t" * 43


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/console/orders?x=1", "/console/orders?x=1"),
        ("http://127.0.0.1:8003/console/orders/o-1", "http://127.0.0.1:8003/console/orders/o-1"),
        ("https://kakehashi.example/admin", "https://kakehashi.example/admin"),
        ("https://evil.example/", DEFAULT),
        ("//evil.example/x", DEFAULT),
        ("/\\evil.example", DEFAULT),
        ("http://127.0.0.1:8003@evil.example/", DEFAULT),
        ("https://kakehashi.example.evil.example/", DEFAULT),
        ("javascript:alert(1)", DEFAULT),
        ("/console\r\nSet-Cookie: x=1", DEFAULT),
        ("", DEFAULT),
        (None, DEFAULT),
    ],
)
def test_next_leads_only_to_our_pages(target: str | None, expected: str) -> None:
    assert safe_next(target, OURS, DEFAULT) == expected


def _request(headers: dict[str, str], cookie_token: str | None = TOKEN) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    if cookie_token is not None:
        raw.append((b"cookie", f"{CSRF_COOKIE}={cookie_token}".encode()))
    scope = {
        "type": "http",
        "method": "POST",
        "scheme": "http",
        "server": ("127.0.0.1", 8004),
        "path": "/session",
        "query_string": b"",
        "headers": [*raw, (b"host", b"127.0.0.1:8004")],
    }
    return Request(scope)


def test_csrf_needs_an_allowed_origin_and_the_cookie_s_token() -> None:
    assert csrf_passes(_request({"Origin": "http://127.0.0.1:8004"}), TOKEN, OURS)
    assert csrf_passes(_request({"Origin": "http://127.0.0.1:8003"}), TOKEN, OURS)
    assert csrf_passes(_request({"Referer": "http://127.0.0.1:8004/sign-in"}), TOKEN, OURS)
    assert not csrf_passes(_request({"Origin": "https://evil.example"}), TOKEN, OURS)
    assert not csrf_passes(_request({"Origin": "null"}), TOKEN, OURS)
    assert not csrf_passes(_request({}), TOKEN, OURS)
    assert not csrf_passes(_request({"Origin": "http://127.0.0.1:8004"}), "u" * 43, OURS)
    assert not csrf_passes(_request({"Origin": "http://127.0.0.1:8004"}), "", OURS)
    assert not csrf_passes(_request({"Origin": "http://127.0.0.1:8004"}, None), TOKEN, OURS)


def test_the_language_is_chosen_then_remembered_then_the_browser_s_then_vietnamese() -> None:
    assert choose_language("ja", "en", "vi") == "ja"
    assert choose_language(None, "en", "ja") == "en"
    assert choose_language(None, None, "ja-JP,ja;q=0.9,en;q=0.5") == "ja"
    assert choose_language(None, "xx", "de-DE") == "vi"
    # A portal may default to another language (the employer portal: Japanese); a choice or
    # the browser's language still wins.
    assert choose_language(None, None, "de-DE", default="ja") == "ja"
    assert choose_language(None, None, "vi-VN", default="ja") == "vi"


def test_a_service_catalog_is_layered_over_the_kit_s(tmp_path: Path) -> None:
    po = tmp_path / "ja" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid "Sign out"\nmsgstr "サインアウト"\n\nmsgid "Hello"\nmsgstr "こんにちは"\n')
    layered = translations(tmp_path, "ja")
    assert layered.gettext("Hello") == "こんにちは"
    assert layered.gettext("Sign out") == "サインアウト"  # the service's wins
    assert layered.gettext("Review console") == "審査コンソール"  # the kit's
    assert translations(None, "ja").gettext("Sign out") == "ログアウト"
    assert translations(tmp_path, "en").gettext("Hello") == "Hello"


@pytest.mark.parametrize(
    ("role", "keys"),
    [
        (Role.TRAINING_CENTRE, ["candidates", "account"]),
        (Role.EMPLOYER, ["employers", "console", "account"]),
        (Role.PROGRAM_MANAGER, ["console", "account"]),
        (Role.ADMIN, ["console", "admin", "account"]),
    ],
)
def test_the_header_leads_each_role_to_its_pages_and_its_mail_settings(
    role: Role, keys: list[str]
) -> None:
    settings = ServiceSettings(web_identity_url="https://id.example/")
    found = navigation.links(settings, Principal(subject="u", role=role, organisation_id="o"))
    assert [link.key for link in found] == keys
    assert found[-1].url == "https://id.example/account/notifications"
    assert navigation.links(settings, None) == []


@pytest.mark.parametrize(
    ("language", "label"), [("en", "Mail settings"), ("vi", "Cài đặt thư"), ("ja", "メール設定")]
)
def test_the_mail_settings_link_is_named_apart_from_the_portal_s_notifications(
    language: str, label: str
) -> None:
    # A centre's header shows both: its portal's "Notifications" (Thông báo) and this.
    settings = ServiceSettings()
    centre = Principal(subject="u", role=Role.TRAINING_CENTRE, organisation_id="o")
    account = navigation.links(settings, centre)[-1]
    assert account.key == "account"
    assert translations(None, language).gettext(account.label) == label


def test_the_header_marks_the_page_s_own_link_and_names_the_employer_s_two_lists_apart() -> None:
    settings = ServiceSettings(web_employers_url="https://emp.example", service_name="employers")
    employer = Principal(subject="u", role=Role.EMPLOYER, organisation_id="o")
    found = navigation.links(settings, employer)
    # The employer portal's orders and the console's shortlists: two pages, two names.
    labels = [link.label for link in found]
    assert len(set(labels)) == len(labels)
    assert "Job orders" not in labels
    assert navigation.current(found, "employers", "/portal/orders/abc") == "employers"
    assert navigation.current(found, "employers", "/portal/profile") is None
    assert navigation.current(found, "matching", "/console/orders") == "console"
    assert navigation.current(found, "matching", "/portal/orders") is None  # another service's
    assert navigation.current(found, "identity", "/account/notifications") == "account"


def test_the_signed_in_user_s_language_comes_after_a_choice_and_before_the_browser_s() -> None:
    assert choose_language(None, None, "en-US,en;q=0.9", "ja", user="ja") == "ja"
    assert choose_language(None, None, "en-US", "vi", user="vi") == "vi"
    assert choose_language(None, "en", "vi", "vi", user="ja") == "en"  # the switcher's cookie
    assert choose_language("vi", None, None, "ja", user="ja") == "vi"  # ?lang=
    assert choose_language(None, None, "en-US", "vi", user=None) == "en"
    assert choose_language(None, None, "fr-FR", "ja", user="de") == "ja"  # unsupported: skipped


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [
        ("vi", "30 thg 11, 2026", "30 thg 11, 2026 14:14 UTC"),
        ("ja", "2026/11/30", "2026/11/30 14:14 UTC"),
        ("en", "Nov 30, 2026", "Nov 30, 2026 14:14 UTC"),
    ],
)
def test_one_date_and_one_date_time_format_per_language(
    language: str, day: str, moment: str
) -> None:
    at = datetime(2026, 11, 30, 23, 14, tzinfo=timezone(timedelta(hours=9)))  # 14:14 UTC
    assert long_date(at.date(), language) == day
    assert long_moment(at, language) == moment
    assert long_moment(datetime(2026, 11, 30, 14, 14), language) == moment  # naive: UTC
    assert long_moment(at, language).startswith(long_date(at, language))  # the same date
    assert long_moment(None, language) == "—"
    # The kit's pages write them so: the `day` and `moment` filters.
    pages = Pages(Path(__file__).parent, None, "/static")
    env = pages.environments[language]
    rendered = env.from_string("{{ at | day }}|{{ at | moment }}").render(at=at)
    assert rendered == f"{day}|{moment}"
