"""Timing and ratios: baseline and platform run alternately, so machine noise hits both sides alike.

A shared, noisy 2-core box makes absolute seconds meaningless between runs; interleaving the two
sides and reporting the median ratio (with min and max) is what stays comparable across machines.
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Callable

OPS = {"<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b}
# The machine's 1-minute load average after each sample of the running case ([side, load]); run.py
# empties it before a case and stores it in the case's rows, so a noisy sample can be told apart.
LOADS: list[list] = []


def load_1min() -> float:
    return round(os.getloadavg()[0], 2)


def record_load(side: str = "") -> None:
    LOADS.append([side, load_1min()])


def timed(fn: Callable[[], object], side: str = "") -> float:
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    record_load(side)
    return seconds


def compare(baseline: Callable, platform: Callable, repeats: int, reset: Callable[[str], None] | None = None,
            measure: Callable[[Callable], float] = timed) -> tuple[list[float], list[float]]:
    """Alternate baseline/platform ``repeats`` times (order flipped every round).

    ``reset(side)`` runs untimed before each measurement, with side ``"baseline"`` or ``"platform"``.
    """
    base, plat = [], []
    for i in range(repeats):
        order = [("baseline", baseline, base), ("platform", platform, plat)]
        for side, fn, out in order if i % 2 == 0 else order[::-1]:
            if reset:
                reset(side)
            if measure is timed:
                out.append(timed(fn, side))
            else:
                out.append(measure(fn))
                record_load(side)
    return base, plat


def result(case: str, compared: str, base: list[float], plat: list[float], op: str, target: float,
           speedup: bool = False, sizes: dict | None = None, unit: str = "s", **extra) -> dict:
    """One report row. ``speedup`` flips the ratio to baseline/platform ("N x faster")."""
    ratios = [(b / p) if speedup else (p / b) for b, p in zip(base, plat)]
    median = statistics.median(ratios)
    return {
        "case": case, "compared": compared, "ratio": "baseline/platform" if speedup else "platform/baseline",
        "median": round(median, 3), "min": round(min(ratios), 3), "max": round(max(ratios), 3),
        "target": f"{op} {target}", "met": OPS[op](median, target), "repeats": len(ratios),
        "sizes": sizes or {}, "raw": {"unit": unit, "baseline": [round(x, 4) for x in base],
                                      "platform": [round(x, 4) for x in plat]}, **extra,
    }
