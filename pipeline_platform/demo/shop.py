"""The shop's API tables as of an instant: which records exist, in what state, in what order.

Records are rendered once, while the snapshot walks the shop's days in order, and kept as one JSON
text with an offset per record, sorted by (updated_at, primary key). A page of 5,000 out of a
million is then a bisect and a slice. Rendering per page instead looked each record up by its day,
and a page spans every day an order can still change on: at benchmark scale that working set
outgrew the day memo and the server regenerated days for every page (20 s for a million records,
against ~5 s for the client to parse them). A window that ended more than ``lag`` before ``as_of``
cannot change any more, so one snapshot serves every later instant and a live server keeps its
cache warm.
"""

from __future__ import annotations

import json
import threading
from array import array
from bisect import bisect_right
from itertools import accumulate
from collections import OrderedDict
from typing import Iterator

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


_cache: OrderedDict = OrderedDict()
_building: dict = {}
_lock = threading.Lock()


def snapshot(name: str, as_of=None, updated_since=None, updated_until=None, scale: float = 1.0) -> Snapshot:
    """The (cached) snapshot of an API entity; instants are ISO strings, datetimes or epoch seconds."""
    as_of, scale = clock.resolve_as_of(as_of), float(scale)
    since, until = (v if isinstance(v, int) or v is None else clock.to_epoch(v) for v in (updated_since, updated_until))
    if until is not None:
        as_of = min(as_of, until + ENTITIES[name].lag)  # later events cannot touch this window
    key = (name, scale, as_of, since, until)
    with _lock:
        build = _building.setdefault(key, threading.Lock())
    with build:  # one build per key; other keys (and /health) never wait for it
        with _lock:
            if key in _cache:
                _cache.move_to_end(key)
                return _cache[key]
        snap = Snapshot(name, scale, as_of, since, until)
        with _lock:
            _cache[key] = snap
            _building.pop(key, None)
            while len(_cache) > 16:
                _cache.popitem(last=False)
        return snap


def state_as_of(name: str, as_of=None, updated_since=None, updated_until=None, scale: float = 1.0,
                chunk: int = 5000) -> Iterator[dict]:
    """Stream an API entity's rows (dicts) as of an instant, ordered by (updated_at, primary key)."""
    snap = snapshot(name, as_of, updated_since, updated_until, scale)
    for start in range(0, len(snap), chunk):
        yield from map(json.loads, snap.json_rows(start, start + chunk))
