"""Outgoing mail through SMTP (settings: host, port, security, credentials), and its texts."""

from __future__ import annotations

import re
import smtplib
import ssl
from dataclasses import dataclass
from email.header import Header
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Literal, Protocol

from kakehashi.identity.config import IdentitySettings

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
Kind = Literal["invitation", "password_reset"]

# Subject and body per language; `{link}`, `{hours}` and `{name}` are filled in.
TEXTS: dict[Kind, dict[str, tuple[str, str]]] = {
    "invitation": {
        "vi": (
            "Lời mời tham gia Kakehashi",
            "Xin chào {name},\n\nBạn được mời dùng Kakehashi. Hãy đặt mật khẩu tại:\n{link}\n\n"
            "Liên kết có hiệu lực {hours} giờ và chỉ dùng được một lần.",
        ),
        "ja": (
            "Kakehashi へのご招待",
            "{name} 様\n\nKakehashi に招待されました。次のリンクからパスワードを設定してください:\n"
            "{link}\n\nこのリンクは {hours} 時間有効で、一度だけ使えます。",
        ),
        "en": (
            "Your invitation to Kakehashi",
            "Hello {name},\n\nYou are invited to Kakehashi. Choose your password here:\n{link}\n\n"
            "The link works once, for {hours} hours.",
        ),
    },
    "password_reset": {
        "vi": (
            "Đặt lại mật khẩu Kakehashi",
            "Xin chào {name},\n\nĐặt mật khẩu mới tại:\n{link}\n\nLiên kết có hiệu lực {hours} "
            "giờ và chỉ dùng được một lần. Nếu bạn không yêu cầu, hãy bỏ qua thư này.",
        ),
        "ja": (
            "Kakehashi パスワードの再設定",
            "{name} 様\n\n次のリンクから新しいパスワードを設定してください:\n{link}\n\n"
            "このリンクは {hours} 時間有効で、一度だけ使えます。お心当たりがなければ無視してください。",
        ),
        "en": (
            "Reset your Kakehashi password",
            "Hello {name},\n\nChoose a new password here:\n{link}\n\nThe link works once, for "
            "{hours} hours. If you did not ask for this, ignore this mail.",
        ),
    },
}


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def compose(kind: Kind, language: str, to: str, name: str, link: str, hours: float) -> Mail:
    subject, body = TEXTS[kind].get(language, TEXTS[kind]["en"])
    hours_text = f"{hours:g}"
    return Mail(to, subject, body.format(name=name, link=link, hours=hours_text))


def encoded_subject(subject: str) -> str:
    """The Subject as folded RFC 2047 encoded words, each carrying its own spaces.

    The standard library's folding (policy default/SMTP, Python 3.11) may move the space
    between two words out of an encoded word into the fold, where readers drop it: a
    Vietnamese subject came out as "trúng tuyểnđơn". `Header` keeps every space inside an
    encoded word; set with `set_raw`, the policy leaves its lines (each under 78) as they are.
    `set_raw` checks nothing, so line breaks (a name or title could hold one) become spaces."""
    one_line = _CONTROL.sub(" ", subject)
    charset = "us-ascii" if one_line.isascii() else "utf-8"
    return Header(one_line, charset, header_name="Subject").encode()


class Mailer(Protocol):
    def send(self, mail: Mail) -> None: ...


class SmtpMailer:
    """Sends each mail on its own connection: mail is rare here (invitations, resets)."""

    def __init__(self, settings: IdentitySettings) -> None:
        self._settings = settings

    def send(self, mail: Mail) -> None:
        s = self._settings
        message = EmailMessage()
        message["From"] = s.mail_from
        message["To"] = mail.to
        message.set_raw("Subject", encoded_subject(mail.subject))
        # Without a Date and a Message-ID some servers reject or misfile the mail.
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = make_msgid(
            domain=parseaddr(s.mail_from)[1].rpartition("@")[2] or None
        )
        message.set_content(mail.body)
        smtp: smtplib.SMTP
        if s.smtp_security == "tls":
            context = ssl.create_default_context()
            smtp = smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_s, context=context
            )
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_s)
        with smtp:
            if s.smtp_security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if s.smtp_username:
                smtp.login(s.smtp_username, s.smtp_password.get_secret_value())
            smtp.send_message(message)
