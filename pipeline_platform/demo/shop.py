"""The shop's API tables as of an instant, cached per (entity, scale, instant, window).

Building a snapshot renders every record of the window (``snapshot.Snapshot``), so a server keeps
the last few and builds each at most once, even when concurrent requests ask for it together; other
keys (and ``/health``) never wait for a build.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Iterator

from pipeline_platform.demo import clock
from pipeline_platform.demo.rows import ENTITIES
from pipeline_platform.demo.snapshot import Snapshot

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
