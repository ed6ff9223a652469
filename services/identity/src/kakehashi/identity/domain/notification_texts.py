"""The words of notification mails in Vietnamese, Japanese and English: one line per notice, a
subject for a single notice, and the digest's frame. Like the invitation mail's TEXTS, they are
plain text; `{candidate}`, `{order}` (the order named as ORDER says), `{reason}`, `{count}` and `{name}` are filled in.

A mail names the candidate and the order, says what happened and links to the portal page:
nothing else about the person (no date of birth, no contact details, no notes).
"""

from __future__ import annotations

from dataclasses import dataclass

from kakehashi.identity.domain.notifications import NoticeItem, NoticeKind

LANGUAGES = ("vi", "ja", "en")

# What happened, one line each; the subject of a single-notice mail is the line itself.
LINES: dict[NoticeKind, dict[str, str]] = {
    NoticeKind.PROPOSED: {
        "vi": "{candidate} đã được giới thiệu cho {order}.",
        "ja": "{candidate} さんが{order}に推薦されました。",
        "en": "{candidate} was proposed for the order {order}.",
    },
    NoticeKind.INTERVIEWED: {
        "vi": "{candidate} đã phỏng vấn cho {order} và được tiếp tục xét chọn.",
        "ja": "{candidate} さんは{order}の面接を終え、選考に残っています。",
        "en": "{candidate} was interviewed for {order} and stays in the running.",
    },
    NoticeKind.SELECTED: {
        "vi": "{candidate} đã trúng tuyển {order}.",
        "ja": "{candidate} さんが{order}に採用内定しました。",
        "en": "{candidate} was selected for {order}.",
    },
    NoticeKind.REJECTED: {
        "vi": "{candidate} không được chọn cho {order}. Lý do: {reason}.",
        "ja": "{candidate} さんは{order}で不採用となりました。理由: {reason}。",
        "en": "{candidate} was not chosen for {order}. Reason: {reason}.",
    },
    NoticeKind.SHORTLIST_PROPOSED: {
        "vi": "Ứng viên {candidate} được giới thiệu cho {order} của bạn.",
        "ja": "{order}に候補者 {candidate} さんが推薦されました。",
        "en": "{candidate} is proposed for your order {order}.",
    },
    NoticeKind.PROPOSAL_WITHDRAWN: {
        "vi": "Việc giới thiệu {candidate} cho {order} đã được rút lại.",
        "ja": "{candidate} さんの{order}への推薦は取り消されました。",
        "en": "The proposal of {candidate} for {order} was withdrawn.",
    },
}

# How a line names the order: its title, and for a training centre's reader its employer too
# (a centre follows many employers' orders; the employer knows its own).
ORDER = {"vi": "đơn tuyển “{title}”", "ja": "求人「{title}」", "en": "“{title}”"}
ORDER_OF_EMPLOYER = {
    "vi": "đơn tuyển “{title}” của {employer}",
    "ja": "{employer}の求人「{title}」",
    "en": "“{title}” of {employer}",
}

# Matching's rejection codes (RejectionReason there), in the reader's words.
REASONS: dict[str, dict[str, str]] = {
    "japanese_level": {"vi": "trình độ tiếng Nhật", "ja": "日本語レベル", "en": "Japanese level"},
    "skills": {"vi": "kỹ năng", "ja": "技能", "en": "skills"},
    "availability": {"vi": "thời gian sẵn sàng", "ja": "就業可能時期", "en": "availability"},
    "employer_preference": {
        "vi": "lựa chọn của doanh nghiệp",
        "ja": "企業の判断",
        "en": "the employer's preference",
    },
    "candidate_declined": {
        "vi": "ứng viên từ chối",
        "ja": "候補者の辞退",
        "en": "the candidate declined",
    },
    "interview_failed": {"vi": "không đạt phỏng vấn", "ja": "面接不合格", "en": "interview failed"},
    "headcount_filled": {
        "vi": "đơn tuyển đã đủ người",
        "ja": "募集人数に到達",
        "en": "the order is filled",
    },
    "other": {"vi": "lý do khác", "ja": "その他", "en": "other"},
}
NO_REASON = {"vi": "không nêu", "ja": "記載なし", "en": "not given"}

GREETING = {"vi": "Xin chào {name},", "ja": "{name} 様", "en": "Hello {name},"}
SEE = {"vi": "Xem chi tiết: {link}", "ja": "詳細: {link}", "en": "Details: {link}"}
DIGEST_SUBJECT = {
    "vi": "Kakehashi: {count} cập nhật về ứng viên",
    "ja": "Kakehashi: 候補者に関するお知らせ {count} 件",
    "en": "Kakehashi: {count} updates on candidates",
}
DIGEST_INTRO = {
    "vi": "Những gì đã xảy ra kể từ thư trước:",
    "ja": "前回のお知らせ以降の動き:",
    "en": "What happened since the last mail:",
}
FOOTER = {
    "vi": "Bạn có thể chọn nhận thư từng sự việc, mỗi ngày một thư hoặc không nhận tại: {link}",
    "ja": "通知メールの受け取り方(都度・1日1回・受け取らない)は次で変更できます: {link}",
    "en": "Choose a mail per event, one a day or none at: {link}",
}


def _in(texts: dict[str, str], language: str) -> str:
    return texts.get(language, texts["en"])


def reason_label(code: str | None, language: str) -> str:
    """A rejection code in the reader's words; an unknown code is shown as it is."""
    if code is None:
        return _in(NO_REASON, language)
    return _in(REASONS[code], language) if code in REASONS else code


def line_of(item: NoticeItem, language: str) -> str:
    """What happened, in one sentence."""
    if item.employer:
        order = _in(ORDER_OF_EMPLOYER, language).format(
            title=item.order_title, employer=item.employer
        )
    else:
        order = _in(ORDER, language).format(title=item.order_title)
    return _in(LINES[item.kind], language).format(
        candidate=item.candidate,
        order=order,
        reason=reason_label(item.reason_code, language),
    )


@dataclass(frozen=True)
class MailText:
    subject: str
    body: str


def single(item: NoticeItem, language: str, name: str, settings_link: str) -> MailText:
    """The mail of one notice (delivery `each`)."""
    line = line_of(item, language)
    body = "\n\n".join(
        [
            _in(GREETING, language).format(name=name),
            line,
            _in(SEE, language).format(link=item.link),
            "--\n" + _in(FOOTER, language).format(link=settings_link),
        ]
    )
    return MailText(f"Kakehashi: {line}", body)


def digest(items: list[NoticeItem], language: str, name: str, settings_link: str) -> MailText:
    """The day's digest: every pending notice of one user, oldest first."""
    lines = [f"- {line_of(item, language)}\n  {item.link}" for item in items]
    body = "\n\n".join(
        [
            _in(GREETING, language).format(name=name),
            _in(DIGEST_INTRO, language),
            "\n".join(lines),
            "--\n" + _in(FOOTER, language).format(link=settings_link),
        ]
    )
    return MailText(_in(DIGEST_SUBJECT, language).format(count=len(items)), body)
