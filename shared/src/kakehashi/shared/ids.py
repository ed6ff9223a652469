"""Keys of records made in bulk: time-ordered UUIDs (version 7, RFC 9562).

A version-4 UUID is random, so each new row lands on a random page of every index keyed by it:
an import of 1,000 rows into a table of 100,000 dirtied most pages of such indexes, and each
commit rewrote them (docs/operations.md, "Fourth round"). A version-7 UUID starts with the Unix
time in milliseconds, so new keys sort after the old ones and their index pages are the last
few. The other 74 bits are random, and the time they show is the record's creation, which the
record shows anyway.

Events (and so outbox rows and consumers' inboxes) and consents take these. Candidates and job
orders keep random ids: people read and search the first 8 hex digits of those as a short
reference (`reference.order_number`, the portal's list), and a time-ordered id would give every
record made in the same minute the same 8 digits. Tokens, nonces and correlation ids stay random
too: they are not keys of rows.
"""

from __future__ import annotations

import os
import time
import uuid

_VERSION_7 = 0x7 << 76
_VARIANT_RFC = 0b10 << 62


def uuid7() -> uuid.UUID:
    """A new version-7 UUID: 48 bits of Unix milliseconds, the version, 12 random bits, the
    variant, 62 random bits."""
    milliseconds = time.time_ns() // 1_000_000
    random = int.from_bytes(os.urandom(10), "big")
    high = (random >> 62) & 0xFFF  # the first 12 of the 80 random bits
    low = random & ((1 << 62) - 1)  # the last 62
    return uuid.UUID(int=(milliseconds << 80) | _VERSION_7 | (high << 64) | _VARIANT_RFC | low)


def new_id() -> str:
    """A new record's key, as stored: the canonical text of a version-7 UUID."""
    return str(uuid7())
