"""What identity's use cases refuse with; the API maps each to one status code."""

from __future__ import annotations

from typing import Any


class NotFoundError(LookupError):
    """No such organisation or user."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} not found")
        self.what = what


class ConflictError(Exception):
    """The request contradicts what is stored (an email already in use, an id taken)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class LinkRefusedError(Exception):
    """An invitation or reset link that is unknown, expired or used: one answer for all three."""


class MailNotSentError(Exception):
    """The mail server refused or could not be reached; nothing was saved."""


class SignInRefusedError(Exception):
    """A sign-in that issued no token. `code` and `extra` are what the caller is told; `reason`
    goes to the audit only (it may say what the caller must not learn, e.g. unknown_email)."""

    def __init__(
        self, status: int, code: str, message: str, extra: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra or {}
        self.retry_after_s: int | None = None  # set on `locked`: when to try again
