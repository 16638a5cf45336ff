"""One API table as of an instant: which records exist, in what state, in what order.

Each snapshot renders its records once, walking the shop's days in order, into one JSON text with an
offset per record, sorted by (updated_at, primary key): a page is a bisect and a slice. Rendering per
page had to look records up by day, and at benchmark scale a page spans more days than the day memo
holds, so the server regenerated days for every page and, not the loader, set api-load's pace. A
window that ended more than ``lag`` before ``as_of`` cannot change, so one snapshot serves every
later instant.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from itertools import accumulate

from pipeline_platform.demo import clock
from pipeline_platform.demo.rows import ENTITIES

LOW32 = (1 << 32) - 1


class Snapshot:
    """Records with ``updated_at`` in ``[since, until)`` as of ``as_of``, by (updated_at, pk)."""

    def __init__(self, name: str, scale: float, as_of: int, since: int | None, until: int | None):
        self.entity, self.scale, self.as_of = ENTITIES[name], scale, as_of
        e, found = self.entity, []
        first = 0 if since is None else max(0, clock.day_of(since - e.lag))
        last = clock.day_of(as_of if until is None else min(as_of, until - 1))
        lo, hi = since if since is not None else -1, until if until is not None else 1 << 62
        times_of, render = e.times, e.render
        for number in range(first, last + 1):
            for rec in e.day(number, scale):
                times = times_of(rec)
                if not times or times[0] > as_of:
                    continue
                updated = times[-1] if times[-1] <= as_of else times[bisect_right(times, as_of) - 1]
                if lo <= updated < hi:
                    found.append((updated << 32 | rec[0], render(rec, as_of, updated)))
        found.sort()
        self.keys = array("Q", [k for k, _ in found])
        # Each record's text ends in a comma; a slice drops the last one.
        self.offsets = array("Q", accumulate((len(t) + 1 for _, t in found), initial=0))
        self.text = "".join(f"{t}," for _, t in found)

    def __len__(self) -> int:
        return len(self.keys)

    def after(self, updated_at: int, pk: int) -> int:
        """Position of the first record strictly after ``(updated_at, pk)`` (keyset pagination)."""
        return bisect_right(self.keys, updated_at << 32 | pk)

    def key(self, position: int) -> tuple[int, int]:
        k = self.keys[position]
        return k >> 32, k & LOW32

    def json_text(self, start: int, stop: int) -> str:
        """The records at positions ``[start, stop)`` as JSON objects separated by commas."""
        stop = min(stop, len(self.keys))
        return self.text[self.offsets[start]:self.offsets[stop] - 1] if start < stop else ""

    def json_rows(self, start: int, stop: int) -> list[str]:
        """JSON text of each record at positions ``[start, stop)``."""
        off, text = self.offsets, self.text
        return [text[off[i]:off[i + 1] - 1] for i in range(start, min(stop, len(self.keys)))]
