"""A memo for generated days, bounded by the rows it holds rather than by how many days.

At scale 1 a day of orders is 200 rows and the whole history fits; at benchmark scale a day is
tens of thousands, so a count of days would either thrash or eat the machine's memory.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import wraps

ROW_BUDGET = 250_000


def per_day(fn):
    """Memoise ``fn(number, scale) -> tuple`` keeping at most ``ROW_BUDGET`` rows (LRU)."""
    store: OrderedDict = OrderedDict()
    lock = threading.Lock()
    held = [0]

    @wraps(fn)
    def get(number: int, scale: float = 1.0):
        key = (number, float(scale))
        with lock:
            if key in store:
                store.move_to_end(key)
                return store[key]
        rows = fn(number, float(scale))
        with lock:
            if key not in store:
                store[key] = rows
                held[0] += len(rows)
                while held[0] > ROW_BUDGET and len(store) > 1:
                    held[0] -= len(store.popitem(last=False)[1])
        return rows

    def cache_clear():
        with lock:
            store.clear()
            held[0] = 0

    get.cache_clear = cache_clear
    return get
