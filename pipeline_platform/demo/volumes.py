"""How many records each day creates, and which primary keys that day therefore owns.

Keys are contiguous in creation order, so a key alone says which day to regenerate to find its
record; that is what lets the API render a page without holding the whole history in memory.
"""

from __future__ import annotations

import random
import threading
from bisect import bisect

from pipeline_platform.demo.clock import day_date


def daily_count(entity: str, number: int, base: float, scale: float) -> int:
    """Records ``entity`` creates on a day: base volume x scale, busier at weekends, +-15 %."""
    weekend = 1.15 if day_date(number).weekday() >= 5 else 1.0
    jitter = random.Random(f"count:{entity}:{day_date(number)}").uniform(0.85, 1.15)
    return max(1, round(base * scale * weekend * jitter))


class IdRange:
    """Primary keys are contiguous in creation order: day d owns ids offsets[d]+1 .. offsets[d+1]."""

    def __init__(self, entity: str, base: float, scale: float, first_day: float | None = None):
        self.entity, self.base, self.scale, self.first_day = entity, base, scale, first_day
        self.offsets, self._lock = [0], threading.Lock()

    def count(self, number: int) -> int:
        if number == 0 and self.first_day is not None:
            return max(1, round(self.first_day * self.scale))
        return daily_count(self.entity, number, self.base, self.scale)

    def first_id(self, number: int) -> int:
        with self._lock:
            while len(self.offsets) <= number + 1:
                self.offsets.append(self.offsets[-1] + self.count(len(self.offsets) - 1))
        return self.offsets[number] + 1

    def day_of_id(self, pk: int) -> int:
        while self.offsets[-1] < pk:
            self.first_id(len(self.offsets))
        return bisect(self.offsets, pk - 1) - 1
