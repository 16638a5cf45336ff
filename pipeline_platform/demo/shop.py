"""The shop's API tables as of an instant: which records exist, in what state, in what order.

Records are kept as sorted integers (updated_at << 32 | primary key) and rendered only for the
slice a caller reads, so a page of 5,000 out of a million costs a bisect and 5,000 renders. A
window that ended more than ``lag`` before ``as_of`` cannot change any more, so one index serves
every later instant and a live server keeps its cache warm.
"""

from __future__ import annotations

import json
import threading
from array import array
from bisect import bisect_right
from collections import OrderedDict
from typing import Iterator

from pipeline_platform.demo import clock
from pipeline_platform.demo.rows import ENTITIES

LOW32 = (1 << 32) - 1


class Snapshot:
    """Records with ``updated_at`` in ``[since, until)`` as of ``as_of``, by (updated_at, pk)."""

    def __init__(self, name: str, scale: float, as_of: int, since: int | None, until: int | None):
        self.entity, self.scale, self.as_of = ENTITIES[name], scale, as_of
        e, keys = self.entity, []
        first = 0 if since is None else max(0, clock.day_of(since - e.lag))
        last = clock.day_of(as_of if until is None else min(as_of, until - 1))
        lo, hi = since if since is not None else -1, until if until is not None else 1 << 62
        for number in range(first, last + 1):
            for rec in e.day(number, scale):
                times = e.times(rec)
                if not times or times[0] > as_of:
                    continue
                updated = times[-1] if times[-1] <= as_of else times[bisect_right(times, as_of) - 1]
                if lo <= updated < hi:
                    keys.append(updated << 32 | rec[0])
        keys.sort()
        self.keys = array("Q", keys)

    def __len__(self) -> int:
        return len(self.keys)

    def after(self, updated_at: int, pk: int) -> int:
        """Position of the first record strictly after ``(updated_at, pk)`` (keyset pagination)."""
        return bisect_right(self.keys, updated_at << 32 | pk)

    def key(self, position: int) -> tuple[int, int]:
        k = self.keys[position]
        return k >> 32, k & LOW32

    def json_rows(self, start: int, stop: int) -> list[str]:
        """JSON text of the records at positions ``[start, stop)``."""
        e, scale, as_of, out, days = self.entity, self.scale, self.as_of, [], {}
        ids, render = e.ids(scale), e.render
        for k in self.keys[start:stop]:
            pk = k & LOW32
            number = ids.day_of_id(pk)
            if number not in days:
                days[number] = (e.day(number, scale), ids.first_id(number))
            records, first = days[number]
            out.append(render(records[pk - first], as_of, k >> 32))
        return out


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
