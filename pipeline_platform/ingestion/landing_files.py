"""Which landing files belong to a source: the one implementation the CSV asset and the sensor share.

A source's ``landing_glob`` (relative to the landing folder, e.g. ``crm/exports/accounts_*.csv``)
decides, wherever the files sit: the sensor must see exactly the files a load would read, or a
file in a folder not named after its source would land nobody knows when. The day of a file is
the first ``YYYY-MM-DD`` in its name (none: the file belongs to every window).
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

DAY = re.compile(r"(\d{4}-\d{2}-\d{2})")


def day_of(name: str) -> str | None:
    match = DAY.search(name)
    return match.group(1) if match else None


def matching(root: Path, landing_glob: str) -> Iterator[os.DirEntry | str]:
    """Paths, relative to ``root`` with ``/`` separators, of the files ``landing_glob`` matches
    (hidden files, such as a writer's temp file, never match a ``*``)."""
    for rel in glob.iglob(landing_glob, root_dir=root, recursive="**" in landing_glob):
        if os.path.isfile(os.path.join(root, rel)):
            yield rel.replace(os.sep, "/")


def files_for_window(root: Path, landing_glob: str, first: date | None, last: date | None) -> list[Path]:
    """Landing files whose dated name falls in ``[first, last]`` (all matching files when unbounded)."""
    found = []
    for rel in matching(root, landing_glob):
        day = day_of(rel.rsplit("/", 1)[-1])
        if first is None or (day and first.isoformat() <= day <= last.isoformat()):
            found.append(root / rel)
    return sorted(found, key=lambda p: (day_of(p.name) or "", p.name))
