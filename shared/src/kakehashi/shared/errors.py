"""Errors the domain raises; the web layer turns them into 422 responses that name the field."""

from __future__ import annotations


class DomainError(ValueError):
    """A rule of the domain was broken by the value of `field`; the message says which rule."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
