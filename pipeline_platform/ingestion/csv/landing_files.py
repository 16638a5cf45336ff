"""Which landing files belong to a source: the one implementation the CSV asset and the sensor share.

A source's ``landing_glob`` (relative to the landing folder, e.g. ``crm/exports/accounts_*.csv``)
decides, wherever the files sit: the sensor must see exactly the files a load would read, or a
file in a folder not named after its source would land nobody knows when. The day of a file is
the first ``YYYY-MM-DD`` in its name (none: the file belongs to every window).
"""

from __future__ import annotations

import fnmatch
import glob
import os
import re
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path

DAY = re.compile(r"(\d{4}-\d{2}-\d{2})")
WILDCARD = re.compile(r"[*?[]")


def day_of(name: str) -> str | None:
    match = DAY.search(name)
    return match.group(1) if match else None


def matching(root: Path, landing_glob: str) -> Iterator[tuple[str, os.stat_result]]:
    """``(path relative to root with / separators, its stat)`` of each file ``landing_glob`` matches,
    as ``glob`` matches it (hidden files, such as a writer's temp file, never match a ``*``).

    One stat per file, which the sensor reuses. A glob whose wildcards are all in the file name (the
    usual ``folder/name_*.csv``) is one ``scandir`` of that folder, as fast as the sensor's scan of
    10,000 known files needs; any other goes through ``glob``.
    """
    folder, _, name = landing_glob.rpartition("/")
    if "**" in landing_glob or WILDCARD.search(folder):
        for rel in glob.iglob(landing_glob, root_dir=root, recursive=True):
            try:
                info = os.stat(os.path.join(root, rel))
            except FileNotFoundError:
                continue  # removed between the listing and now
            if stat.S_ISREG(info.st_mode):
                yield rel.replace(os.sep, "/"), info
        return
    match = re.compile(fnmatch.translate(name)).match
    prefix = f"{folder}/" if folder else ""
    try:
        entries = os.scandir(os.path.join(root, folder) if folder else root)
    except (FileNotFoundError, NotADirectoryError):
        return
    with entries:
        for entry in entries:
            if match(entry.name) and not (entry.name[0] == "." and name[:1] != ".") and entry.is_file():
                try:
                    yield prefix + entry.name, entry.stat()
                except FileNotFoundError:
                    continue


def files_for_window(root: Path, landing_glob: str, first: date | None, last: date | None) -> list[Path]:
    """Landing files whose dated name falls in ``[first, last]`` (all matching files when unbounded)."""
    found = []
    for rel, _ in matching(root, landing_glob):
        day = day_of(rel.rsplit("/", 1)[-1])
        if first is None or (day and first.isoformat() <= day <= last.isoformat()):
            found.append(root / rel)
    return sorted(found, key=lambda p: (day_of(p.name) or "", p.name))
