"""The candidate index kept on disk: each sector's arrays in one uncompressed NumPy archive,
with the change sequence of the read model they hold, so a restart reads them back in seconds.

The file is written beside and then renamed over the previous one, so a crash while writing
leaves the old snapshot whole. Nothing in it is pickled: text is stored as UTF-8 JSON bytes.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import numpy.typing as npt

from kakehashi.matching.domain.pool_columns import Arrays, text_array, texts

# Bumped whenever what a snapshot holds changes: an older file is then rebuilt, not misread.
FORMAT = 1

__all__ = ["FORMAT", "Arrays", "SnapshotError", "read", "text_array", "texts", "write"]


class SnapshotError(Exception):
    """The snapshot file cannot be used (unreadable, truncated, or of another format)."""


def write(path: Path, source: str, change_seq: int, sectors: Mapping[str, Arrays]) -> None:
    """Keep `sectors` (arrays by name, per sector) of the read model `source` (the database it
    was read from) as seen at `change_seq`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "format": FORMAT,
        "source": source,
        "change_seq": change_seq,
        "sectors": sorted(sectors),
    }
    members: dict[str, npt.NDArray[np.generic]] = {"meta": text_array([json.dumps(meta)])}
    for sector, arrays in sectors.items():
        for name, array in arrays.items():
            members[f"{sector}/{name}"] = array
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as file:
        np.savez(file, allow_pickle=False, **members)
        file.flush()
        os.fsync(file.fileno())
    os.replace(partial, path)


def read(path: Path, source: str) -> tuple[int, dict[str, Arrays]] | None:
    """The change sequence and the sectors' arrays kept at `path` for the read model `source`;
    None if there is no file (SnapshotError if it is unreadable or of another read model)."""
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as archive:
            meta = json.loads(texts(archive["meta"])[0])
            if not isinstance(meta, dict) or meta.get("format") != FORMAT:
                found = meta.get("format") if isinstance(meta, dict) else None
                raise SnapshotError(f"{path}: format {found!r}, this version reads {FORMAT}")
            if meta.get("source") != source:
                raise SnapshotError(f"{path}: written from another database")
            sectors: dict[str, Arrays] = {str(s): {} for s in meta["sectors"]}
            for member in archive.files:
                sector, _, name = member.partition("/")
                if sector in sectors:
                    sectors[sector][name] = archive[member]
            return int(meta["change_seq"]), sectors
    except SnapshotError:
        raise
    except (
        OSError,
        EOFError,
        ValueError,
        KeyError,
        TypeError,
        IndexError,
        zipfile.BadZipFile,
    ) as e:
        raise SnapshotError(f"{path}: unreadable ({type(e).__name__}: {e})") from e
