"""The development mail server: an SMTP catcher (aiosmtpd) that delivers nothing.

`kakehashi dev` runs it so identity's invitations and password resets can be read on the
machine: every message is kept in a folder as the raw `.eml` and a readable `.txt` (headers and
the decoded text, where the links are). `kakehashi mail` prints the latest ones; the seed and
the end-to-end tests read links from the same folder.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import typer

from kakehashi.shared.process import stop_on_signals

DEFAULT_PORT = 1025


@dataclass(frozen=True)
class CaughtMail:
    path: Path
    to: str
    subject: str
    body: str

    def link(self, path: str) -> str | None:
        """The first URL in the body whose path is `path` (e.g. `/invitation`), if any."""
        found = re.search(rf"https?://\S+?{re.escape(path)}\?token=[A-Za-z0-9_-]+", self.body)
        return found.group(0) if found else None


def readable(message: EmailMessage) -> str:
    """The text a person reads: who, what, and the plain-text body decoded."""
    part = message.get_body(("plain",))
    body = part.get_content() if isinstance(part, EmailMessage) else ""
    head = "".join(f"{name}: {message[name]}\n" for name in ("Date", "From", "To", "Subject"))
    return f"{head}\n{body}"


class FolderHandler:
    """aiosmtpd handler writing each message to `folder` (numbered in order of arrival)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw: bytes = envelope.content
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        recipient = re.sub(r"[^A-Za-z0-9@._-]", "_", str(message["To"] or "unknown"))[:80]
        stem = f"{time.time_ns()}-{recipient}"
        (self.folder / f"{stem}.eml").write_bytes(raw)
        (self.folder / f"{stem}.txt").write_text(readable(message), encoding="utf-8")
        return "250 Message accepted for delivery"


def caught(folder: Path) -> list[CaughtMail]:
    """Every mail caught in `folder`, oldest first."""
    mails = []
    for path in sorted(folder.glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        part = message.get_body(("plain",))
        body = part.get_content() if isinstance(part, EmailMessage) else ""
        mails.append(CaughtMail(path, str(message["To"]), str(message["Subject"]), body))
    return mails


def latest_link(folder: Path, to: str, path: str) -> str | None:
    """The newest link to `path` mailed to `to` (compared case-insensitively)."""
    for mail in reversed(caught(folder)):
        if mail.to.casefold() == to.casefold() and (link := mail.link(path)):
            return link
    return None


def main(
    folder: Path = typer.Option(Path("var/mail"), help="where caught mail is written"),
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(DEFAULT_PORT),
) -> None:
    """Catch mail on host:port until SIGINT or SIGTERM."""
    from aiosmtpd.controller import Controller

    controller = Controller(FolderHandler(folder.resolve()), hostname=host, port=port)
    controller.start()
    print(f"catching mail on {host}:{port} into {folder}", flush=True)
    stop = stop_on_signals()
    try:
        stop.wait()
    finally:
        controller.stop()


if __name__ == "__main__":
    typer.run(main)
