"""The password rules, stated once: the API, the docs and the tests read them from here.

Following NIST SP 800-63B: length over composition rules, and a refusal of the passwords
attackers try first. No rule on character classes and no forced periodic change.
"""

from __future__ import annotations

import re

from kakehashi.shared.errors import DomainError

MIN_LENGTH = 12
MAX_LENGTH = 128  # argon2 takes any length; the bound keeps a request's hashing cost bounded

# Stems of the most common passwords in public breach corpora, and the words this product
# invites (its name, the places and programmes its users live in). A password is refused when,
# lowercased and with digits and symbols removed, it is only one of these, repeated or not.
COMMON_STEMS = frozenset(
    {
        "password", "passw", "passwd", "qwerty", "qwertyuiop", "asdfgh", "asdfghjkl", "zxcvbnm",
        "letmein", "welcome", "admin", "administrator", "iloveyou", "monkey", "dragon",
        "football", "baseball", "sunshine", "princess", "master", "shadow", "superman",
        "abc", "abcdef", "abcd", "qwe", "qaz", "trustno", "login", "changeme", "secret",
        "kakehashi", "vietnam", "japan", "nihon", "nippon", "tokyo", "hanoi", "saigon",
        "matkhau", "xinchao", "anhyeuem",
    }
)  # fmt: skip
_SEQUENCES = (
    "0123456789",
    "9876543210",
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnm",
)


def check_password(password: str, email: str) -> None:
    """Raise a DomainError on `password` naming the rule it breaks (never echoing it)."""
    if len(password) < MIN_LENGTH:
        raise DomainError("password", f"at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise DomainError("password", f"at most {MAX_LENGTH} characters")
    lowered = password.casefold()
    if len(set(lowered)) < 4:
        raise DomainError("password", "too few different characters")
    if lowered.isdigit():
        raise DomainError("password", "only digits (dates and numbers are guessed first)")
    if any(lowered in sequence for sequence in _SEQUENCES):
        raise DomainError("password", "a run of consecutive keys or digits")
    letters = re.sub(r"[^a-z]", "", lowered)
    if letters and _only_common(letters):
        raise DomainError("password", "one of the passwords most often tried by attackers")
    local_part = email.strip().casefold().partition("@")[0]
    if len(local_part) >= 3 and local_part in lowered:
        raise DomainError("password", "contains the email address")


def _only_common(letters: str) -> bool:
    """True when `letters` is a concatenation of common stems (e.g. `passwordpassword`)."""
    reachable = [True] + [False] * len(letters)
    for end in range(1, len(letters) + 1):
        reachable[end] = any(
            reachable[start] and letters[start:end] in COMMON_STEMS for start in range(end)
        )
    return reachable[-1]
