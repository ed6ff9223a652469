"""Fewer full garbage collections while an import runs.

A chunk's rows, profiles and events live until its transaction commits, so each chunk moves
some hundred thousand objects into the oldest generation and they die there. With CPython's
default thresholds that sets off a full collection every chunk or two, each one walking every
object of the process (the web framework, SQLAlchemy and pydantic included): about a sixth of a
100k-row import. Reference counting frees the chunks anyway; full collections are only delayed.
The thresholds are process-wide, so overlapping imports share one setting and the last to
finish puts the previous one back.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

# Full collections after 1000 younger ones instead of 10 (CPython's default third threshold):
# still one every ten thousand rows or so, so cyclic garbage is not kept for long.
FULL_COLLECTION_EVERY = 1000

_lock = threading.Lock()
_running = 0
_saved: tuple[int, int, int] | None = None


@contextlib.contextmanager
def fewer_full_collections() -> Iterator[None]:
    """Raise the threshold of full collections for the duration of the block."""
    global _running, _saved
    with _lock:
        if _running == 0:
            young, middle, old = gc.get_threshold()
            _saved = (young, middle, old)
            gc.set_threshold(young, middle, max(old, FULL_COLLECTION_EVERY))
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None


def for_a_bulk_helper() -> None:
    """In a process that only prepares an import's chunks (service_layer/import_preparation.py):
    what it imported at start is frozen out of collections, and full collections stay rare for
    its whole life. Before this, one came after nearly every chunk it sent back."""
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)
