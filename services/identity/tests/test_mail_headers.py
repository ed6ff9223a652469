"""Mail subjects survive the trip: sent through SMTP to a real server (aiosmtpd), parsed back
with the default policy, the decoded Subject is the subject written, every space included."""

from __future__ import annotations

import pytest

from kakehashi.identity.adapters.mail import Mail, SmtpMailer
from kakehashi.identity.config import IdentitySettings
from kakehashi.identity.domain.notification_texts import single
from kakehashi.identity.domain.notifications import NoticeItem, NoticeKind
from services.identity.tests.samples import Mailbox

pytestmark = pytest.mark.integration

LINK = "http://kakehashi.example/portal/orders/o-1"
SETTINGS_LINK = "http://kakehashi.example/account/notifications"


def _notice(kind: NoticeKind, candidate: str, order: str, language: str) -> str:
    item = NoticeItem(kind, candidate, order, "japanese_level", LINK)
    return single(item, language, "Lan", SETTINGS_LINK).subject


SUBJECTS = {
    "vi": _notice(NoticeKind.SELECTED, "Nguyễn Văn An", "Thợ hàn - Aichi", "vi"),
    # Python 3.11's default policy folded this one moving the space between two encoded words
    # into the fold, where the reader drops it ("...tuyển đượcthiệu"-like words run together).
    "vi, interviewed": _notice(
        NoticeKind.INTERVIEWED, "Trần Thị Bích Ngọc", "Điều dưỡng viên tại Osaka", "vi"
    ),
    "ja": _notice(
        NoticeKind.SHORTLIST_PROPOSED,
        "グエン・ヴァン・アン (Nguyen Van An)",
        "溶接工 / Welder 愛知県豊田市",
        "ja",
    ),
    "long": _notice(
        NoticeKind.REJECTED,
        "Võ Thị Hồng Nhung",
        "Công nhân chế biến thực phẩm đông lạnh ca đêm tại nhà máy Gifu - hợp đồng ba năm",
        "vi",
    ),
    "en": _notice(NoticeKind.PROPOSED, "Nguyen Van An", "Welder (Toyota, Aichi)", "en"),
}


@pytest.mark.parametrize("subject", SUBJECTS.values(), ids=SUBJECTS.keys())
def test_the_decoded_subject_is_the_subject_written(mailbox: Mailbox, subject: str) -> None:
    mailer = SmtpMailer(IdentitySettings(smtp_port=mailbox.port))
    mailer.send(Mail("lan@tayninh.example.vn", subject, "Xin chào"))
    received = mailbox.messages[-1]
    assert received["Subject"] == subject
    # Each header line stays within RFC 5322's 78 characters.
    raw = received.as_bytes().split(b"\n\n")[0]
    assert max(len(line.rstrip(b"\r")) for line in raw.split(b"\n")) <= 78


def test_a_line_break_in_a_subject_cannot_add_a_header(mailbox: Mailbox) -> None:
    """A name or title holding a line break stays inside the Subject (`set_raw` checks nothing,
    so the mailer must)."""
    mailer = SmtpMailer(IdentitySettings(smtp_port=mailbox.port))
    mailer.send(Mail("lan@tayninh.example.vn", "Kakehashi: An\r\nBcc: x@evil.example", "."))
    received = mailbox.messages[-1]
    assert received["Bcc"] is None
    assert received["Subject"] == "Kakehashi: An  Bcc: x@evil.example"
