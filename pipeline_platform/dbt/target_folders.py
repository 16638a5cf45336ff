"""Old dbt invocation folders are removed, so a deployment's disk does not fill with them.

dagster-dbt gives every dbt invocation its own folder under the target path (its manifest, run
results, compiled SQL and logs: 3.5 MB for the demo, tens of MB for a large project), and nothing
ever removed one: a checkout that had run the test suite and the benchmarks held 78 of them, and a
1,000-model project built hourly would keep gigabytes a month. After each invocation, the folders
beyond the newest ``KEEP`` that are also older than ``MIN_AGE`` go. The recent ones stay for whoever
reads a failed run's logs and compiled SQL, and the age floor keeps a concurrent run's folder, which
is always younger, from being touched.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

KEEP = 50
MIN_AGE = 24 * 3600  # seconds
# dagster-dbt's name for an invocation's folder, <op>-<run id[:7]>-<uuid[:7]>, which docs.py follows too
INVOCATION = re.compile(r"^\w+-[0-9a-f]{7}-[0-9a-f]{7}$")


def prune(root: Path, keep: int = KEEP, min_age: float = MIN_AGE, now: float | None = None) -> list[Path]:
    """Remove the invocation folders under ``root`` past the newest ``keep`` and older than ``min_age``
    seconds; returns the removed ones. Anything else in ``root`` (the parse state, the prepared
    manifest) is never touched, and a read-only folder (a packaged deploy) is left as it is."""
    now = time.time() if now is None else now
    try:
        folders = [(p.stat().st_mtime, p) for p in root.iterdir() if INVOCATION.match(p.name) and p.is_dir()]
    except OSError:
        return []
    folders.sort(reverse=True)
    removed = []
    for mtime, path in folders[keep:]:
        if now - mtime > min_age:
            shutil.rmtree(path, ignore_errors=True)
            if not path.exists():
                removed.append(path)
    return removed
